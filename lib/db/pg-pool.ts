import pg from "pg";
import type { PoolClient } from "pg";
import { env } from "@/lib/env";
import { log } from "@/lib/log";

/**
 * The one `pg.Pool` per process for the event paths (ingest, delivery bookkeeping, re-queueing). Raw SQL
 * on a pooled connection keeps the ingest hot path to a few round trips with no ORM objects in between;
 * it also lets pg-boss insert its jobs on the same connection, inside our transaction.
 */

/** Also reserved out of the descriptors the web server may use for connections (lib/runtime/outbound-sockets.ts). */
export const POOL_MAX = 20;

const globalForPool = globalThis as unknown as { hooklineEventsPool?: pg.Pool };

/** The pool, created on first use from `connectionString` (a worker's own) or else `DATABASE_URL`. */
export function eventsPool(connectionString: string | undefined = undefined): pg.Pool {
  if (globalForPool.hooklineEventsPool) return globalForPool.hooklineEventsPool;
  connectionString ??= env().DATABASE_URL;
  if (!connectionString) throw new Error("DATABASE_URL is not set: start Hookline with `npm start`, which provides one");
  const pool = new pg.Pool({ connectionString, max: POOL_MAX, idleTimeoutMillis: 30_000, application_name: "hookline-events" });
  // An idle connection dropped by the server emits here; without a listener it would crash the process.
  pool.on("error", (error) => log("warn", "events pool connection error", { error: error.message }));
  globalForPool.hooklineEventsPool = pool;
  return pool;
}

export async function closeEventsPool(): Promise<void> {
  const pool = globalForPool.hooklineEventsPool;
  globalForPool.hooklineEventsPool = undefined;
  await pool?.end();
}

/** pg-boss's executor interface, so its jobs go through a connection (and transaction) we hold. */
export type SqlExecutor = {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount?: number | null }>;
};

export function executorFor(client: Pick<PoolClient, "query">): SqlExecutor {
  return { executeSql: (text, values) => client.query(text, values) };
}

/** Runs `work` in one transaction on one pooled connection; rolls back on any error. */
export async function inTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await eventsPool().connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    client.release();
    return result;
  } catch (error) {
    // A connection that cannot even roll back is broken: destroy it rather than hand it to the next caller.
    const broken = await client.query("ROLLBACK").then(
      () => undefined,
      (rollbackError: unknown) => (rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError))),
    );
    client.release(broken);
    throw error;
  }
}
