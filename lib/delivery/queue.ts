import PgBoss from "pg-boss";
import { z } from "zod";
import { eventsPool, executorFor, type SqlExecutor } from "@/lib/db/pg-pool";
import { log } from "@/lib/log";

/**
 * The delivery queue (pg-boss, in the `pgboss` schema of the same database). One job = one delivery try
 * of one event. Our retry schedule is explicit: a failed try completes its job and schedules the next
 * one with `startAfter`. pg-boss's own retries (`retryLimit` below) only cover a worker that died or
 * threw mid-job, which is what makes delivery at-least-once.
 */

export const DELIVERY_QUEUE = "deliveries";

export const deliveryJobSchema = z.object({
  /** The `events.id` row to deliver. */
  event: z.string().uuid(),
  /** Index into the retry schedule: 0 for the first try. */
  step: z.number().int().min(0),
  /** Sent by a person (redeliver, test): goes through even when the instance's delivery is disabled. */
  manual: z.boolean().optional(),
});

export type DeliveryJob = z.infer<typeof deliveryJobSchema>;

export const QUEUE_OPTIONS = {
  // Crash recovery only (see above): a job whose worker vanished is retried after 2–4 s, 4–8 s, 8–16 s, …
  retryLimit: 8,
  retryDelay: 2,
  retryBackoff: true,
  // Longer than a delivery can take (10 s timeout + DNS + bookkeeping); an active job older than this
  // belongs to a dead worker and pg-boss's maintenance (every 15 s) hands it out again: after a
  // `kill -9`, what was in flight goes out again within about 45 s.
  expireInSeconds: 30,
} as const;

type Producer = { boss: PgBoss };
const globalForQueue = globalThis as unknown as { hooklineQueueProducer?: Promise<Producer> };

/**
 * A pg-boss instance that only inserts jobs, over the events pool. Starting it installs (or migrates)
 * the `pgboss` schema and creates the queue, both idempotent, once per process.
 */
function producer(): Promise<Producer> {
  globalForQueue.hooklineQueueProducer ??= (async () => {
    const boss = new PgBoss({ db: executorFor(eventsPool()), supervise: false, schedule: false, migrate: true });
    boss.on("error", (error) => log("error", "delivery queue error", { error: error.message }));
    await boss.start();
    await createOrUpdateQueue(boss);
    return { boss };
  })().catch((error: unknown) => {
    globalForQueue.hooklineQueueProducer = undefined;
    throw error;
  });
  return globalForQueue.hooklineQueueProducer;
}

/** Creates the delivery queue, or brings an existing one's options up to date (they changed over releases). */
export async function createOrUpdateQueue(boss: PgBoss): Promise<void> {
  const options = { name: DELIVERY_QUEUE, ...QUEUE_OPTIONS };
  await boss.createQueue(DELIVERY_QUEUE, options);
  await boss.updateQueue(DELIVERY_QUEUE, options);
  await createFetchOrderIndex(boss.getDb());
}

/** Name of the index below (one queue, so one name in the `pgboss` schema). */
export const FETCH_ORDER_INDEX = "hookline_deliveries_fetch_order";

/**
 * pg-boss fetches `WHERE name = $1 AND state < 'active' AND start_after < now() ORDER BY priority DESC,
 * created_on, id LIMIT n`, and its own index is on `(name, start_after)`: with a backlog the planner reads
 * and sorts every waiting job to hand out n of them. At 20 000 waiting jobs a fetch took 15.4 ms, and the
 * worker fetches whenever a slot frees, so draining a backlog slowed to ~100 deliveries/s (quadratic).
 * An index in the fetch's own order lets it stop after n rows: 0.06 ms at 20 000.
 *
 * pg-boss creates the queue's partition at run time, so the index is made here, idempotently, right
 * after the queue. Two processes starting at once may both try; the loser's error is the index existing.
 */
async function createFetchOrderIndex(db: PgBoss.Db): Promise<void> {
  const { rows } = await db.executeSql("SELECT partition_name FROM pgboss.queue WHERE name = $1", [DELIVERY_QUEUE]);
  const partition = (rows[0] as { partition_name?: string } | undefined)?.partition_name;
  if (!partition || !/^[a-z0-9_]+$/.test(partition)) throw new Error(`the ${DELIVERY_QUEUE} queue has no partition table`);
  // Looked up first: even with IF NOT EXISTS, CREATE INDEX locks the table against inserts while it checks.
  const existing = await db.executeSql("SELECT 1 FROM pg_indexes WHERE schemaname = 'pgboss' AND indexname = $1", [FETCH_ORDER_INDEX]);
  if (existing.rows.length) return;
  try {
    await db.executeSql(
      `CREATE INDEX IF NOT EXISTS ${FETCH_ORDER_INDEX} ON pgboss.${partition} (name, priority DESC, created_on, id) WHERE state < 'active'`,
      [],
    );
  } catch (error) {
    const code = (error as { code?: string }).code;
    // 42P07 duplicate_table / 23505 on pg_class: created by another process in the meantime.
    if (code !== "42P07" && code !== "23505") throw error;
  }
}

/** Makes sure the queue exists before the first ingest needs it (called at start-up; cheap afterwards). */
export async function ensureDeliveryQueue(): Promise<void> {
  await producer();
}

/** Forgets the producer (tests close the pool it runs on between files). */
export function resetDeliveryQueue(): void {
  globalForQueue.hooklineQueueProducer = undefined;
}

export type NewDeliveryJob = { id: string; data: DeliveryJob; startAfterSeconds?: number };

function toInserts(jobs: readonly NewDeliveryJob[]): PgBoss.JobInsert[] {
  return jobs.map((job) => ({
    id: job.id,
    name: DELIVERY_QUEUE,
    data: job.data,
    // Relative seconds are evaluated by the database clock, so app/database clock skew cannot shift them.
    ...(job.startAfterSeconds ? { startAfter: job.startAfterSeconds.toFixed(3) } : {}),
  }));
}

/** Runs a pg-boss call against an executor that records its SQL instead of running it. */
async function captureSql(
  fakeRows: unknown[],
  call: (db: SqlExecutor) => Promise<unknown>,
): Promise<{ text: string; values: unknown[] }> {
  let captured: { text: string; values: unknown[] } | undefined;
  await call({
    async executeSql(text, values) {
      captured = { text, values: values ?? [] };
      return { rows: fakeRows };
    },
  });
  return { text: captured?.text.trim() ?? "", values: captured?.values ?? [] };
}

/**
 * pg-boss's own INSERT for `jobs` as SQL text and values, to run as a CTE of a bigger statement: the
 * ingest hot path writes the request, its events and their jobs in ONE statement (one round trip, one
 * commit, atomic by itself), measured at 2–3× the throughput of the same writes as BEGIN + three
 * statements + COMMIT. pg-boss still builds the job rows (its defaults, the queue's retry and expiry
 * policy); we capture its SQL instead of letting it run, renumber the placeholders after ours, and add
 * `RETURNING id` so the caller can check every job was inserted.
 */
export async function jobInsertStatement(
  jobs: readonly NewDeliveryJob[],
  firstPlaceholder: number,
): Promise<{ sql: string; values: unknown[] }> {
  const { boss } = await producer();
  const { text, values } = await captureSql([], (db) => boss.insert(toInserts(jobs), { db }));
  const placeholders = [...text.matchAll(/\$(\d+)/g)].map((match) => Number(match[1]));
  // pg-boss 10's insertJobs statement: one INSERT … ON CONFLICT DO NOTHING using $1…$n for its n values.
  // Anything else means an upgrade changed it, and renumbering could go wrong: fail loudly instead.
  if (!text.endsWith("ON CONFLICT DO NOTHING") || text.includes("$$") || Math.max(...placeholders) !== values.length) {
    throw new Error("unexpected pg-boss job insert SQL: check jobInsertStatement after upgrading pg-boss");
  }
  const sql = `${text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + firstPlaceholder - 1}`)} RETURNING id`;
  return { sql, values };
}

/**
 * pg-boss's UPDATE that completes jobs, as SQL text and values to run as a CTE of a bigger statement (the
 * worker records a delivery attempt and completes its job in ONE statement). Captured the same way as
 * `jobInsertStatement`, and checked just as strictly.
 */
export async function jobCompleteStatement(
  id: string,
  firstPlaceholder: number,
): Promise<{ sql: string; values: unknown[] }> {
  const { boss } = await producer();
  const { text, values } = await captureSql([{ count: "0" }], (db) => boss.complete(DELIVERY_QUEUE, id, {}, { db }));
  const key = `${firstPlaceholder}:${text}`;
  let sql = completeSql.get(key);
  if (!sql) {
    sql = rewriteCompleteSql(text, values.length, firstPlaceholder);
    completeSql.set(key, sql);
  }
  return { sql, values };
}

/** The rewritten completion SQL by placeholder offset and pg-boss text (built once, used per delivery). */
const completeSql = new Map<string, string>();

function rewriteCompleteSql(text: string, valueCount: number, firstPlaceholder: number): string {
  // pg-boss 10's completeJobs: WITH results AS (UPDATE … RETURNING *) SELECT COUNT(*) FROM results.
  const match = /^WITH results AS \(([\s\S]*UPDATE[\s\S]*RETURNING \*)\s*\)\s*SELECT COUNT\(\*\) FROM results$/.exec(text);
  const placeholders = [...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
  const unexpected = () => new Error("unexpected pg-boss job complete SQL: check jobCompleteStatement after upgrading pg-boss");
  if (!match?.[1] || text.includes("$$") || Math.max(...placeholders) !== valueCount) throw unexpected();
  // One job, by its whole primary key `(name, id)`: `id = ($n::uuid[])[1]` instead of pg-boss's
  // `id IN (SELECT UNNEST($n::uuid[]))`, so the statement can be prepared. A generic plan of the semi-join,
  // made while the queue was small, walked every job row to find one; a key lookup cannot.
  const single = match[1].trim().replace(/id IN \(SELECT UNNEST\((\$\d+)::uuid\[\]\)\)/, "id = ($1::uuid[])[1]");
  if (single === match[1].trim()) throw unexpected();
  return single.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + firstPlaceholder - 1}`);
}

/**
 * Inserts delivery jobs through `db` (a connection inside the caller's transaction), so the jobs commit
 * or roll back with the rows they deliver. Throws if pg-boss inserted fewer jobs than asked: its insert
 * silently skips jobs for a queue that does not exist, and a lost job would be a lost event.
 */
export async function enqueueDeliveries(db: SqlExecutor, jobs: readonly NewDeliveryJob[]): Promise<void> {
  if (jobs.length === 0) return;
  const { boss } = await producer();
  let inserted = 0;
  const counting: SqlExecutor = {
    async executeSql(text, values) {
      const result = await db.executeSql(text, values);
      inserted += result.rowCount ?? 0;
      return result;
    },
  };
  await boss.insert(toInserts(jobs), { db: counting });
  if (inserted !== jobs.length) throw new Error(`delivery queue accepted ${inserted} of ${jobs.length} jobs`);
}

/*
 * Local wake-up: a worker in this process polls the queue every half second; an ingest that just
 * committed jobs wakes it at once. Purely a latency shortcut: other processes find the jobs by polling.
 * Kept on globalThis because the custom server and Next's bundle each load their own copy of this module.
 */
const globalForListeners = globalThis as unknown as { hooklineEnqueueListeners?: Set<() => void> };
const listeners = (globalForListeners.hooklineEnqueueListeners ??= new Set<() => void>());

export function onEnqueued(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function notifyEnqueued(): void {
  for (const listener of listeners) listener();
}
