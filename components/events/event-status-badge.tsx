import { Badge } from "@/components/ui/badge";
import type { LogStatus } from "@/lib/live-log/schema";

const variants = {
  PENDING: { label: "Pending", variant: "secondary" },
  DELIVERED: { label: "Delivered", variant: "success" },
  RETRYING: { label: "Retrying", variant: "warning" },
  DEAD: { label: "Dead", variant: "destructive" },
  DISABLED: { label: "Disabled", variant: "outline" },
} as const satisfies Record<LogStatus, { label: string; variant: "secondary" | "success" | "warning" | "destructive" | "outline" }>;

/** "Retrying (n)" counts the attempts made so far. */
export function statusText(status: LogStatus, attempts: number): string {
  return status === "RETRYING" ? `${variants.RETRYING.label} (${attempts})` : variants[status].label;
}

export function EventStatusBadge({ status, attempts }: { status: LogStatus; attempts: number }) {
  return (
    <Badge variant={variants[status].variant} className="whitespace-nowrap" data-status={status.toLowerCase()}>
      {statusText(status, attempts)}
    </Badge>
  );
}
