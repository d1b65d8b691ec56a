"use client";

import { Play } from "lucide-react";
import { resumeDeliveryAction } from "@/app/(dashboard)/instances/[id]/actions";
import { ActionButton } from "@/components/action-button";

/** Resumes an instance's paused or disabled delivery; the page re-renders with the new state. */
export function ResumeDeliveryButton({ instanceId }: { instanceId: number }) {
  return <ActionButton run={() => resumeDeliveryAction(instanceId)} label="Resume now" icon={Play} success="Delivery resumed" />;
}
