import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disconnectDb } from "@/lib/db/client";
import { closeEventsPool, eventsPool } from "@/lib/db/pg-pool";
import { CHANGE_KEY_HOURS, MAINTENANCE_LOCK_KEY, maintainTables } from "@/lib/delivery/maintenance";
import { createTenant, type Tenant } from "./helpers/api";
import { queueEvents, seedInstance } from "./helpers/events";

// Hookline keeps its own tables' statistics and dead rows in check, so its plans do not depend on
// autovacuum (off on this project's own PostgreSQL, and maybe on a user's).

let acme: Tenant;

// As on a server with autovacuum off: the embedded PostgreSQL of a run without DATABASE_URL has it on,
// and its ANALYZE of `events` between the insert and the check once left nothing to check (CI).
const TABLES = ["events", "delivery_jobs", "live_log_changes"];

beforeAll(async () => {
  acme = await createTenant("Maintenance Acme");
  for (const table of TABLES) await eventsPool().query(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`);
});

afterAll(async () => {
  for (const table of TABLES) await eventsPool().query(`ALTER TABLE ${table} RESET (autovacuum_enabled)`);
  await closeEventsPool();
  await disconnectDb();
});

type TableStats = { relname: string; n_dead_tup: number; n_mod_since_analyze: number; analyzed: boolean; vacuumed: boolean };

async function stats(): Promise<Map<string, TableStats>> {
  const { rows } = await eventsPool().query<TableStats>(
    `SELECT relname, n_dead_tup::int, n_mod_since_analyze::int, last_analyze IS NOT NULL AS analyzed, last_vacuum IS NOT NULL AS vacuumed
       FROM pg_stat_user_tables WHERE relname = ANY($1::text[])`,
    [TABLES],
  );
  return new Map(rows.map((row) => [row.relname, row]));
}

/** Makes this backend's table counters visible to others now (they are otherwise flushed within seconds). */
async function flushStats(): Promise<void> {
  await eventsPool().query("SELECT pg_stat_force_next_flush()");
  await new Promise((resolve) => setTimeout(resolve, 1_200));
}

describe("table upkeep", () => {
  it("analyzes a bulk-written table and vacuums a queue table full of dead rows, from PostgreSQL's own counters", async () => {
    const instance = await seedInstance(acme, "campaignmonitor", { "event.notification.callback.url": "http://127.0.0.1:9/hooks" });
    const ids = await queueEvents(instance, 3_000);
    // Finished jobs are deleted: 3,000 dead rows in the queue table.
    await eventsPool().query("DELETE FROM delivery_jobs WHERE event_id = ANY($1::uuid[])", [ids]);
    // The live log's queue: 3,000 changes announced (deleted) by a pump.
    await eventsPool().query("INSERT INTO live_log_changes (event_id, organization_id) SELECT unnest($1::uuid[]), $2", [ids, acme.organizationId]);
    await eventsPool().query("DELETE FROM live_log_changes WHERE event_id = ANY($1::uuid[])", [ids]);
    await flushStats();
    const before = await stats();
    expect(before.get("events")!.n_mod_since_analyze).toBeGreaterThanOrEqual(3_000);
    expect(before.get("delivery_jobs")!.n_dead_tup).toBeGreaterThanOrEqual(3_000);
    expect(before.get("live_log_changes")!.n_mod_since_analyze).toBeGreaterThanOrEqual(3_000);

    expect(await maintainTables()).toBe(true);
    await flushStats();
    const after = await stats();
    expect(after.get("events")).toMatchObject({ analyzed: true, n_mod_since_analyze: 0 });
    expect(after.get("delivery_jobs")).toMatchObject({ vacuumed: true });
    expect(after.get("delivery_jobs")!.n_dead_tup).toBeLessThan(100);
    expect(after.get("live_log_changes")).toMatchObject({ vacuumed: true, analyzed: true, n_mod_since_analyze: 0 });
  });

  it("deletes change keys older than a poll's high-water mark can reach, and keeps the recent ones", async () => {
    const instance = await seedInstance(acme, "connectwisecrmrest", { "event.notification.callback.url": "http://127.0.0.1:9/hooks" });
    await eventsPool().query(
      `INSERT INTO change_keys (instance_id, key, created_at) VALUES
         ($1, 'old', now() - make_interval(hours => $2 + 1)), ($1, 'recent', now() - make_interval(hours => $2 - 1))`,
      [instance.id, CHANGE_KEY_HOURS],
    );
    expect(await maintainTables()).toBe(true);
    const { rows } = await eventsPool().query<{ key: string }>("SELECT key FROM change_keys WHERE instance_id = $1", [instance.id]);
    expect(rows.map((row) => row.key)).toEqual(["recent"]);
  });

  it("lets one process at a time do it", async () => {
    const holder = await eventsPool().connect();
    try {
      await holder.query("SELECT pg_advisory_lock($1)", [MAINTENANCE_LOCK_KEY]);
      expect(await maintainTables()).toBe(false);
    } finally {
      await holder.query("SELECT pg_advisory_unlock($1)", [MAINTENANCE_LOCK_KEY]);
      holder.release();
    }
  });
});
