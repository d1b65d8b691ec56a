import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "@/lib/db/client";
import { closeEventsPool, eventsPool } from "@/lib/db/pg-pool";
import { startDeliveryWorker, type DeliveryWorker } from "@/lib/delivery/worker";
import { fixture } from "./fixtures/webhooks";
import { createTenant, type Tenant } from "./helpers/api";
import { databaseUrl, seedInstance, send, startIngestServer, startReceiver, waitUntil, type Receiver } from "./helpers/events";

// At-least-once: a worker that goes away mid-delivery (stopped, or killed with SIGKILL) loses nothing;
// another worker delivers the event, with the same eventId, once the dead worker's lease has run out
// (it renewed it by heartbeat while alive): seconds, not a queue's 30 s expiry.

const LEASE_SECONDS = 3;

let acme: Tenant;
let ingest: Awaited<ReturnType<typeof startIngestServer>>;
const receivers: Receiver[] = [];
const workers: DeliveryWorker[] = [];
let child: ChildProcess | undefined;

beforeAll(async () => {
  acme = await createTenant("Restart Acme");
  ingest = await startIngestServer();
});

afterAll(async () => {
  child?.kill("SIGKILL");
  await Promise.all(workers.map((w) => w.stop({ graceMs: 0 })));
  await Promise.all([ingest?.close(), ...receivers.map((r) => r.close())]);
  await closeEventsPool();
  await disconnectDb();
});

/** A receiver that holds the first request open (the delivery "in flight") and answers 200 afterwards. */
async function holdingReceiver(): Promise<Receiver> {
  const receiver = await startReceiver();
  receivers.push(receiver);
  receiver.behave((index) => (index === 0 ? { hold: true } : { status: 200 }));
  return receiver;
}

async function worker(): Promise<DeliveryWorker> {
  const started = await startDeliveryWorker({
    connectionString: databaseUrl(),
    schedule: [1, 1],
    pollingIntervalSeconds: 0.25,
    leaseSeconds: LEASE_SECONDS,
  });
  workers.push(started);
  return started;
}

async function ingestOne(receiver: Receiver) {
  const instance = await seedInstance(acme, "campaignmonitor", { "event.notification.callback.url": receiver.url });
  const res = await send(ingest.webhookUrl("campaignmonitor", instance.id), fixture("campaignmonitor-subscribe.json"), {
    "content-type": "application/json",
  });
  expect(res.status).toBe(200);
  await waitUntil(async () => (await db().event.count({ where: { instanceId: instance.id } })) === 1, 10_000, "the webhook processed");
  return db().event.findFirstOrThrow({ where: { instanceId: instance.id } });
}

/** The job's lease: held by a worker while it delivers, renewed by its heartbeat (`expires`: epoch seconds). */
async function leaseOf(eventRowId: string): Promise<{ lease: string | null; expires: number } | undefined> {
  const { rows } = await eventsPool().query<{ lease: string | null; expires: number }>(
    "SELECT lease, extract(epoch FROM run_at)::float8 AS expires FROM delivery_jobs WHERE event_id = $1",
    [eventRowId],
  );
  return rows[0];
}

async function expectDeliveredOnce(eventRowId: string, eventId: string, receiver: Receiver, withinMs: number) {
  await waitUntil(
    async () => (await db().event.findUniqueOrThrow({ where: { id: eventRowId } })).status === "DELIVERED",
    withinMs,
    `the event to be delivered by the new worker within ${withinMs} ms`,
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
    expect((await leaseOf(event.id))?.lease).not.toBeNull();

    const second = await worker();
    // Handed out again within the lease (plus a poll and the delivery itself).
    await expectDeliveredOnce(event.id, event.eventId, receiver, LEASE_SECONDS * 1000 + 2000);
    await second.stop();
    workers.splice(workers.indexOf(second), 1);
  }, 40_000);

  it("killed with SIGKILL while the receiver holds the request: a new worker delivers it once the lease runs out", async () => {
    const receiver = await holdingReceiver();
    // `node --import tsx`, not the tsx CLI: the CLI runs the script in a child that SIGKILL would orphan.
    child = spawn(process.execPath, ["--import", "tsx", path.resolve("tests/helpers/worker-process.ts")], {
      env: { ...process.env, HOOKLINE_DELIVERY_LEASE_SECONDS: String(LEASE_SECONDS) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      child!.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("worker ready") && resolve());
      child!.once("exit", (code) => reject(new Error(`worker process exited with ${code}`)));
    });

    const event = await ingestOne(receiver);
    await receiver.waitFor(1);
    // While the worker lives, its heartbeat pushes the lease on (without it, it would run out after 3 s).
    const claimed = await leaseOf(event.id);
    await new Promise((resolve) => setTimeout(resolve, LEASE_SECONDS * 1000 + 500));
    const renewed = await leaseOf(event.id);
    expect(renewed?.lease).toBe(claimed?.lease);
    expect(renewed!.expires).toBeGreaterThan(claimed!.expires + 1);
    const exited = new Promise((resolve) => child!.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    child = undefined;
    expect((await leaseOf(event.id))?.lease).not.toBeNull();

    await worker();
    await expectDeliveredOnce(event.id, event.eventId, receiver, LEASE_SECONDS * 1000 + 2000);
  }, 50_000);
});
