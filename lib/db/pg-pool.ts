import pg from "pg";
import type { PoolClient } from "pg";
import { env } from "@/lib/env";
import { log } from "@/lib/log";

/**
 * `pg.Pool`s for the event paths, raw SQL with no ORM objects in between. Each path has its own pool, so
 * one cannot hold the connections another needs:
 * - `ingestPool`: accepting webhooks (instance lookups and the one write) and nothing else;
 * - `eventsPool`: processing stored requests, delivery (claims, heartbeats, outcomes) and the manual
 *   actions on events.
 */

type PoolName = "events" | "ingest";

/** Also reserved out of the descriptors the web server may use for connections (lib/runtime/outbound-sockets.ts). */
export const POOL_MAX: Record<PoolName, number> = { events: 20, ingest: 10 };

const globalForPool = globalThis as unknown as { hooklinePgPools?: Partial<Record<PoolName, pg.Pool>> };
const pools = (globalForPool.hooklinePgPools ??= {});

function namedPool(name: PoolName, connectionString: string | undefined): pg.Pool {
  const existing = pools[name];
  if (existing) return existing;
  connectionString ??= env().DATABASE_URL;
  if (!connectionString) throw new Error("DATABASE_URL is not set: start Hookline with `npm start`, which provides one");
  const pool = new pg.Pool({ connectionString, max: POOL_MAX[name], idleTimeoutMillis: 30_000, application_name: `hookline-${name}` });
  // An idle connection dropped by the server emits here; without a listener it would crash the process.
  pool.on("error", (error) => log("warn", `${name} pool connection error`, { error: error.message }));
  pools[name] = pool;
  return pool;
}

/** Processing and delivery; created on first use from `connectionString` (a worker's own) or else `DATABASE_URL`. */
export function eventsPool(connectionString: string | undefined = undefined): pg.Pool {
  return namedPool("events", connectionString);
}

/** Accepting webhooks only. */
export function ingestPool(connectionString: string | undefined = undefined): pg.Pool {
  return namedPool("ingest", connectionString);
}

export async function closeEventsPool(): Promise<void> {
  const open = Object.values(pools);
  for (const name of Object.keys(pools) as PoolName[]) delete pools[name];
  await Promise.all(open.map((pool) => pool.end()));
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
