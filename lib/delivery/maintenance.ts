import { eventsPool } from "@/lib/db/pg-pool";
import { log } from "@/lib/log";

/**
 * Table upkeep that Hookline does itself rather than leaving to autovacuum, which may be off (it is on
 * this project's own test machine):
 * - the queue tables (`ingest_queue`, `delivery_jobs`, `delivery_lanes`) see a delete or update for
 *   every insert; VACUUM keeps their dead rows from piling up under the claims' index scans;
 * - ANALYZE of the tables the pipeline bulk-writes keeps the planner's row counts current, so plans
 *   chosen for a nearly empty table are not kept for a large one.
 * One process at a time does it (an advisory lock), every `intervalMs`.
 */

/** The advisory lock one maintaining process holds ("hook"). */
export const MAINTENANCE_LOCK_KEY = 0x686f6f6b;
const QUEUE_TABLES = ["ingest_queue", "delivery_jobs", "delivery_lanes"];
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
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    running ??= maintainTables()
      .catch((error: unknown) => log("warn", "table maintenance failed", { error: String(error) }))
      .finally(() => (running = null));
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
