import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "@/lib/db/client";
import { closeEventsPool } from "@/lib/db/pg-pool";
import { DELIVERY_QUEUE, QUEUE_OPTIONS, ensureDeliveryQueue, resetDeliveryQueue } from "@/lib/delivery/queue";
import { startDeliveryWorker, type DeliveryWorker } from "@/lib/delivery/worker";
import { fixture } from "./fixtures/webhooks";
import { createTenant, type Tenant } from "./helpers/api";
import { databaseUrl, seedInstance, send, startIngestServer, startReceiver, waitUntil, type Receiver } from "./helpers/events";

// At-least-once: a worker that goes away mid-delivery (stopped, or killed with SIGKILL) loses nothing;
// another worker delivers the event, with the same eventId.

let acme: Tenant;
let ingest: Awaited<ReturnType<typeof startIngestServer>>;
let admin: PgBoss;
const receivers: Receiver[] = [];
const workers: DeliveryWorker[] = [];
let child: ChildProcess | undefined;

beforeAll(async () => {
  acme = await createTenant("Restart Acme");
  ingest = await startIngestServer();
  await ensureDeliveryQueue();
  admin = new PgBoss({ connectionString: databaseUrl(), supervise: false, schedule: false });
  await admin.start();
});

afterAll(async () => {
  child?.kill("SIGKILL");
  await Promise.all(workers.map((w) => w.stop({ graceMs: 0 })));
  await admin?.updateQueue(DELIVERY_QUEUE, { name: DELIVERY_QUEUE, expireInSeconds: QUEUE_OPTIONS.expireInSeconds });
  await admin?.stop({ graceful: false });
  await Promise.all([ingest?.close(), ...receivers.map((r) => r.close())]);
  await closeEventsPool();
  resetDeliveryQueue();
  await disconnectDb();
});

/** A receiver that holds the first request open (the delivery "in flight") and answers 200 afterwards. */
async function holdingReceiver(): Promise<Receiver> {
  const receiver = await startReceiver();
  receivers.push(receiver);
  receiver.behave((index) => (index === 0 ? { hold: true } : { status: 200 }));
  return receiver;
}

async function worker(options: { maintenanceIntervalSeconds?: number } = {}): Promise<DeliveryWorker> {
  const started = await startDeliveryWorker({ connectionString: databaseUrl(), schedule: [1, 1], pollingIntervalSeconds: 0.5, ...options });
  workers.push(started);
  return started;
}

async function ingestOne(receiver: Receiver) {
  const instance = await seedInstance(acme, "campaignmonitor", { "event.notification.callback.url": receiver.url });
  const res = await send(ingest.webhookUrl("campaignmonitor", instance.id), fixture("campaignmonitor-subscribe.json"), {
    "content-type": "application/json",
  });
  expect(res.status).toBe(200);
  return db().event.findFirstOrThrow({ where: { instanceId: instance.id } });
}

async function expectDeliveredOnce(eventRowId: string, eventId: string, receiver: Receiver) {
  await waitUntil(
    async () => (await db().event.findUniqueOrThrow({ where: { id: eventRowId } })).status === "DELIVERED",
    40_000,
    "the event to be delivered by the new worker",
  );
  expect(receiver.received.length).toBeGreaterThanOrEqual(2);
  expect(new Set(receiver.received.map((r) => r.headers["elements-webhook-id"]))).toEqual(new Set([eventId]));
  expect(receiver.answered.map((r) => r.headers["elements-webhook-id"])).toEqual([eventId]);
  const attempts = await db().deliveryAttempt.findMany({ where: { eventRowId } });
  expect(attempts).toEqual([expect.objectContaining({ statusCode: 200 })]);
}

describe("a worker going away mid-delivery", () => {
  it("stopped while the receiver holds the request: a new worker delivers the same eventId", async () => {
    const receiver = await holdingReceiver();
    const first = await worker();
    const event = await ingestOne(receiver);
    await receiver.waitFor(1);
    await first.stop({ graceMs: 0 });
    workers.splice(workers.indexOf(first), 1);
    expect((await db().event.findUniqueOrThrow({ where: { id: event.id } })).status).toBe("PENDING");

    const second = await worker();
    await expectDeliveredOnce(event.id, event.eventId, receiver);
    await second.stop();
    workers.splice(workers.indexOf(second), 1);
  }, 40_000);

  it("killed with SIGKILL while the receiver holds the request: after the job expires, a new worker delivers it", async () => {
    // Jobs made from now on expire after 12 s in the active state (60 s normally), to keep the test short.
    await admin.updateQueue(DELIVERY_QUEUE, { name: DELIVERY_QUEUE, expireInSeconds: 12 });
    const receiver = await holdingReceiver();
    // `node --import tsx`, not the tsx CLI: the CLI runs the script in a child that SIGKILL would orphan.
    child = spawn(process.execPath, ["--import", "tsx", path.resolve("tests/helpers/worker-process.ts")], {
      env: process.env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      child!.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("worker ready") && resolve());
      child!.once("exit", (code) => reject(new Error(`worker process exited with ${code}`)));
    });

    const event = await ingestOne(receiver);
    await receiver.waitFor(1);
    const exited = new Promise((resolve) => child!.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    child = undefined;
    const { rows } = await admin.getDb().executeSql(`SELECT state FROM pgboss.job WHERE id = $1`, [event.jobId]);
    expect(rows).toEqual([{ state: "active" }]);

    await worker({ maintenanceIntervalSeconds: 1 });
    await expectDeliveredOnce(event.id, event.eventId, receiver);
  }, 50_000);
});
