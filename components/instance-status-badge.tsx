import { Badge } from "@/components/ui/badge";
import type { InstanceStatus } from "@/lib/generated/prisma/enums";

const statuses: Record<InstanceStatus, { label: string; variant: "success" | "warning" | "destructive" }> = {
  ACTIVE: { label: "Active", variant: "success" },
  PENDING_AUTHORIZATION: { label: "Pending authorization", variant: "warning" },
  NEEDS_REAUTHORIZATION: { label: "Needs re-authorization", variant: "destructive" },
};

export function statusLabel(status: InstanceStatus): string {
  return statuses[status].label;
}

export function InstanceStatusBadge({ status }: { status: InstanceStatus }) {
  const { label, variant } = statuses[status];
  return <Badge variant={variant}>{label}</Badge>;
}
