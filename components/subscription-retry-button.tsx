"use client";

import { RefreshCw } from "lucide-react";
import { useTransition } from "react";
import { toast } from "sonner";
import { retrySubscriptionAction } from "@/app/(dashboard)/instances/[id]/subscription-actions";
import { Button } from "@/components/ui/button";

/** Runs webhook registration at the provider again; the page re-renders with the new outcome. */
export function SubscriptionRetryButton({ instanceId, label, providerName }: { instanceId: number; label: string; providerName: string }) {
  const [pending, startTransition] = useTransition();

  const retry = () =>
    startTransition(async () => {
      const result = await retrySubscriptionAction(instanceId);
      if (!result.ok) {
        toast.error(result.message);
        return;
      }
      if (result.data.status === "FAILED") toast.error(result.data.error ?? `Registration at ${providerName} failed.`);
      else if (result.data.status === "ACTIVE") toast.success(`Registered at ${providerName}`);
      else toast.info("Nothing to register");
    });

  return (
    <Button type="button" variant="outline" onClick={retry} disabled={pending}>
      <RefreshCw aria-hidden className={pending ? "animate-spin" : undefined} /> {pending ? "Registering…" : label}
    </Button>
  );
}
