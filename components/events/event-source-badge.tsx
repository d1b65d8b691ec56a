import { Badge } from "@/components/ui/badge";
import type { EventSourceName } from "@/lib/live-log/schema";

const marks = {
  POLL: { label: "poll", title: "Found by polling the provider's API" },
  RECOVERED: {
    label: "recovered by poll",
    title: "Found by the reconciliation poll: no webhook reported this change, so the webhook was lost",
  },
} as const satisfies Record<Exclude<EventSourceName, "WEBHOOK">, { label: string; title: string }>;

/**
 * How Hookline learned of an event, when it was not a webhook: "poll" or "recovered by poll" (a lost
 * webhook). Webhooks, the usual case, get no mark, so the log stays calm.
 */
export function EventSourceBadge({ source, className }: { source: EventSourceName; className?: string }) {
  if (source === "WEBHOOK") return null;
  const mark = marks[source];
  return (
    <Badge variant={source === "RECOVERED" ? "warning" : "secondary"} className={className} title={mark.title} data-source={source.toLowerCase()}>
      {mark.label}
    </Badge>
  );
}
