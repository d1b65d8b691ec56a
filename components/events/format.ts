import { formatRelativeTime } from "@/lib/format";

/** "8 s ago" under a minute (a live log moves faster than "just now"), then as everywhere else. */
export function formatAge(date: Date, now: Date): string {
  const seconds = Math.round((now.getTime() - date.getTime()) / 1000);
  if (seconds < 5) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  return formatRelativeTime(date, now);
}

/** A response time; "—" without one, "< 1 ms" for what the millisecond clock rounds to 0. */
export function formatLatency(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1) return "< 1 ms";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

const EVENT_TYPE_LABELS: Record<string, string> = { CREATED: "Created", UPDATED: "Updated", DELETED: "Deleted", UNKNOWN: "Not recognized" };

export function eventTypeLabel(type: string): string {
  return EVENT_TYPE_LABELS[type] ?? type;
}
