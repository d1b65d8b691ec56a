import "server-only";
import { LoaderCircle, TriangleAlert } from "lucide-react";
import { PollHistoryForm } from "@/components/poll-history-form";
import { PollNowButton } from "@/components/poll-now-button";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { StackedBody, StackedCell, StackedHead, StackedRow, StackedRowHeader, StackedTable } from "@/components/ui/stacked-table";
import { formatExactTime, formatRelativeTime } from "@/lib/format";
import type { PollingStatus } from "@/lib/polling/status";
import { cn } from "@/lib/utils";

const MODES = {
  polling: {
    label: "Polling",
    text: "Hookline asks the provider's API for changes every refresh interval; no webhooks are involved.",
  },
  both: {
    label: "Webhooks + polling (reconciliation)",
    text: "Webhooks arrive as usual, and a poll every refresh interval catches changes whose webhook never came. A change seen both ways becomes one event.",
  },
  webhook: { label: "Webhooks", text: "" },
} as const satisfies Record<PollingStatus["vendorType"], { label: string; text: string }>;

const RESULTS: Record<string, { label: string; variant: "success" | "destructive" | "warning" }> = {
  OK: { label: "OK", variant: "success" },
  FAILED: { label: "Failed", variant: "destructive" },
  RATE_LIMITED: { label: "Rate limited", variant: "warning" },
};

const th = "px-4 py-2 text-left text-xs font-medium whitespace-nowrap text-muted-foreground";
const td = "px-4 py-2.5 align-top";

function minutes(value: number): string {
  return value === 1 ? "Every minute" : `Every ${value.toLocaleString("en")} minutes`;
}

function plural(count: number, one: string, other: string): string {
  return `${count.toLocaleString("en")} ${count === 1 ? one : other}`;
}

/** "in 4 minutes" for a time ahead; a poll whose time has come is "due now" (not "just now", which reads as past). */
function ahead(date: Date, now: Date): string {
  const seconds = (date.getTime() - now.getTime()) / 1000;
  if (seconds <= 0) return "due now";
  if (seconds < 60) return "in under a minute";
  return formatRelativeTime(date, now);
}

function NextPoll({ status, now }: { status: PollingStatus; now: Date }) {
  if (status.running) {
    return (
      <span className="inline-flex items-center gap-1.5" data-testid="polling-running">
        <LoaderCircle className="size-4 animate-spin" aria-hidden /> Polling now…
      </span>
    );
  }
  if (!status.nextPollAt) return <span className="text-muted-foreground">Not scheduled: events are off, so nothing is polled.</span>;
  const next = new Date(status.nextPollAt);
  return (
    <time dateTime={status.nextPollAt} title={formatExactTime(next)}>
      {ahead(next, now)} <span className="text-muted-foreground">({formatExactTime(next)})</span>
    </time>
  );
}

/**
 * An instance's polling (`event.vendor.type` polling or both; the page shows it only then): the mode,
 * the schedule, how each resource's last poll went and, for "both", how many events polling recovered.
 * That count is the number of webhooks that were lost, which nothing else shows. "Poll now" makes the
 * next poll due at once, so a person need not wait out the interval after changing something.
 */
export function PollingCard({ instanceId, status, now = new Date() }: { instanceId: number; status: PollingStatus; now?: Date }) {
  const mode = MODES[status.vendorType];
  return (
    <Card role="region" aria-labelledby="polling-title">
      <CardHeader>
        <CardTitle id="polling-title">Polling</CardTitle>
        <CardDescription>{mode.text}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <dl className="grid grid-cols-[10rem_1fr] gap-x-4 gap-y-2 text-sm max-sm:grid-cols-1">
            <dt className="text-muted-foreground">Mode</dt>
            <dd>
              <Badge variant="outline" data-testid="polling-mode">
                {mode.label}
              </Badge>
            </dd>
            <dt className="text-muted-foreground">Refresh interval</dt>
            <dd>{minutes(status.refreshIntervalMinutes)}</dd>
            <dt className="text-muted-foreground">Next poll</dt>
            <dd>
              <NextPoll status={status} now={now} />
            </dd>
          </dl>
          <div className="flex flex-wrap items-end gap-3">
            <PollNowButton instanceId={instanceId} />
            <PollHistoryForm instanceId={instanceId} />
          </div>
        </div>

        {status.consecutiveFailures > 0 ? (
          <p
            role="status"
            className="flex items-start gap-2 rounded-md border border-warning/40 bg-warning/10 px-3 py-2 text-sm"
            data-testid="polling-failures"
          >
            <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
            <span>
              {plural(status.consecutiveFailures, "failed poll", "failed polls")} in a row: Hookline waits longer between tries
              until one succeeds. The table says what went wrong.
            </span>
          </p>
        ) : null}

        {status.vendorType === "both" ? (
          <div className="grid gap-1 rounded-md border bg-muted/30 px-4 py-3" data-testid="polling-recovered">
            <p className="text-sm font-medium">
              {plural(status.recoveredLast24h, "event", "events")} recovered by polling in the last 24 h
            </p>
            <p className="text-xs text-muted-foreground">
              Each is a change a poll found that no webhook had reported, so this counts the webhooks that were lost.
            </p>
          </div>
        ) : null}

        {status.resources.length === 0 ? (
          <p className="text-sm text-muted-foreground">No resource has been polled yet.</p>
        ) : (
          <StackedTable caption="Polled resources" className="rounded-md border">
            <StackedHead>
              <th scope="col" className={th}>Resource</th>
              <th scope="col" className={th}>Last polled</th>
              <th scope="col" className={th}>Result</th>
              <th scope="col" className={cn(th, "text-right")}>Records read</th>
              <th scope="col" className={cn(th, "text-right")}>New changes</th>
              <th scope="col" className={th}>High-water mark</th>
              <th scope="col" className={th}>Message</th>
            </StackedHead>
            <StackedBody>
              {status.resources.map((resource) => {
                const polledAt = resource.lastPolledAt ? new Date(resource.lastPolledAt) : null;
                const result = resource.result ? RESULTS[resource.result] : undefined;
                return (
                  <StackedRow key={resource.resource}>
                    <StackedRowHeader className={cn(td, "text-left font-mono text-xs font-medium break-all")}>{resource.resource}</StackedRowHeader>
                    <StackedCell label="Last polled" className={cn(td, "whitespace-nowrap")}>
                      {polledAt && resource.lastPolledAt ? (
                        <time dateTime={resource.lastPolledAt} title={formatExactTime(polledAt)}>
                          {formatRelativeTime(polledAt, now)}
                        </time>
                      ) : (
                        <span className="text-muted-foreground">Never</span>
                      )}
                    </StackedCell>
                    <StackedCell label="Result" className={td}>
                      {resource.result ? (
                        <Badge variant={result?.variant ?? "secondary"} className="whitespace-nowrap" data-result={resource.result.toLowerCase()}>
                          {result?.label ?? resource.result}
                        </Badge>
                      ) : (
                        <span className="text-muted-foreground">—</span>
                      )}
                    </StackedCell>
                    <StackedCell label="Records read" className={cn(td, "text-right tabular-nums")}>
                      {resource.records.toLocaleString("en")}
                    </StackedCell>
                    <StackedCell label="New changes" className={cn(td, "text-right tabular-nums")}>
                      {resource.changes.toLocaleString("en")}
                    </StackedCell>
                    <StackedCell label="High-water mark" className={cn(td, "whitespace-nowrap font-mono text-xs")}>
                      <time dateTime={resource.highWaterMark}>{formatExactTime(new Date(resource.highWaterMark))}</time>
                    </StackedCell>
                    <StackedCell label="Message" className={cn(td, "text-xs break-words text-muted-foreground")}>
                      {resource.message ?? "—"}
                    </StackedCell>
                  </StackedRow>
                );
              })}
            </StackedBody>
          </StackedTable>
        )}
        <p className="text-xs text-muted-foreground">
          The high-water mark is the newest change each resource has been read up to; the next poll reads changes from there on.
        </p>
      </CardContent>
    </Card>
  );
}
