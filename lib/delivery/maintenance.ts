import { eventsPool } from "@/lib/db/pg-pool";
import { env } from "@/lib/env";
import { KEPT_PER_INSTANCE } from "@/lib/ingest/rejections";
import { startPeriodicTask } from "@/lib/runtime/periodic-task";

/**
 * Table upkeep that Hookline does itself rather than leaving to autovacuum, which may be off (it is on
 * this project's own test machine):
 * - the queue tables (`ingest_queue`, `delivery_jobs`, `delivery_lanes`, the live log's `live_log_changes`)
 *   see a delete or update for every insert; VACUUM keeps their dead rows from piling up under the claims'
 *   index scans, and ANALYZE keeps a long queue from being planned as the dozen rows it held when last
 *   counted (a batch picked by sorting the whole queue);
 * - ANALYZE of the tables the pipeline bulk-writes keeps the planner's row counts current, so plans
 *   chosen for a nearly empty table are not kept for a large one;
 * - refused webhooks beyond the newest 1,000 per instance are deleted and counted (lib/ingest/rejections.ts);
 * - dedup keys older than HOOKLINE_DEDUP_WINDOW_HOURS are deleted (a new request would take them over
 *   anyway; this keeps the table to one window of keys);
 * - change keys (lib/polling/change-keys.ts) older than CHANGE_KEY_HOURS are deleted: by then every
 *   poll's high-water mark has passed their change (the longest interval is a day, the longest backoff
 *   6 h), and providers have stopped retrying its webhook.
 * One process at a time does it (an advisory lock), every `intervalMs`.
 */

/** The advisory lock one maintaining process holds ("hook"). */
export const MAINTENANCE_LOCK_KEY = 0x686f6f6b;
const QUEUE_TABLES = [
  "ingest_queue",
  "delivery_jobs",
  "delivery_lanes",
  "live_log_changes",
  "webhook_dedup_keys",
  "change_keys",
  "poll_jobs",
  "poll_resources",
];
export const CHANGE_KEY_HOURS = 72;
/** Expired dedup keys deleted per pass at most, so one pass stays short. */
const EXPIRED_KEYS_PER_PASS = 50_000;
/** Refused webhooks beyond the newest KEPT_PER_INSTANCE of each instance: deleted (their events with them), counted. */
const PRUNE_REJECTED = `WITH ranked AS (
    SELECT id, instance_id, row_number() OVER (PARTITION BY instance_id ORDER BY id DESC) AS n
      FROM webhook_requests WHERE rejected_status IS NOT NULL),
  gone AS (DELETE FROM webhook_requests r USING ranked k WHERE r.id = k.id AND k.n > $1 RETURNING r.instance_id)
  UPDATE instances i SET rejected_not_kept = i.rejected_not_kept + g.n
    FROM (SELECT instance_id, count(*)::int AS n FROM gone GROUP BY instance_id) g WHERE i.id = g.instance_id`;
const DELETE_EXPIRED_KEYS = `DELETE FROM webhook_dedup_keys WHERE ctid IN (
  SELECT ctid FROM webhook_dedup_keys WHERE received_at < now() - make_interval(secs => $1::int) LIMIT $2)`;
const DELETE_OLD_CHANGE_KEYS = `DELETE FROM change_keys WHERE ctid IN (
  SELECT ctid FROM change_keys WHERE created_at < now() - make_interval(hours => $1::int) LIMIT $2)`;
const GROWING_TABLES = ["webhook_requests", "events", "delivery_attempts"];

/** What needs doing, from the statistics PostgreSQL keeps whether or not autovacuum runs. */
const DUE = `SELECT relname,
       relname = ANY($1::text[]) AND n_dead_tup > 1000 AS vacuum,
       n_mod_since_analyze > greatest(1000, 0.1 * n_live_tup) AS analyze
  FROM pg_stat_user_tables WHERE schemaname = 'public' AND relname = ANY($1::text[] || $2::text[])`;

/** Runs one pass now; resolves false when another process holds the lock. */
export async function maintainTables(): Promise<boolean> {
  const client = await eventsPool().connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [MAINTENANCE_LOCK_KEY]);
    if (!rows[0]?.locked) return false;
    try {
      await client.query(PRUNE_REJECTED, [KEPT_PER_INSTANCE]);
      await client.query(DELETE_EXPIRED_KEYS, [Math.round(env().HOOKLINE_DEDUP_WINDOW_HOURS * 3600), EXPIRED_KEYS_PER_PASS]);
      await client.query(DELETE_OLD_CHANGE_KEYS, [CHANGE_KEY_HOURS, EXPIRED_KEYS_PER_PASS]);
      const due = await client.query<{ relname: string; vacuum: boolean; analyze: boolean }>(DUE, [QUEUE_TABLES, GROWING_TABLES]);
      for (const table of due.rows) {
        // Names from the lists above only, never from input.
        if (table.vacuum) await client.query(`VACUUM (ANALYZE) ${table.relname}`);
        else if (table.analyze) await client.query(`ANALYZE ${table.relname}`);
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MAINTENANCE_LOCK_KEY]);
    }
    return true;
  } finally {
    client.release();
  }
}

export function startMaintenance(intervalMs = 30_000): { stop(): Promise<void> } {
  return startPeriodicTask("table maintenance failed", intervalMs, maintainTables);
}
