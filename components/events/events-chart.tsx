"use client";

import { useEffect, useRef, useState } from "react";
import { eventStatsAction } from "@/app/(dashboard)/events/actions";
import type { EventStats } from "@/lib/live-log/schema";
import { cn } from "@/lib/utils";
import { EVENTS_ARRIVED } from "@/lib/live-log/state";

const WIDTH = 600;
const HEIGHT = 64;
const GAP = 2;
const REFRESH_MS = 30_000;
const AFTER_ARRIVAL_MS = 2_000;

function clock(iso: string): string {
  return new Date(iso).toISOString().slice(11, 16);
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(rate === 1 || rate === 0 ? 0 : 1)}%`;
}

/**
 * Events per minute over the last hour as a small SVG bar chart (delivered, failed and in-flight parts of
 * each bar), with the delivery success rate beside it. Refreshes itself every 30 s and shortly after
 * live rows arrive.
 */
export function EventsChart({ initial, instanceId, className }: { initial: EventStats; instanceId?: number; className?: string }) {
  const [stats, setStats] = useState(initial);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    let cancelled = false;
    const refresh = () => {
      clearTimeout(pending.current);
      pending.current = undefined;
      void eventStatsAction(instanceId ?? null).then((result) => {
        if (!cancelled && result.ok) setStats(result.data);
      });
    };
    const soon = () => {
      pending.current ??= setTimeout(refresh, AFTER_ARRIVAL_MS);
    };
    const timer = setInterval(refresh, REFRESH_MS);
    window.addEventListener(EVENTS_ARRIVED, soon);
    return () => {
      cancelled = true;
      clearInterval(timer);
      clearTimeout(pending.current);
      window.removeEventListener(EVENTS_ARRIVED, soon);
    };
  }, [instanceId]);

  const peak = Math.max(1, ...stats.minutes.map((minute) => minute.total));
  const barWidth = WIDTH / stats.minutes.length - GAP;
  const busiest = stats.minutes.reduce((best, minute) => (minute.total > best.total ? minute : best), stats.minutes[0]!);
  const summary =
    stats.total === 0
      ? "No events in the last hour."
      : `${stats.total} events in the last hour, at most ${busiest.total} in one minute (${clock(busiest.start)} UTC).`;

  return (
    <div className={cn("grid gap-4 rounded-lg border bg-card p-4 shadow-sm sm:grid-cols-[1fr_auto]", className)}>
      <figure className="grid min-w-0 gap-2">
        <figcaption className="flex items-baseline justify-between text-xs text-muted-foreground">
          <span className="font-medium text-foreground">Events per minute, last hour</span>
          <span>peak {busiest.total}/min</span>
        </figcaption>
        <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" className="h-16 w-full" role="img" aria-label={summary}>
          <line x1="0" x2={WIDTH} y1={HEIGHT - 0.5} y2={HEIGHT - 0.5} className="stroke-border" strokeWidth="1" />
          {stats.minutes.map((minute, index) => {
            const x = index * (barWidth + GAP);
            const scale = (count: number) => (count / peak) * (HEIGHT - 2);
            const delivered = scale(minute.delivered);
            const failed = scale(minute.failed);
            const other = scale(minute.total - minute.delivered - minute.failed);
            return (
              <g key={minute.start}>
                <title>{`${clock(minute.start)} UTC: ${minute.total} events, ${minute.delivered} delivered, ${minute.failed} failed`}</title>
                <rect x={x} y={0} width={barWidth} height={HEIGHT} className="fill-transparent" />
                <rect x={x} y={HEIGHT - delivered} width={barWidth} height={delivered} className="fill-success" />
                <rect x={x} y={HEIGHT - delivered - failed} width={barWidth} height={failed} className="fill-destructive" />
                <rect x={x} y={HEIGHT - delivered - failed - other} width={barWidth} height={other} className="fill-muted-foreground/40" />
              </g>
            );
          })}
        </svg>
        <div className="flex justify-between text-[11px] text-muted-foreground" aria-hidden>
          <span>{clock(stats.minutes[0]!.start)}</span>
          <span>{clock(stats.minutes[stats.minutes.length - 1]!.start)} UTC</span>
        </div>
      </figure>
      <dl className="grid min-w-40 content-center gap-3 border-t pt-3 sm:border-t-0 sm:border-l sm:pt-0 sm:pl-4">
        <div>
          <dt className="text-xs text-muted-foreground">Delivery success</dt>
          <dd className="text-2xl font-semibold tabular-nums">{stats.successRate === null ? "—" : percent(stats.successRate)}</dd>
        </div>
        <div className="flex gap-4 text-xs">
          <div>
            <dt className="text-muted-foreground">Events</dt>
            <dd className="font-medium tabular-nums">{stats.total}</dd>
          </div>
          <div>
            <dt className="text-muted-foreground">Failed</dt>
            <dd className="font-medium tabular-nums">{stats.failed}</dd>
          </div>
        </div>
      </dl>
    </div>
  );
}
