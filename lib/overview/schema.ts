import { z } from "zod";

/**
 * What the Overview shows (lib/overview/query.ts reads it): the organization's instances by state, the
 * last 24 hours of events and deliveries, and what needs someone's attention.
 */

/** The overview's window and its chart's buckets: the last 24 hours, one bar per hour. */
export const WINDOW_HOURS = 24;
export const HOUR_MS = 3_600_000;
/** Counts of problem events stop here ("1,000+"): counting every dead event of years would not be cheap. */
export const COUNT_CAP = 1000;
/** Instances listed under "Needs attention" at most. */
export const ATTENTION_LIMIT = 20;

export const overviewInput = z.object({
  organizationId: z.uuid(),
  now: z.date().default(() => new Date()),
});
export type OverviewInput = z.input<typeof overviewInput>;

export type InstanceCounts = {
  total: number;
  active: number;
  pendingAuthorization: number;
  needsReauthorization: number;
  eventsOn: number;
};

export type HourBucket = {
  /** ISO start of the hour bucket (the window's start plus whole hours). */
  start: string;
  events: number;
  /** Delivery attempts made in this hour, and how many the receiver accepted (2xx). */
  attempts: number;
  succeeded: number;
};

export type Traffic = {
  since: string;
  hours: HourBucket[];
  events: number;
  attempts: number;
  succeeded: number;
  /** succeeded / attempts, null without attempts. */
  successRate: number | null;
  /** 95th percentile of the attempts' latency, null without attempts. */
  p95LatencyMs: number | null;
};

export type AttentionKind = "dead" | "retrying" | "rejected" | "paused" | "failing" | "disabled" | "subscription" | "reauthorize";

export type AttentionItem = {
  kind: AttentionKind;
  title: string;
  detail: string | null;
  href: string;
};

export type Overview = {
  instances: InstanceCounts;
  /** null when the figures could not be read in time (the rest of the page still renders). */
  traffic: Traffic | null;
  attention: AttentionItem[];
};

/** `count` as shown, "1,000+" at the cap. */
export function cappedCount(count: number): string {
  return count >= COUNT_CAP ? `${COUNT_CAP.toLocaleString("en")}+` : count.toLocaleString("en");
}

/** The 24 hour buckets from `since`, filled from the rows the query found (by bucket index 0 … 23). */
export function hourBuckets(since: Date, rows: ReadonlyMap<number, { events?: number; attempts?: number; succeeded?: number }>): HourBucket[] {
  return Array.from({ length: WINDOW_HOURS }, (_, index) => {
    const row = rows.get(index);
    return {
      start: new Date(since.getTime() + index * HOUR_MS).toISOString(),
      events: row?.events ?? 0,
      attempts: row?.attempts ?? 0,
      succeeded: row?.succeeded ?? 0,
    };
  });
}
