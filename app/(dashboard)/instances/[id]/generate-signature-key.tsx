"use client";

import { KeyRound } from "lucide-react";
import { ActionButton } from "@/components/action-button";
import { rotateSignatureKeyAction } from "./signature-key-actions";

/** Gives an instance without a signature key its first (generated) key. */
export function GenerateSignatureKey({ instanceId }: { instanceId: number }) {
  return (
    <ActionButton
      run={() => rotateSignatureKeyAction(instanceId)}
      label="Generate signature key"
      icon={KeyRound}
      success="Signature key generated: deliveries are signed from now on."
    />
  );
}
