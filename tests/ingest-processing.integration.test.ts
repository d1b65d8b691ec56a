import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "@/lib/db/client";
import { closeEventsPool, eventsPool } from "@/lib/db/pg-pool";
import { startDeliveryWorker, type DeliveryWorker } from "@/lib/delivery/worker";
import { distinctCampaignMonitorBody } from "./fixtures/webhooks";
import { createTenant, type Tenant } from "./helpers/api";
import { databaseUrl, seedInstance, send, startIngestServer, startReceiver, waitUntil, type Receiver } from "./helpers/events";

// Accepting is one write (the raw request and its ingest_queue entry); processing into events follows,
// in batches, exactly once per stored request. No worker runs in this test process until a test starts
// one, so what ingest alone leaves behind can be looked at.

let acme: Tenant;
let ingest: Awaited<ReturnType<typeof startIngestServer>>;
let receiver: Receiver;
const children: ChildProcess[] = [];
const workers: DeliveryWorker[] = [];

beforeAll(async () => {
  acme = await createTenant("Processing Acme");
  ingest = await startIngestServer();
  receiver = await startReceiver();
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  await Promise.all(workers.splice(0).map((w) => w.stop({ graceMs: 0 })));
});

afterAll(async () => {
  await Promise.all([ingest?.close(), receiver?.close()]);
  await closeEventsPool();
  await disconnectDb();
});

function spawnWorker(): Promise<ChildProcess> {
  // `node --import tsx`, not the tsx CLI: the CLI runs the script in a child that SIGKILL would orphan.
  const child = spawn(process.execPath, ["--import", "tsx", path.resolve("tests/helpers/worker-process.ts")], {
    env: process.env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("worker ready") && resolve(child));
    child.once("exit", (code) => reject(new Error(`worker process exited with ${code}`)));
  });
}

async function postWebhooks(count: number) {
  const instance = await seedInstance(acme, "campaignmonitor", { "event.notification.callback.url": receiver.url });
  const answers = await Promise.all(
    Array.from({ length: count }, () => send(ingest.webhookUrl("campaignmonitor", instance.id), distinctCampaignMonitorBody(), { "content-type": "application/json" })),
  );
  expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
  return instance;
}

async function queued(instanceId: number): Promise<number> {
  const { rows } = await eventsPool().query<{ n: number }>(
    "SELECT count(*)::int AS n FROM ingest_queue q JOIN webhook_requests r ON r.id = q.request_id WHERE r.instance_id = $1",
    [instanceId],
  );
  return rows[0]!.n;
}

/** Every stored request of the instance became exactly one event (the fixture has one), delivered once. */
async function expectEachProcessedOnce(instanceId: number, count: number) {
  await waitUntil(async () => (await db().event.count({ where: { instanceId, status: "DELIVERED" } })) === count, 20_000, `${count} delivered`);
  const events = await db().event.findMany({ where: { instanceId } });
  expect(events).toHaveLength(count);
  expect(new Set(events.map((e) => e.requestId)).size).toBe(count);
  expect(await queued(instanceId)).toBe(0);
  const deliveredIds = receiver.received.map((r) => r.headers["elements-webhook-id"]).filter((id) => events.some((e) => e.eventId === id));
  expect(new Set(deliveredIds).size).toBe(count);
}

describe("store, then process", () => {
  it("answers 200 after storing the request and its queue entry only; events follow once a worker runs", async () => {
    const instance = await postWebhooks(10);
    expect(await db().webhookRequest.count({ where: { instanceId: instance.id } })).toBe(10);
    expect(await queued(instance.id)).toBe(10);
    expect(await db().event.count({ where: { instanceId: instance.id } })).toBe(0);

    workers.push(await startDeliveryWorker({ connectionString: databaseUrl(), schedule: [1], pollingIntervalSeconds: 0.1 }));
    await expectEachProcessedOnce(instance.id, 10);
  }, 30_000);

  it("a process killed while processing (after taking the requests, before committing their events) loses and duplicates nothing", async () => {
    const instance = await postWebhooks(30);
    // Hold the processor inside its transaction: inserting the events takes 2 s.
    const admin = await eventsPool().connect();
    await admin.query(`CREATE FUNCTION hookline_test_slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(2); RETURN NULL; END $$`);
    await admin.query(`CREATE TRIGGER hookline_test_slow_insert BEFORE INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION hookline_test_slow_insert()`);
    try {
      const child = await spawnWorker();
      const sleeping = async () =>
        (
          await admin.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND query LIKE '%INSERT INTO events%'",
          )
        ).rows[0]!.n;
      await waitUntil(async () => (await sleeping()) === 1, 10_000, "the worker process inside its processing transaction");
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    } finally {
      await admin.query("DROP FUNCTION hookline_test_slow_insert() CASCADE");
      admin.release();
    }
    // The dead process's transaction rolls back: its requests are queued again, with no events.
    await waitUntil(async () => (await queued(instance.id)) === 30, 10_000, "the requests back in the queue");
    expect(await db().event.count({ where: { instanceId: instance.id } })).toBe(0);

    await spawnWorker();
    await expectEachProcessedOnce(instance.id, 30);
  }, 40_000);

  it("two processes processing the same queue never process a request twice", async () => {
    const instance = await postWebhooks(300);
    await Promise.all([spawnWorker(), spawnWorker()]);
    await expectEachProcessedOnce(instance.id, 300);
  }, 60_000);
});
