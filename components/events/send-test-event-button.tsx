"use client";

import { Send } from "lucide-react";
import { sendTestEventAction } from "@/app/(dashboard)/events/actions";
import { ActionButton } from "@/components/action-button";
import type { ButtonProps } from "@/components/ui/button";

/** Delivers a made-up event to the instance's callback URL through the real path; the log shows it arrive. */
export function SendTestEventButton({ instanceId, variant = "outline", size = "sm" }: { instanceId: number } & Pick<ButtonProps, "variant" | "size">) {
  return (
    <ActionButton
      run={() => sendTestEventAction(instanceId)}
      label="Send test event"
      icon={Send}
      success="Test event sent; watch it in the log"
      variant={variant}
      size={size}
    />
  );
}
