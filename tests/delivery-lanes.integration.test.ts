import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "@/lib/db/client";
import { closeEventsPool, eventsPool } from "@/lib/db/pg-pool";
import { laneStates } from "@/lib/delivery/lanes";
import { startDeliveryWorker, type DeliveryWorker } from "@/lib/delivery/worker";
import { resumeDelivery } from "@/lib/events/service";
import { createTenant, type Tenant } from "./helpers/api";
import { databaseUrl, queueEvents, seedInstance, startReceiver, waitUntil, type Receiver } from "./helpers/events";

// Delivery lanes: one per instance. A backlog, a slow or a dead receiver on one instance must not delay
// another's deliveries; each lane has a concurrency cap that holds across processes, an optional rate,
// and a circuit breaker that pauses it after consecutive failures and probes until the receiver is back.

let acme: Tenant;
const receivers: Receiver[] = [];
let workers: DeliveryWorker[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  acme = await createTenant("Lanes Acme");
});

afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop({ graceMs: 0 })));
  workers = [];
  for (const child of children.splice(0)) child.kill("SIGKILL");
  // Whatever a test left waiting must not be delivered into the next one.
  await eventsPool().query("DELETE FROM delivery_jobs");
});

afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await closeEventsPool();
  await disconnectDb();
});

async function receiver(behaviour: Parameters<Receiver["behave"]>[0] = () => ({ status: 200 })): Promise<Receiver> {
  const started = await startReceiver();
  started.behave(behaviour);
  receivers.push(started);
  return started;
}

async function worker(options: Partial<Parameters<typeof startDeliveryWorker>[0]> = {}): Promise<DeliveryWorker> {
  const started = await startDeliveryWorker({
    connectionString: databaseUrl(),
    schedule: [60],
    pollingIntervalSeconds: 0.1,
    concurrency: 16,
    process: false,
    ...options,
  });
  workers.push(started);
  return started;
}

function instance(url: string, extra: Record<string, unknown> = {}) {
  return seedInstance(acme, "campaignmonitor", { "event.notification.callback.url": url, ...extra });
}

async function statusCounts(instanceId: number): Promise<Record<string, number>> {
  const rows = await db().event.groupBy({ by: ["status"], where: { instanceId }, _count: true });
  return Object.fromEntries(rows.map((row) => [row.status, row._count]));
}

describe("fairness", () => {
  it("delivers a quiet instance's events at once while another lane has a backlog to a slow receiver and a third a dead one", async () => {
    const slow = await receiver(() => ({ status: 200, delayMs: 300 }));
    const dead = await receiver();
    await dead.stop(); // connections refused
    const quiet = await receiver();
    const a = await instance(slow.url);
    const c = await instance(dead.url);
    const b = await instance(quiet.url);
    await queueEvents(a, 500);
    await queueEvents(c, 500);
    await worker();
    await slow.waitFor(4);

    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const [id] = await queueEvents(b, 1);
      const started = Date.now();
      await waitUntil(async () => (await db().event.findUniqueOrThrow({ where: { id } })).status === "DELIVERED", 5_000, "B's event delivered");
      latencies.push(Date.now() - started);
    }
    // Without lanes, B's events wait behind 1000 others (a 300 ms receiver at 16 slots: seconds each).
    expect(Math.max(...latencies)).toBeLessThan(1_000);
    // A's lane never had more than its cap in flight, whatever the worker's free slots.
    expect(slow.maxConcurrent()).toBeLessThanOrEqual(4);
  }, 40_000);
});

describe("circuit breaker", () => {
  it("pauses a lane after N consecutive failures, keeps its events in place, probes, and resumes on the first success", async () => {
    let healthy = false;
    const flaky = await receiver(() => (healthy ? { status: 200 } : { status: 503 }));
    const target = await instance(flaky.url);
    const ids = await queueEvents(target, 30);
    await worker({ breakerThreshold: 5, probeSeconds: 1, schedule: [0.2, 0.2, 0.2, 0.2, 0.2, 0.2] });

    await waitUntil(async () => (await laneStates([target.id])).get(target.id)?.state === "PAUSED", 10_000, "the lane to pause");
    const paused = (await laneStates([target.id])).get(target.id)!;
    expect(paused.reason).toMatch(/503/);
    expect(paused.since).not.toBeNull();
    // Paused: one probe a second, not the retry schedule of 30 events (at 0.2 s it would be ~150 tries).
    const before = flaky.received.length;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(flaky.received.length - before).toBeLessThanOrEqual(4);
    expect((await statusCounts(target.id)).DEAD ?? 0).toBe(0);

    healthy = true;
    await waitUntil(async () => (await statusCounts(target.id)).DELIVERED === ids.length, 10_000, "every event delivered after recovery");
    expect((await laneStates([target.id])).get(target.id)).toBeUndefined();
  }, 30_000);

  it("stops a lane whose receiver refuses connections within the threshold plus the lane's cap of tries", async () => {
    const dead = await receiver();
    await dead.stop(); // refused at once: failures come back faster than they are recorded
    const target = await instance(dead.url);
    await queueEvents(target, 200);
    // Recording is held up for a second (as on a loaded database): answers keep coming back meanwhile.
    const blocker = await eventsPool().connect();
    await blocker.query("BEGIN; LOCK TABLE delivery_attempts IN EXCLUSIVE MODE");
    await worker({ breakerThreshold: 5, probeSeconds: 3_600, schedule: [3_600], laneConcurrency: 4 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await blocker.query("COMMIT");
    blocker.release();
    await waitUntil(async () => (await laneStates([target.id])).get(target.id)?.state === "PAUSED", 10_000, "the lane to pause");
    await new Promise((resolve) => setTimeout(resolve, 500));
    const counted = await eventsPool().query<{ tries: number }>(
      "SELECT count(*)::int AS tries FROM delivery_attempts a JOIN events e ON e.id = a.event_id WHERE e.instance_id = $1",
      [target.id],
    );
    const tries = counted.rows[0]!.tries;
    // Each failed answer holds its lane slot until it is counted, so at most 4 more go out meanwhile.
    expect(tries).toBeGreaterThanOrEqual(5);
    expect(tries).toBeLessThanOrEqual(5 + 4);
  }, 30_000);

  it("'Resume now' closes the breaker at once, without waiting for the probe", async () => {
    let healthy = false;
    const flaky = await receiver(() => (healthy ? { status: 200 } : { status: 500 }));
    const target = await instance(flaky.url);
    await queueEvents(target, 10);
    await worker({ breakerThreshold: 3, probeSeconds: 3_600, schedule: [3_600] });
    await waitUntil(async () => (await laneStates([target.id])).get(target.id)?.state === "PAUSED", 10_000, "the lane to pause");

    healthy = true;
    await resumeDelivery({ organizationId: acme.organizationId, userId: acme.userId }, target.id);
    // Retries scheduled an hour out are released too.
    await waitUntil(async () => (await statusCounts(target.id)).DELIVERED === 10, 10_000, "all 10 delivered after resume");
  }, 30_000);
});

describe("rate limit", () => {
  it("keeps a lane to event.notification.max.rate deliveries per second", async () => {
    const fast = await receiver();
    const target = await instance(fast.url, { "event.notification.max.rate": 10 });
    await queueEvents(target, 25);
    const started = Date.now();
    await worker();
    await waitUntil(async () => (await statusCounts(target.id)).DELIVERED === 25, 15_000, "25 delivered");
    // 10 at once (one second's worth), then one every 100 ms: at least ~1.5 s, where unlimited takes ~0.1 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
  }, 30_000);
});

describe("two worker processes", () => {
  function spawnWorker(): Promise<void> {
    const child = spawn(process.execPath, ["--import", "tsx", path.resolve("tests/helpers/worker-process.ts")], {
      env: { ...process.env, HOOKLINE_WORKER_CONCURRENCY: "32", HOOKLINE_LANE_CONCURRENCY: "4" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(child);
    return new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("worker ready") && resolve());
      child.once("exit", (code) => reject(new Error(`worker process exited with ${code}`)));
    });
  }

  it("share the lanes: no delivery claimed twice at the same time, and the per-lane cap holds across both", async () => {
    const slow = await receiver(() => ({ status: 200, delayMs: 50 }));
    const lanes = await Promise.all([1, 2, 3].map(() => instance(slow.url)));
    let laneMax = 0;
    const inFlight = new Map<string, number>();
    // Count in flight per lane at the receiver, by instance (queueEvents puts it in the eventId).
    slow.behave((_index, request) => {
      const lane = request.headers["elements-webhook-id"]!.split("-")[1]!;
      const now = (inFlight.get(lane) ?? 0) + 1;
      inFlight.set(lane, now);
      laneMax = Math.max(laneMax, now);
      setTimeout(() => inFlight.set(lane, (inFlight.get(lane) ?? 1) - 1), 50);
      return { status: 200, delayMs: 50 };
    });
    await Promise.all([spawnWorker(), spawnWorker()]);
    await Promise.all(lanes.map((lane) => queueEvents(lane, 60)));
    await waitUntil(async () => {
      const counts = await Promise.all(lanes.map((lane) => statusCounts(lane.id)));
      return counts.every((c) => c.DELIVERED === 60);
    }, 30_000, "180 events delivered by the two processes");
    const ids = slow.received.map((r) => r.headers["elements-webhook-id"]);
    expect(ids).toHaveLength(180);
    expect(new Set(ids).size).toBe(180);
    expect(laneMax).toBeLessThanOrEqual(4);
    expect(laneMax).toBeGreaterThanOrEqual(2);
    const attempts = await eventsPool().query<{ n: number }>(
      "SELECT count(*)::int AS n FROM delivery_attempts a JOIN events e ON e.id = a.event_id WHERE e.instance_id = ANY($1::int[])",
      [lanes.map((lane) => lane.id)],
    );
    expect(attempts.rows[0]!.n).toBe(180);
  }, 60_000);
});
