import type pg from "pg";
import { ReadPoolBusyError, readQuery, ReadTimeoutError } from "@/lib/db/read-pool";
import {
  ATTENTION_LIMIT,
  cappedCount,
  COUNT_CAP,
  HOUR_MS,
  hourBuckets,
  overviewInput,
  WINDOW_HOURS,
  type AttentionItem,
  type InstanceCounts,
  type Overview,
  type OverviewInput,
  type Traffic,
} from "@/lib/overview/schema";
import { eventLogFiltersToQuery, LOG_STATUSES, type EventLogFilters } from "@/lib/live-log/schema";

/**
 * The Overview's reads (server only), on the read pool for people (lib/db/read-pool.ts: statement and
 * queue timeouts, never the pool ingest and delivery use). Every statement is scoped to one
 * organization and bounded, so it costs the same at 1 M events as at 1 k:
 * - instances: the organization's rows (`instances_organization_id_created_at_idx`), lanes by primary key;
 * - events per hour: the last 24 hours of `events_organization_id_status_created_at_id_idx`, one
 *   range per status, index only (the status is in the index);
 * - delivery attempts: events tried in the last 24 hours (the partial index on
 *   `(organization_id, last_attempt_at)`), their attempts by `delivery_attempts_event_id_started_at_idx`;
 * - dead and retrying events: counted up to COUNT_CAP (a LIMIT under the count) on the status index.
 * A section that cannot be read in time is left out (null), not turned into an error page.
 */

/** The event log filtered as given: where an item links to. */
function eventsHref(filters: EventLogFilters): string {
  const query = eventLogFiltersToQuery(filters);
  return query ? `/events?${query}` : "/events";
}

function read<T extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<T[]> {
  return readQuery<T>(text, values).then((result) => result.rows);
}

/** `section`'s value, or `fallback` when the read pool was busy or the statement ran out of time. */
async function orFallback<T>(section: Promise<T>, fallback: T): Promise<T> {
  try {
    return await section;
  } catch (error) {
    if (error instanceof ReadTimeoutError || error instanceof ReadPoolBusyError) return fallback;
    throw error;
  }
}

async function instanceCounts(organizationId: string): Promise<InstanceCounts> {
  const [row] = await read<InstanceCounts>(
    `SELECT count(*)::int AS total,
            count(*) FILTER (WHERE status = 'ACTIVE')::int AS active,
            count(*) FILTER (WHERE status = 'PENDING_AUTHORIZATION')::int AS "pendingAuthorization",
            count(*) FILTER (WHERE status = 'NEEDS_REAUTHORIZATION')::int AS "needsReauthorization",
            count(*) FILTER (WHERE events_enabled)::int AS "eventsOn"
       FROM instances WHERE organization_id = $1::uuid`,
    [organizationId],
  );
  return row ?? { total: 0, active: 0, pendingAuthorization: 0, needsReauthorization: 0, eventsOn: 0 };
}

type HourRow = { bucket: number | null; events?: number; attempts?: number; succeeded?: number; p95?: number | null };

async function traffic(organizationId: string, now: Date): Promise<Traffic> {
  const since = new Date(now.getTime() - WINDOW_HOURS * HOUR_MS);
  const bucket = (column: string) => `floor(extract(epoch FROM (${column} - $2::timestamptz)) / 3600)::int`;
  const [events, attempts] = await Promise.all([
    read<HourRow>(
      `SELECT ${bucket("e.created_at")} AS bucket, count(*)::int AS events
         FROM events e
        WHERE e.organization_id = $1::uuid AND e.status = ANY($3::"EventStatus"[])
          AND e.created_at >= $2::timestamptz AND e.created_at <= $4::timestamptz
        GROUP BY 1`,
      // Refused webhooks are no events: they are counted under "needs attention".
      [organizationId, since, LOG_STATUSES.filter((status) => status !== "REJECTED"), now],
    ),
    // The events tried in the window first (materialized), then each one's attempts by its index
    // (LATERAL … OFFSET 0 cannot be flattened): left to itself the planner hash-joined a sequential scan
    // of every attempt (417 ms at 1.26 M attempts; this form: see the README's Overview figures).
    // GROUPING SETS: per hour, and () for the whole window's p95 (its bucket is null).
    read<HourRow>(
      `WITH tried AS MATERIALIZED (
         SELECT e.id FROM events e
          WHERE e.organization_id = $1::uuid AND e.last_attempt_at >= $2::timestamptz AND e.last_attempt_at IS NOT NULL)
       SELECT ${bucket("a.started_at")} AS bucket, count(*)::int AS attempts,
              count(*) FILTER (WHERE a.error IS NULL AND a.status_code BETWEEN 200 AND 299)::int AS succeeded,
              percentile_disc(0.95) WITHIN GROUP (ORDER BY a.latency_ms) AS p95
         FROM tried t CROSS JOIN LATERAL (
                SELECT a.started_at, a.error, a.status_code, a.latency_ms FROM delivery_attempts a
                 WHERE a.event_id = t.id AND a.started_at >= $2::timestamptz AND a.started_at <= $3::timestamptz OFFSET 0) a
        GROUP BY GROUPING SETS ((1), ())`,
      [organizationId, since, now],
    ),
  ]);
  const byBucket = new Map<number, HourRow>();
  for (const row of events) if (row.bucket !== null) byBucket.set(row.bucket, { ...row });
  for (const row of attempts) {
    if (row.bucket === null) continue;
    byBucket.set(row.bucket, { ...byBucket.get(row.bucket), ...row, events: byBucket.get(row.bucket)?.events ?? 0 });
  }
  const hours = hourBuckets(since, byBucket);
  const whole = attempts.find((row) => row.bucket === null);
  const totalAttempts = whole?.attempts ?? 0;
  const succeeded = whole?.succeeded ?? 0;
  return {
    since: since.toISOString(),
    hours,
    events: hours.reduce((sum, hour) => sum + hour.events, 0),
    attempts: totalAttempts,
    succeeded,
    successRate: totalAttempts > 0 ? succeeded / totalAttempts : null,
    p95LatencyMs: totalAttempts > 0 ? (whole?.p95 ?? null) : null,
  };
}

type InstanceProblemRow = {
  id: number;
  name: string;
  status: string;
  subscription_status: string;
  subscription_error: string | null;
  auth_error: string | null;
  delivery_disabled_at: Date | null;
  lane_state: string | null;
  consecutive_failures: number | null;
  pause_reason: string | null;
};

/** One item per problem of each instance that has any (at most ATTENTION_LIMIT instances). */
async function instanceProblems(organizationId: string): Promise<AttentionItem[]> {
  const rows = await read<InstanceProblemRow>(
    `SELECT i.id, i.name, i.status, i.subscription_status, i.subscription_error, i.auth_error, i.delivery_disabled_at,
            l.state AS lane_state, l.consecutive_failures, l.pause_reason
       FROM instances i LEFT JOIN delivery_lanes l ON l.instance_id = i.id
      WHERE i.organization_id = $1::uuid
        AND (i.status = 'NEEDS_REAUTHORIZATION' OR i.subscription_status = 'FAILED' OR i.delivery_disabled_at IS NOT NULL
             OR l.state = 'PAUSED' OR l.consecutive_failures > 0)
      ORDER BY i.name, i.id LIMIT $2`,
    [organizationId, ATTENTION_LIMIT],
  );
  return rows.flatMap((row) => {
    const href = `/instances/${row.id}`;
    const items: AttentionItem[] = [];
    if (row.status === "NEEDS_REAUTHORIZATION") {
      items.push({ kind: "reauthorize", title: `${row.name} needs re-authorization`, detail: row.auth_error, href });
    }
    if (row.delivery_disabled_at) {
      items.push({ kind: "disabled", title: `Deliveries to ${row.name} are off`, detail: "The callback URL answered 410 Gone.", href });
    } else if (row.lane_state === "PAUSED") {
      items.push({ kind: "paused", title: `Deliveries to ${row.name} are paused`, detail: row.pause_reason, href });
    } else if ((row.consecutive_failures ?? 0) > 0) {
      const failures = row.consecutive_failures ?? 0;
      items.push({
        kind: "failing",
        title: `Deliveries to ${row.name} are failing`,
        detail: `${failures} failed ${failures === 1 ? "attempt" : "attempts"} in a row.`,
        href: eventsHref({ instance: row.id, status: "RETRYING" }),
      });
    }
    if (row.subscription_status === "FAILED") {
      items.push({ kind: "subscription", title: `Webhook registration failed for ${row.name}`, detail: row.subscription_error, href });
    }
    return items;
  });
}

/** Dead and retrying events of the organization, and webhooks refused in the last 24 h, each count capped at COUNT_CAP. */
async function eventProblems(organizationId: string, now: Date): Promise<AttentionItem[]> {
  const capped = (status: string, recent = "") =>
    `(SELECT count(*)::int FROM (SELECT 1 FROM events WHERE organization_id = $1::uuid AND status = '${status}'${recent} LIMIT $2) x)`;
  const [row] = await read<{ dead: number; retrying: number; rejected: number }>(
    `SELECT ${capped("DEAD")} AS dead, ${capped("RETRYING")} AS retrying,
            ${capped("REJECTED", " AND created_at >= $3::timestamptz AND created_at <= $4::timestamptz")} AS rejected`,
    [organizationId, COUNT_CAP, new Date(now.getTime() - WINDOW_HOURS * HOUR_MS), now],
  );
  const items: AttentionItem[] = [];
  if (row && row.dead > 0) {
    items.push({
      kind: "dead",
      title: `${cappedCount(row.dead)} dead ${row.dead === 1 ? "event" : "events"}`,
      detail: "Every retry failed; redeliver them from the log once the receiver works.",
      href: eventsHref({ status: "DEAD" }),
    });
  }
  if (row && row.retrying > 0) {
    items.push({
      kind: "retrying",
      title: `${cappedCount(row.retrying)} ${row.retrying === 1 ? "event" : "events"} waiting for a retry`,
      detail: null,
      href: eventsHref({ status: "RETRYING" }),
    });
  }
  if (row && row.rejected > 0) {
    items.push({
      kind: "rejected",
      title: `${cappedCount(row.rejected)} ${row.rejected === 1 ? "webhook" : "webhooks"} refused in the last 24 hours`,
      detail: "A bad signature, a sender outside the allow-list, a body too large or events turned off: see why in the log.",
      href: eventsHref({ status: "REJECTED" }),
    });
  }
  return items;
}

const NO_INSTANCES: InstanceCounts = { total: 0, active: 0, pendingAuthorization: 0, needsReauthorization: 0, eventsOn: 0 };

/** Everything the Overview shows for one organization. */
export async function loadOverview(input: OverviewInput): Promise<Overview> {
  const { organizationId, now } = overviewInput.parse(input);
  const [instances, trafficFigures, instanceItems, eventItems] = await Promise.all([
    orFallback(instanceCounts(organizationId), NO_INSTANCES),
    orFallback<Traffic | null>(traffic(organizationId, now), null),
    orFallback(instanceProblems(organizationId), []),
    orFallback(eventProblems(organizationId, now), []),
  ]);
  return { instances, traffic: trafficFigures, attention: [...instanceItems, ...eventItems] };
}
