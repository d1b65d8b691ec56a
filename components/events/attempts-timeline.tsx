import { CircleCheck, CircleX, Clock } from "lucide-react";
import type { AttemptEntry, EventLogRow } from "@/lib/live-log/schema";
import { formatExactTime } from "@/lib/format";
import { cn } from "@/lib/utils";
import { formatAge, formatLatency } from "./format";

function succeeded(attempt: AttemptEntry): boolean {
  return attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300;
}

function Attempt({ attempt, now }: { attempt: AttemptEntry; now: Date }) {
  const ok = succeeded(attempt);
  const Icon = ok ? CircleCheck : CircleX;
  const started = new Date(attempt.startedAt);
  return (
    <li className="grid grid-cols-[auto_1fr] gap-x-3" data-attempt={attempt.attempt}>
      <Icon className={cn("mt-0.5 size-4", ok ? "text-success" : "text-destructive")} aria-hidden />
      <div className="grid min-w-0 gap-1">
        <div className="flex flex-wrap items-baseline gap-x-2 text-sm">
          <span className="font-medium">Attempt {attempt.attempt}</span>
          <span className={cn("font-mono text-xs", ok ? "text-success" : "text-destructive")}>
            {attempt.statusCode === null ? "no answer" : `HTTP ${attempt.statusCode}`}
          </span>
          {attempt.statusCode === null && attempt.latencyMs < 1 ? null : (
            <span className="text-xs text-muted-foreground">
              {attempt.statusCode === null ? `after ${formatLatency(attempt.latencyMs)}` : formatLatency(attempt.latencyMs)}
            </span>
          )}
          <time className="text-xs text-muted-foreground" dateTime={attempt.startedAt} title={formatExactTime(started)}>
            {formatAge(started, now)}
          </time>
        </div>
        {attempt.error ? <p className="text-xs text-destructive">{attempt.error}</p> : null}
        {attempt.responseExcerpt ? (
          <pre
            aria-label={`Response to attempt ${attempt.attempt}`}
            className="max-h-32 overflow-auto rounded border bg-muted/30 px-2 py-1 font-mono text-xs break-all whitespace-pre-wrap"
          >
            {attempt.responseExcerpt}
          </pre>
        ) : null}
        {attempt.url ? (
          <p className="truncate font-mono text-[11px] text-muted-foreground" title={attempt.url}>
            {attempt.url}
          </p>
        ) : null}
      </div>
    </li>
  );
}

/** Every delivery try, oldest first: when, what came back, how long it took; then the next try if one is due. */
export function AttemptsTimeline({ attempts, row, now }: { attempts: AttemptEntry[]; row: EventLogRow; now: Date }) {
  const next = row.nextAttemptAt && (row.status === "RETRYING" || row.status === "PENDING") ? new Date(row.nextAttemptAt) : null;
  return (
    <div className="grid gap-3">
      {attempts.length ? (
        <ol className="grid gap-3" aria-label="Delivery attempts">
          {attempts.map((attempt) => (
            <Attempt key={`${attempt.attempt}-${attempt.startedAt}`} attempt={attempt} now={now} />
          ))}
        </ol>
      ) : (
        <p className="text-sm text-muted-foreground">Not tried yet.</p>
      )}
      {next ? (
        <p className="flex items-center gap-3 text-sm text-muted-foreground">
          <Clock className="size-4" aria-hidden />
          <span>
            Next try{" "}
            <time dateTime={row.nextAttemptAt ?? undefined} title={formatExactTime(next)}>
              {next.getTime() <= now.getTime() ? "now" : `at ${formatExactTime(next)}`}
            </time>
          </span>
        </p>
      ) : null}
    </div>
  );
}
