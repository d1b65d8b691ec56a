import { eventsPool } from "@/lib/db/pg-pool";

/**
 * The database side of the live event log's feed (lib/live-log/notify-hub.ts is the process side). A
 * trigger (migration 20261125040000_live_log) queues the id of each new or re-statused event in the
 * unlogged `live_log_changes`, for organizations listed in `live_log_watchers` only; a process with
 * subscribers keeps their entries and announces the queue with NOTIFY in short transactions of its own,
 * so no ingest commit ever takes PostgreSQL's global notify lock.
 */

export const EVENTS_CHANNEL = "hookline_events";

/** Upserts watcher entries; returns the organizations that were not being watched (new, or lapsed at `lapsed_at`). */
const REGISTER_WATCHERS = `
  WITH wanted AS (SELECT DISTINCT unnest($1::uuid[]) AS organization_id),
  previous AS (
    SELECT w.organization_id, w.expires_at FROM live_log_watchers w JOIN wanted USING (organization_id)
  ),
  renewed AS (
    INSERT INTO live_log_watchers (organization_id, expires_at)
    SELECT organization_id, now() + make_interval(secs => $2) FROM wanted
    ON CONFLICT (organization_id) DO UPDATE SET expires_at = GREATEST(live_log_watchers.expires_at, EXCLUDED.expires_at)
    RETURNING organization_id
  )
  SELECT wanted.organization_id, (extract(epoch FROM p.expires_at) * 1000)::float8 AS lapsed_at
    FROM wanted LEFT JOIN previous p USING (organization_id)
   WHERE p.organization_id IS NULL OR p.expires_at <= now()`;

/**
 * Takes a batch of queued changes and announces their ids, at most 150 per NOTIFY (payloads stay < 8000 bytes).
 * The batch's ids are an array, so the DELETE finds them by primary key; `IN (subquery)` was planned as a
 * sequential scan of the whole queue (tests/queue-plans.integration.test.ts).
 */
export const PUMP = `
  WITH taken AS (
    DELETE FROM live_log_changes
     WHERE id = ANY(ARRAY(SELECT id FROM live_log_changes ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED))
    RETURNING event_id, organization_id
  ),
  numbered AS (
    SELECT organization_id, event_id,
           (row_number() OVER (PARTITION BY organization_id ORDER BY event_id) - 1) / 150 AS chunk
      FROM (SELECT DISTINCT organization_id, event_id FROM taken) changed
  )
  SELECT pg_notify('${EVENTS_CHANNEL}', json_build_object('org', organization_id, 'ids', json_agg(event_id))::text) AS sent,
         (SELECT count(*) FROM taken)::int AS taken
    FROM numbered GROUP BY organization_id, chunk`;

type Announcement = { org: string; ids: string[] };

/** The payload of one NOTIFY on EVENTS_CHANNEL; null when it is not one of ours. */
export function parseAnnouncement(payload: string | undefined): Announcement | null {
  try {
    const value = JSON.parse(payload ?? "") as Partial<Announcement>;
    if (typeof value.org !== "string" || !Array.isArray(value.ids)) return null;
    return { org: value.org, ids: value.ids.filter((id): id is string => typeof id === "string") };
  } catch {
    return null;
  }
}

/**
 * Keeps `organizations` watched for `seconds` more; returns those that were not (new, or lapsed at
 * `lapsedAt`): changes of theirs may have gone unqueued since.
 */
export async function registerWatchers(organizations: string[], seconds: number): Promise<{ organizationId: string; lapsedAt: number | null }[]> {
  const { rows } = await eventsPool().query<{ organization_id: string; lapsed_at: number | null }>(REGISTER_WATCHERS, [organizations, seconds]);
  return rows.map((row) => ({ organizationId: row.organization_id, lapsedAt: row.lapsed_at }));
}

/** Announces up to `batch` queued changes in one statement (atomic: on failure nothing was taken); returns how many. */
export async function announceQueuedChanges(batch: number): Promise<number> {
  const { rows } = await eventsPool().query<{ taken: number }>(PUMP, [batch]);
  return rows[0]?.taken ?? 0;
}
