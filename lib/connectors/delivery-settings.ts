/*
 * Hookline's own delivery settings, as stored in an instance's configuration: the name and the bounds
 * in one place (the Parameters row in `shared-rows.ts` uses them). The claim function of the delivery
 * queue (migration 20261206100000_pipeline_v2) reads the stored JSON number as the lane's rate; anything
 * else there means no limit. Plain data: safe anywhere.
 */

/** API name of the per-instance delivery rate limit, in deliveries per second. */
export const MAX_RATE_PARAMETER = "event.notification.max.rate";

/** What the rate may be: more than 0 (0.5 = one delivery every 2 s), at most 10000 a second. */
export const MAX_RATE_RANGE = { exclusiveMinimum: 0, maximum: 10000 } as const;
