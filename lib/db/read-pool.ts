import pg from "pg";
import type { QueryResultRow } from "pg";
import { env } from "@/lib/env";
import { log } from "@/lib/log";

/**
 * The pool for reads people start (event log pages, search, the chart, stream catch-ups, the notify
 * hub's read-back): small, with a statement timeout and a queue timeout, and apart from `eventsPool`.
 * Twenty slow searches once held every connection ingest and the worker share and stopped both for
 * every organization (README, Reliability); here the worst they can do is make other reads wait, and
 * a read waits at most `HOOKLINE_READ_QUEUE_TIMEOUT_MS` for a connection and runs at most
 * `HOOKLINE_READ_STATEMENT_TIMEOUT_MS`.
 */

/** The read ran past the statement timeout and PostgreSQL cancelled it. */
export class ReadTimeoutError extends Error {
  constructor() {
    super("read cancelled by the statement timeout");
    this.name = "ReadTimeoutError";
  }
}

/** Every connection of the read pool stayed busy for the whole queue timeout. */
export class ReadPoolBusyError extends Error {
  constructor() {
    super("no read connection free within the queue timeout");
    this.name = "ReadPoolBusyError";
  }
}

/** The caller went away (its request's signal aborted) and the read was cancelled. */
export class ReadAbortedError extends Error {
  constructor() {
    super("read cancelled: the client went away");
    this.name = "AbortError";
  }
}

const globalForPool = globalThis as unknown as { hooklineReadPool?: pg.Pool };

/** Each read connection's backend pid, asked for when it connects: what a cancel needs. */
const backendPids = new WeakMap<pg.ClientBase, Promise<number | null>>();

export function readPool(): pg.Pool {
  return (globalForPool.hooklineReadPool ??= createReadPool());
}

function createReadPool(): pg.Pool {
  const { DATABASE_URL, HOOKLINE_READ_POOL_SIZE, HOOKLINE_READ_STATEMENT_TIMEOUT_MS, HOOKLINE_READ_QUEUE_TIMEOUT_MS } = env();
  if (!DATABASE_URL) throw new Error("DATABASE_URL is not set: start Hookline with `npm start`, which provides one");
  const pool = new pg.Pool({
    connectionString: DATABASE_URL,
    max: HOOKLINE_READ_POOL_SIZE,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: HOOKLINE_READ_QUEUE_TIMEOUT_MS,
    // Set by the server on the session: it holds for every statement, whoever sends it.
    statement_timeout: HOOKLINE_READ_STATEMENT_TIMEOUT_MS,
    application_name: "hookline-reads",
    // One core per read at most: a parallel plan would take the cores ingest and delivery need.
    options: "-c max_parallel_workers_per_gather=0",
  });
  // Each new connection asks for its backend's pid before anything else runs on it (pg queues a client's
  // queries in order), so a read whose caller goes away knows which backend to cancel.
  pool.on("connect", (client) => {
    backendPids.set(
      client,
      client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid").then(
        ({ rows }) => rows[0]?.pid ?? null,
        () => null,
      ),
    );
  });
  // A dropped idle connection emits here; unheard, it would crash the process.
  return pool.on("error", (error) => log("warn", "read pool connection error", { error: error.message }));
}

export async function closeReadPool(): Promise<void> {
  const { hooklineReadPool } = globalForPool;
  delete globalForPool.hooklineReadPool;
  await hooklineReadPool?.end();
}

const QUERY_CANCELED = "57014";

/** Stops the statement running on the backend `pid`, from a connection of its own (the pool's may all be busy). */
async function cancelBackend(pid: number): Promise<void> {
  const client = new pg.Client({ connectionString: env().DATABASE_URL, application_name: "hookline-cancel", connectionTimeoutMillis: 5_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT pg_cancel_backend($1)", [pid]);
  } catch (error) {
    // The statement timeout still ends the read; a failed cancel only costs time.
    log("warn", "could not cancel an abandoned read", { error: error instanceof Error ? error.message : String(error) });
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * One read on the read pool. When `signal` aborts mid-statement (the browser gave up), the statement is
 * cancelled with `pg_cancel_backend` and its connection discarded rather than reused: a cancel that
 * lands just after the statement ended could otherwise hit the next caller's statement.
 */
export async function readQuery<T extends QueryResultRow>(
  text: string,
  values: unknown[] = [],
  signal?: AbortSignal,
): Promise<pg.QueryResult<T>> {
  if (signal?.aborted) throw new ReadAbortedError();
  let client: pg.PoolClient;
  try {
    client = await readPool().connect();
  } catch (error) {
    if (error instanceof Error && /timeout/i.test(error.message)) throw new ReadPoolBusyError();
    throw error;
  }
  const state: { cancelling: Promise<void> | null } = { cancelling: null };
  const onAbort = () => {
    state.cancelling = (backendPids.get(client) ?? Promise.resolve(null)).then((pid) => (pid ? cancelBackend(pid) : undefined));
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  if (signal?.aborted) onAbort();
  try {
    return await client.query<T>(text, values);
  } catch (error) {
    if ((error as { code?: string }).code === QUERY_CANCELED) throw state.cancelling ? new ReadAbortedError() : new ReadTimeoutError();
    throw error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (state.cancelling) {
      await state.cancelling;
      client.release(true);
    } else {
      client.release();
    }
  }
}
