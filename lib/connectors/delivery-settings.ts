/*
 * Hookline's own delivery settings, as stored in an instance's configuration. The delivery code reads them
 * through these functions rather than by API name, so the name and the bounds live in one place (the
 * Parameters row in `shared-rows.ts` uses the same constants). Plain data and pure functions: safe anywhere.
 */

/** API name of the per-instance delivery rate limit, in deliveries per second. */
export const MAX_RATE_PARAMETER = "event.notification.max.rate";

/** What the rate may be: more than 0 (0.5 = one delivery every 2 s), at most 10000 a second. */
export const MAX_RATE_RANGE = { exclusiveMinimum: 0, maximum: 10000 } as const;

/**
 * The most deliveries per second to this instance's callback URL, or null for no limit: unset, or a value
 * validation would refuse (configuration written before the row existed is not trusted blindly).
 */
export function maxRatePerSecond(configuration: Record<string, unknown>): number | null {
  if (!Object.prototype.hasOwnProperty.call(configuration, MAX_RATE_PARAMETER)) return null;
  const value = configuration[MAX_RATE_PARAMETER];
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  return value > MAX_RATE_RANGE.exclusiveMinimum && value <= MAX_RATE_RANGE.maximum ? value : null;
}
