"use client";

import { Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { deleteInstanceAction } from "./actions";

/** Delete with an inline confirmation step, then back to the list. */
export function DeleteInstance({ instanceId, name }: { instanceId: number; name: string }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [pending, startTransition] = useTransition();

  const remove = () =>
    startTransition(async () => {
      const result = await deleteInstanceAction(instanceId);
      if (!result.ok) {
        setConfirming(false);
        toast.error(result.message);
        return;
      }
      toast.success(`Deleted “${name}”`);
      if (result.data.warning) toast.warning(`Its webhooks may still be registered at the provider: ${result.data.warning}`);
      router.push("/instances");
    });

  if (!confirming) {
    return (
      <Button type="button" variant="outline" onClick={() => setConfirming(true)}>
        <Trash2 aria-hidden /> Delete instance
      </Button>
    );
  }
  return (
    <span className="flex flex-wrap items-center gap-2" role="group" aria-label={`Confirm deleting ${name}`}>
      <span className="text-sm text-destructive">Its webhook URL stops working.</span>
      <Button type="button" variant="destructive" onClick={remove} disabled={pending} autoFocus>
        {pending ? "Deleting…" : "Confirm delete"}
      </Button>
      <Button type="button" variant="ghost" onClick={() => setConfirming(false)} disabled={pending}>
        Cancel
      </Button>
    </span>
  );
}
