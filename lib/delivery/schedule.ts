/**
 * When the next try of a failed delivery happens. `schedule[step]` is the delay in seconds after try
 * number `step + 1` failed; once every delay is used the event is dead. ±20 % jitter spreads the retries
 * of many events that failed together (a receiver outage) so they do not all return at the same second.
 */

export const DEFAULT_SCHEDULE: readonly number[] = [5, 30, 120, 600, 1800, 3600, 7200, 21600, 43200, 86400];
export const JITTER = 0.2;

/** Seconds until the next try after failed try `step` (0-based), or null when there is none. */
export function nextDelaySeconds(schedule: readonly number[], step: number, random: () => number = Math.random): number | null {
  const base = schedule[step];
  if (base === undefined) return null;
  return base * (1 - JITTER + random() * 2 * JITTER);
}
