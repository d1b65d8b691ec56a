import { Badge } from "@/components/ui/badge";
import { StackedBody, StackedCell, StackedHead, StackedRow, StackedTable } from "@/components/ui/stacked-table";
import type { EventLogRow } from "@/lib/live-log/schema";
import { formatExactTime } from "@/lib/format";
import { cn } from "@/lib/utils";
import { EventSourceBadge } from "./event-source-badge";
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
    <StackedTable caption={caption} className="rounded-lg border bg-card shadow-sm">
      <StackedHead>
        <th scope="col" className={th}>Received</th>
        <th scope="col" className={th}>{showInstance ? "Instance" : "Connector"}</th>
        <th scope="col" className={th}>Event</th>
        <th scope="col" className={th}>Object</th>
        <th scope="col" className={th}>Delivery</th>
        <th scope="col" className={cn(th, "text-right")}>Latency</th>
      </StackedHead>
      <StackedBody>
        {rows.map((row) => {
          const received = new Date(row.createdAt);
          // Stored, not processed yet: nothing to open until its events replace it (in a moment).
          const processing = row.status === "RECEIVED";
          return (
            <StackedRow
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
              <StackedCell label="Received" className={cn(td, "whitespace-nowrap text-muted-foreground tabular-nums")}>
                <time dateTime={row.createdAt} title={formatExactTime(received)}>
                  {formatAge(received, now)}
                </time>
              </StackedCell>
              <StackedCell label={showInstance ? "Instance" : "Connector"} className={td}>
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
              </StackedCell>
              <StackedCell label="Event" className={cn(td, "whitespace-nowrap")}>
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
                <EventSourceBadge source={row.source} className="ml-2" />
              </StackedCell>
              <StackedCell label="Object" className={td}>
                <span className="flex min-w-0 items-baseline gap-2">
                  <span className="shrink-0 text-muted-foreground">{row.objectType ?? "—"}</span>
                  {row.objectId ? <span className="max-w-56 truncate font-mono text-xs" title={row.objectId}>{row.objectId}</span> : null}
                </span>
              </StackedCell>
              <StackedCell label="Delivery" className={td}>
                <EventStatusBadge status={row.status} attempts={row.attempts} />
              </StackedCell>
              <StackedCell label="Latency" className={cn(td, "text-right whitespace-nowrap text-muted-foreground tabular-nums")} title="Receiver response time of the latest attempt">
                {formatLatency(row.latencyMs)}
              </StackedCell>
            </StackedRow>
          );
        })}
      </StackedBody>
    </StackedTable>
  );
}
