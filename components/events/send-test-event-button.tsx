"use client";

import { LoaderCircle, Send } from "lucide-react";
import { useTransition } from "react";
import { toast } from "sonner";
import { sendTestEventAction } from "@/app/(dashboard)/events/actions";
import { Button, type ButtonProps } from "@/components/ui/button";

/** Delivers a made-up event to the instance's callback URL through the real path; the log shows it arrive. */
export function SendTestEventButton({ instanceId, variant = "outline", size = "sm" }: { instanceId: number } & Pick<ButtonProps, "variant" | "size">) {
  const [pending, startTransition] = useTransition();
  const send = () =>
    startTransition(async () => {
      const result = await sendTestEventAction(instanceId);
      if (result.ok) toast.success("Test event sent; watch it in the log");
      else toast.error(result.message);
    });
  return (
    <Button type="button" variant={variant} size={size} onClick={send} disabled={pending}>
      {pending ? <LoaderCircle className="animate-spin" aria-hidden /> : <Send aria-hidden />} Send test event
    </Button>
  );
}
