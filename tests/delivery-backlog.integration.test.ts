// A delivery backlog drains at the speed of deliveries, not slower as it grows:
// - pg-boss's fetch (ORDER BY priority DESC, created_on, id LIMIT n) reads n rows of an index in that
//   order, instead of reading and sorting every waiting job (15 ms a fetch at 20 000 waiting jobs);
// - the worker's statements that read or change existing job rows are planned at each call, never
//   prepared: a prepared statement's generic plan, made while the queue was empty, walked every job row
//   to complete one job (a backlog of 10 000 drained at ~70 deliveries/s instead of ~700).
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disconnectDb } from "@/lib/db/client";
import { uuidv7 } from "@/lib/events/ids";
import { closeEventsPool, eventsPool, executorFor } from "@/lib/db/pg-pool";
import { DELIVERY_QUEUE, FETCH_ORDER_INDEX, enqueueDeliveries, ensureDeliveryQueue, resetDeliveryQueue } from "@/lib/delivery/queue";
import { startDeliveryWorker } from "@/lib/delivery/worker";
import { fixture } from "./fixtures/webhooks";
import { createTenant } from "./helpers/api";
import { databaseUrl, seedInstance, send, startIngestServer, startReceiver, waitUntil } from "./helpers/events";

beforeAll(async () => {
  await ensureDeliveryQueue();
});

afterAll(async () => {
  await closeEventsPool();
  resetDeliveryQueue();
  await disconnectDb();
});

/** pg-boss 10's fetch, as the worker runs it (captured from pg-boss, so an upgrade is followed). */
async function fetchStatement(): Promise<string> {
  const PgBoss = (await import("pg-boss")).default;
  let text = "";
  const boss = new PgBoss({
    db: {
      executeSql: async (sql: string) => {
        text = sql;
        return { rows: [] };
      },
    },
    supervise: false,
    schedule: false,
    migrate: false,
  });
  await boss.start().catch(() => undefined);
  await boss.fetch(DELIVERY_QUEUE, { batchSize: 32 });
  expect(text).toMatch(/ORDER BY priority desc, created_on, id/);
  return text;
}

describe("the fetch with a backlog", () => {
  it("reads the waiting jobs in an index in its own order, without sorting them all", async () => {
    const client = await eventsPool().connect();
    try {
      // The backlog stays inside this transaction: other test files' workers cannot take it meanwhile.
      await client.query("BEGIN");
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const jobs = Array.from({ length: 500 }, () => ({ id: uuidv7(), data: { event: uuidv7(), step: 0 } }));
        await enqueueDeliveries(executorFor(client), jobs);
        ids.push(...jobs.map((job) => job.id));
      }
      // Due already: made a minute ago (now() is this transaction's start, when they would not be).
      await client.query("UPDATE pgboss.job SET start_after = now() - interval '1 minute' WHERE name = $1 AND id = ANY($2::uuid[])", [DELIVERY_QUEUE, ids]);
      // Statistics as autovacuum would have them by now (it analyzes a table once 10 % of it changed).
      await client.query("ANALYZE pgboss.job");
      const text = await fetchStatement();
      const { rows } = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, COSTS OFF) ${text}`, [DELIVERY_QUEUE, 32]);
      const plan = rows.map((row) => row["QUERY PLAN"]).join("\n");
      expect(plan).toContain(`Index Scan using ${FETCH_ORDER_INDEX}`);
      // The jobs handed out: 32, read from the front of the index (no sort of the 3000 waiting).
      const scan = /Index Scan using hookline_deliveries_fetch_order[^\n]*actual[^\n]*rows=(\d+)/.exec(plan);
      expect(Number(scan?.[1])).toBeLessThan(100);
      expect(plan).not.toMatch(/Sort Key: job\.priority/);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });

  it("the index is there once the queue is, and making it again is harmless", async () => {
    resetDeliveryQueue();
    await ensureDeliveryQueue();
    const { rows } = await eventsPool().query("SELECT indexdef FROM pg_indexes WHERE schemaname = 'pgboss' AND indexname = $1", [FETCH_ORDER_INDEX]);
    expect(rows).toHaveLength(1);
    expect((rows[0] as { indexdef: string }).indexdef).toMatch(/\(name, priority DESC, created_on, id\) WHERE \(state < 'active'/);
  });
});

/**
 * Records, for this process, the statements that read or change job rows: named (prepared) or not, and
 * how many jobs each pg-boss fetch handed out.
 */
function recordJobStatements() {
  const named: string[] = [];
  const unnamed: string[] = [];
  const fetched: number[] = [];
  const realQuery = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const [first] = args;
    const text = typeof first === "string" ? first : ((first as { text?: string } | undefined)?.text ?? "");
    const name = typeof first === "object" && first !== null ? (first as { name?: string }).name : undefined;
    if (/\b(UPDATE|FROM)\s+pgboss\.job\b/i.test(text)) (name ? named : unnamed).push(name ? text : text.trim().slice(0, 60));
    const last = args.at(-1);
    if (/WITH next as/.test(text) && typeof last === "function") {
      // pg-pool passes a callback: count the rows the fetch returned on the way back.
      args[args.length - 1] = (error: unknown, result: { rowCount?: number } | undefined) => {
        if (!error && result?.rowCount) fetched.push(result.rowCount);
        (last as (...a: unknown[]) => void)(error, result);
      };
    }
    return (realQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof realQuery;
  return { named, unnamed, fetched, restore: () => void (pg.Client.prototype.query = realQuery) };
}

describe("the worker's statements", () => {
  async function deliverInSequence(count: number, coalesceMs?: number) {
    const tenant = await createTenant("Backlog");
    const receiver = await startReceiver();
    const ingest = await startIngestServer();
    const instance = await seedInstance(tenant, "campaignmonitor", {
      "event.notification.callback.url": receiver.url,
      "event.notification.signature.key": "k",
    });
    const recorded = recordJobStatements();
    const worker = await startDeliveryWorker({ connectionString: databaseUrl(), pollingIntervalSeconds: 0.5, allowPrivate: true, coalesceMs });
    try {
      for (let i = 0; i < count; i++) {
        const answer = await send(ingest.webhookUrl("campaignmonitor", instance.id), fixture("campaignmonitor-subscribe.json"), { "content-type": "application/json" });
        expect(answer.status).toBe(200);
      }
      await waitUntil(() => receiver.received.length >= count, 20_000, `${count} deliveries`);
    } finally {
      recorded.restore();
      await worker.stop({ graceMs: 0 });
      await Promise.all([receiver.close(), ingest.close()]);
    }
    return recorded;
  }

  it("prepares only statements that find their job by primary key, never the fetch", async () => {
    const { named, unnamed } = await deliverInSequence(5);
    // The fetches went through unprepared.
    expect(unnamed.filter((text) => /WITH next as/.test(text)).length).toBeGreaterThanOrEqual(1);
    // Each delivery's record statement: prepared, and its job update is a key lookup.
    expect(named).toHaveLength(5);
    for (const text of named) {
      expect(text).toMatch(/UPDATE pgboss\.job\s+SET completed_on = now\(\)[\s\S]*WHERE name = \$\d+\s+AND id = \(\$\d+::uuid\[\]\)\[1\]/);
      expect(text).not.toMatch(/UNNEST|ORDER BY|FROM pgboss\.job/i);
    }
  });

  it("fetches webhooks that arrive one after another together, after a short wait", async () => {
    // 8 webhooks sent one after another (a few ms apart) inside a 200 ms wait: fetched in one or two
    // fetches. Without the wait each wakes the worker, which fetches it alone.
    const { fetched } = await deliverInSequence(8, 200);
    expect(fetched.reduce((a, b) => a + b, 0)).toBe(8);
    expect(fetched.length).toBeLessThanOrEqual(3);
  });
});
