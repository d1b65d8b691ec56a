"use client";

import { RefreshCw } from "lucide-react";
import { pollNowAction } from "@/app/(dashboard)/instances/[id]/actions";
import { ActionButton } from "@/components/action-button";

/** Makes the instance's next poll due at once; the page re-renders with the schedule (and, soon, the results). */
export function PollNowButton({ instanceId }: { instanceId: number }) {
  return <ActionButton run={() => pollNowAction(instanceId)} label="Poll now" icon={RefreshCw} success="Poll requested" />;
}
