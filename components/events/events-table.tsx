import { Badge } from "@/components/ui/badge";
import type { EventLogRow } from "@/lib/live-log/schema";
import { formatExactTime } from "@/lib/format";
import { cn } from "@/lib/utils";
import { EventStatusBadge } from "./event-status-badge";
import { eventTypeLabel, formatAge, formatLatency } from "./format";

const th = "px-3 py-2.5 text-left text-xs font-medium whitespace-nowrap text-muted-foreground";
const td = "px-3 py-2.5 align-middle";

/**
 * The events, newest first. A row opens the side panel on click; its event-type button does the same
 * from the keyboard. New rows flash briefly so arrivals are noticed.
 */
export function EventsTable({
  rows,
  now,
  caption,
  showInstance = true,
  highlighted,
  selectedId,
  onOpen,
}: {
  rows: EventLogRow[];
  now: Date;
  caption: string;
  showInstance?: boolean;
  highlighted: ReadonlySet<string>;
  selectedId: string | null;
  onOpen: (row: EventLogRow) => void;
}) {
  return (
    <div className="overflow-x-auto rounded-lg border bg-card shadow-sm">
      <table className="w-full text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b bg-muted/40">
          <tr>
            <th scope="col" className={th}>Received</th>
            <th scope="col" className={th}>{showInstance ? "Instance" : "Connector"}</th>
            <th scope="col" className={th}>Event</th>
            <th scope="col" className={th}>Object</th>
            <th scope="col" className={th}>Delivery</th>
            <th scope="col" className={cn(th, "text-right")}>Latency</th>
          </tr>
        </thead>
        <tbody className="divide-y">
          {rows.map((row) => {
            const received = new Date(row.createdAt);
            // Stored, not processed yet: nothing to open until its events replace it (in a moment).
            const processing = row.status === "RECEIVED";
            return (
              <tr
                key={row.id}
                data-event-id={row.id}
                data-selected={row.id === selectedId || undefined}
                onClick={processing ? undefined : () => onOpen(row)}
                className={cn(
                  !processing && "cursor-pointer",
                  "transition-colors duration-700 hover:bg-muted/40 data-selected:bg-accent",
                  highlighted.has(row.id) && "bg-primary/10",
                )}
              >
                <td className={cn(td, "whitespace-nowrap text-muted-foreground tabular-nums")}>
                  <time dateTime={row.createdAt} title={formatExactTime(received)}>
                    {formatAge(received, now)}
                  </time>
                </td>
                <td className={td}>
                  <span className="flex min-w-0 items-center gap-2">
                    <span
                      title={row.connector.name}
                      className="flex size-6 shrink-0 items-center justify-center rounded text-[10px] font-bold text-white"
                      style={{ backgroundColor: row.connector.color }}
                    >
                      <span aria-hidden>{row.connector.monogram}</span>
                      <span className="sr-only">{row.connector.name}</span>
                    </span>
                    <span className="max-w-48 truncate">{showInstance ? row.instanceName : row.connector.name}</span>
                  </span>
                </td>
                <td className={cn(td, "whitespace-nowrap")}>
                  {processing ? (
                    <span className="text-muted-foreground" data-received={row.id}>
                      Processing…
                    </span>
                  ) : (
                  <button
                    type="button"
                    data-open-event={row.id}
                    aria-haspopup="dialog"
                    onClick={(event) => {
                      event.stopPropagation();
                      onOpen(row);
                    }}
                    className="rounded-sm font-medium underline-offset-4 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
                    title={row.unrecognized ?? undefined}
                  >
                    {row.status === "REJECTED" ? `Refused webhook (${row.lastStatusCode ?? "?"})` : eventTypeLabel(row.eventType)}
                  </button>
                  )}
                  {row.eventCount > 1 ? <span className="ml-1 text-xs text-muted-foreground">+{row.eventCount - 1}</span> : null}
                  {row.test ? <Badge variant="outline" className="ml-2">Test</Badge> : null}
                </td>
                <td className={td}>
                  <span className="flex min-w-0 items-baseline gap-2">
                    <span className="text-muted-foreground">{row.objectType ?? "—"}</span>
                    {row.objectId ? <span className="max-w-56 truncate font-mono text-xs" title={row.objectId}>{row.objectId}</span> : null}
                  </span>
                </td>
                <td className={td}>
                  <EventStatusBadge status={row.status} attempts={row.attempts} />
                </td>
                <td className={cn(td, "text-right whitespace-nowrap text-muted-foreground tabular-nums")} title="Receiver response time of the latest attempt">
                  {formatLatency(row.latencyMs)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
