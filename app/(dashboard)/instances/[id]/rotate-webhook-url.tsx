"use client";

import { useState, useTransition } from "react";
import { toast } from "sonner";
import { RotateControls } from "@/components/rotate-controls";
import { rotateWebhookUrlAction } from "./webhook-url-actions";

/** Rotates the webhook URL's secret, after a confirmation that says what stops working. */
export function RotateWebhookUrl({ instanceId, registered }: { instanceId: number; registered: boolean }) {
  const [confirming, setConfirming] = useState(false);
  const [pending, startTransition] = useTransition();
  const confirm = () =>
    startTransition(async () => {
      const result = await rotateWebhookUrlAction(instanceId);
      setConfirming(false);
      if (!result.ok) return void toast.error(result.message);
      toast.success(
        result.data.subscription === "FAILED"
          ? "Webhook URL rotated, but moving the provider's webhooks to it failed; see Provider webhooks."
          : registered
            ? "Webhook URL rotated; the provider's webhooks now use the new URL."
            : "Webhook URL rotated. Update it wherever you set it up by hand.",
      );
    });
  const controls = (
    <RotateControls label="webhook URL" text="Rotate URL" confirming={confirming} setConfirming={setConfirming} onConfirm={confirm} pending={pending} />
  );
  if (!confirming) return controls;
  return (
    <div className="grid gap-2">
      {controls}
      <p className="text-xs text-destructive">
        The current URL stops accepting webhooks at once.{" "}
        {registered ? "Hookline moves the webhooks it registered at the provider to the new URL." : "Paste the new URL wherever you set the old one."}
      </p>
    </div>
  );
}
