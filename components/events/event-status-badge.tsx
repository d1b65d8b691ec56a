import { Badge } from "@/components/ui/badge";
import type { RowStatus } from "@/lib/live-log/schema";

const variants = {
  RECEIVED: { label: "Received", variant: "outline" },
  PENDING: { label: "Pending", variant: "secondary" },
  DELIVERED: { label: "Delivered", variant: "success" },
  RETRYING: { label: "Retrying", variant: "warning" },
  DEAD: { label: "Dead", variant: "destructive" },
  DISABLED: { label: "Disabled", variant: "outline" },
  DUPLICATE: { label: "Duplicate", variant: "outline" },
  REJECTED: { label: "Rejected", variant: "destructive" },
} as const satisfies Record<RowStatus, { label: string; variant: "secondary" | "success" | "warning" | "destructive" | "outline" }>;

/** "Retrying (n)" counts the attempts made so far. */
export function statusText(status: RowStatus, attempts: number): string {
  return status === "RETRYING" ? `${variants.RETRYING.label} (${attempts})` : variants[status].label;
}

export function EventStatusBadge({ status, attempts }: { status: RowStatus; attempts: number }) {
  return (
    <Badge variant={variants[status].variant} className="whitespace-nowrap" data-status={status.toLowerCase()}>
      {statusText(status, attempts)}
    </Badge>
  );
}
