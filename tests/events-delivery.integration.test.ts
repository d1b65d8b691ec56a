import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as eventRoute from "@/app/elements/api-v2/events/[key]/route";
import * as redeliverRoute from "@/app/elements/api-v2/events/[key]/redeliver/route";
import * as instanceEventsRoute from "@/app/elements/api-v2/instances/[id]/events/route";
import * as redeliverFailedRoute from "@/app/elements/api-v2/instances/[id]/events/redeliver/route";
import * as testEventRoute from "@/app/elements/api-v2/instances/[id]/events/test/route";
import { db, disconnectDb } from "@/lib/db/client";
import { closeEventsPool } from "@/lib/db/pg-pool";
import { startDeliveryWorker, type DeliveryWorker } from "@/lib/delivery/worker";
import { distinctCampaignMonitorBody } from "./fixtures/webhooks";
import { createTenant, type Tenant } from "./helpers/api";
import {
  callRoute,
  databaseUrl,
  seedInstance,
  send,
  startIngestServer,
  startReceiver,
  waitUntil,
  type Receiver,
} from "./helpers/events";

// Delivery under failure: retries on the schedule, dead-lettering, 410, SSRF, and the manual actions
// (redeliver, redeliver failed, test event) through the REST API. The worker runs a short schedule.

const SCHEDULE = [1, 1, 1, 1];

let acme: Tenant;
let globex: Tenant;
let ingest: Awaited<ReturnType<typeof startIngestServer>>;
let worker: DeliveryWorker;
const receivers: Receiver[] = [];

beforeAll(async () => {
  acme = await createTenant("Delivery Acme");
  globex = await createTenant("Delivery Globex");
  ingest = await startIngestServer();
  worker = await startDeliveryWorker({ connectionString: databaseUrl(), schedule: SCHEDULE, pollingIntervalSeconds: 0.5 });
});

afterAll(async () => {
  await worker?.stop({ graceMs: 0 });
  await Promise.all([ingest?.close(), ...receivers.map((r) => r.close().catch(() => undefined))]);
  await closeEventsPool();
  await disconnectDb();
});

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

async function subscribe(callbackUrl: string, extra: Record<string, unknown> = {}) {
  return seedInstance(acme, "campaignmonitor", {
    "event.notification.callback.url": callbackUrl,
    "event.notification.signature.key": "k",
    ...extra,
  });
}

async function webhook(instanceId: number): Promise<void> {
  const res = await send(ingest.webhookUrl("campaignmonitor", instanceId), distinctCampaignMonitorBody(), {
    "content-type": "application/json",
  });
  expect(res.status).toBe(200);
}

async function onlyEvent(instanceId: number) {
  await waitUntil(async () => (await db().event.count({ where: { instanceId } })) > 0, 10_000, "the webhook processed");
  const events = await db().event.findMany({ where: { instanceId } });
  expect(events).toHaveLength(1);
  return events[0]!;
}

async function waitForStatus(instanceId: number, status: string, timeoutMs = 30_000) {
  await waitUntil(
    async () => (await db().event.findFirst({ where: { instanceId }, orderBy: { createdAt: "desc" } }))?.status === status,
    timeoutMs,
    `an event of instance ${instanceId} in ${status}`,
  );
}

function attemptsOf(eventRowId: string) {
  return db().deliveryAttempt.findMany({ where: { eventRowId }, orderBy: { attempt: "asc" } });
}

describe("retries", () => {
  it("keeps trying through connection refused, a 500 and a > 10 s answer, on the schedule, and delivers once it recovers", async () => {
    const target = await receiver();
    await target.stop();
    const instance = await subscribe(target.url);
    await webhook(instance.id);
    const event = await onlyEvent(instance.id);

    await waitUntil(async () => (await attemptsOf(event.id)).length >= 1, 10_000, "the first (refused) attempt");
    target.behave((index) => (index === 0 ? { status: 500, body: "boom" } : index === 1 ? { delayMs: 11_000 } : { status: 204 }));
    await target.start();
    await waitForStatus(instance.id, "DELIVERED", 40_000);

    const attempts = await attemptsOf(event.id);
    expect(attempts.map((a) => [a.attempt, a.statusCode, a.error])).toEqual([
      [1, null, "connection refused"],
      [2, 500, "receiver answered 500"],
      [3, null, "timed out after 10000 ms"],
      [4, 204, null],
    ]);
    expect(attempts[1]!.responseExcerpt).toBe("boom");
    expect(attempts[2]!.latencyMs).toBeGreaterThanOrEqual(9_900);
    for (let i = 1; i < attempts.length; i += 1) {
      const previous = attempts[i - 1]!;
      const waited = attempts[i]!.startedAt.getTime() - (previous.startedAt.getTime() + previous.latencyMs);
      expect(waited, `pause before attempt ${i + 1}`).toBeGreaterThanOrEqual(SCHEDULE[i - 1]! * 800 - 50);
    }

    const delivered = await db().event.findUniqueOrThrow({ where: { id: event.id } });
    expect(delivered).toMatchObject({ status: "DELIVERED", attempts: 4, lastStatusCode: 204, nextAttemptAt: null });
    // Three requests reached the receiver (the refused one did not), all carrying the one stable eventId.
    expect(target.received).toHaveLength(3);
    const ids = new Set(target.received.flatMap((r) => [r.headers["elements-webhook-id"], r.headers["webhook-id"], JSON.parse(r.body.toString()).message.eventId]));
    expect([...ids]).toEqual([event.eventId]);
  }, 50_000);

  it("gives up after the last delay: DEAD, with every attempt recorded", async () => {
    const target = await receiver();
    target.behave(() => ({ status: 503 }));
    const instance = await subscribe(target.url);
    await webhook(instance.id);
    await waitForStatus(instance.id, "DEAD", 20_000);
    const event = await onlyEvent(instance.id);
    expect(event).toMatchObject({ attempts: SCHEDULE.length + 1, lastStatusCode: 503, nextAttemptAt: null });
    expect(await attemptsOf(event.id)).toHaveLength(SCHEDULE.length + 1);
  });
});

describe("refusals", () => {
  it("never contacts a cloud-metadata callback: one attempt with the reason, then DEAD", async () => {
    const instance = await subscribe("http://169.254.169.254/latest/meta-data/");
    await webhook(instance.id);
    await waitForStatus(instance.id, "DEAD", 10_000);
    const event = await onlyEvent(instance.id);
    const attempts = await attemptsOf(event.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ statusCode: null, url: "http://169.254.169.254/latest/meta-data/" });
    expect(attempts[0]!.error).toMatch(/^refused: forbidden address 169\.254\.169\.254/);
  });

  it("410 Gone disables the instance's delivery; manual sends still go out, and a 2xx to one turns it back on", async () => {
    const target = await receiver();
    target.behave(() => ({ status: 410 }));
    const instance = await subscribe(target.url);
    await webhook(instance.id);
    await waitForStatus(instance.id, "DISABLED", 10_000);
    expect((await db().instance.findUniqueOrThrow({ where: { id: instance.id } })).deliveryDisabledAt).not.toBeNull();
    expect(target.received).toHaveLength(1);

    // While disabled, new webhooks are kept but not sent.
    await webhook(instance.id);
    await waitUntil(async () => (await db().event.count({ where: { instanceId: instance.id } })) === 2, 10_000, "the second webhook processed");
    const later = await db().event.findFirstOrThrow({ where: { instanceId: instance.id }, orderBy: { createdAt: "desc" } });
    expect(later.status).toBe("DISABLED");

    // The receiver is back: a test event is sent (manual), succeeds, and re-enables delivery.
    target.behave(() => ({ status: 200 }));
    const test = await callRoute(testEventRoute.POST, { method: "POST", header: acme.header, params: { id: String(instance.id) } });
    expect(test.status).toBe(202);
    expect(test.body).toMatchObject({ test: true, status: "PENDING", eventId: expect.stringMatching(/^test-/) });
    await waitUntil(
      async () => (await db().event.findUniqueOrThrow({ where: { id: test.body.id } })).status === "DELIVERED",
      10_000,
      "the test event delivered",
    );
    const delivered = target.received.at(-1)!;
    expect(JSON.parse(delivered.body.toString()).message).toMatchObject({
      eventId: test.body.eventId,
      instanceId: instance.id,
      events: [{ eventType: "CREATED", objectType: "test", elementKey: "campaignmonitor" }],
    });
    // The switch is written right after the outcome (lib/delivery/record.ts), in a statement of its own.
    await waitUntil(
      async () => (await db().instance.findUniqueOrThrow({ where: { id: instance.id } })).deliveryDisabledAt === null,
      5_000,
      "delivery to the instance turned back on",
    );

    // "Redeliver failed" sends both DISABLED events.
    const all = await callRoute(redeliverFailedRoute.POST, { method: "POST", header: acme.header, params: { id: String(instance.id) } });
    expect(all).toMatchObject({ status: 202, body: { count: 2 } });
    await waitUntil(
      async () => (await db().event.count({ where: { instanceId: instance.id, status: "DELIVERED" } })) === 3,
      10_000,
      "all three events delivered",
    );
  });
});

describe("events API", () => {
  it("lists an instance's events newest first, a page at a time, with their delivery state", async () => {
    const target = await receiver();
    const instance = await subscribe(target.url);
    for (let i = 0; i < 5; i += 1) await webhook(instance.id);
    await waitUntil(
      async () => (await db().event.count({ where: { instanceId: instance.id, status: "DELIVERED" } })) === 5,
      10_000,
      "five delivered events",
    );
    const seen: string[] = [];
    let token: string | null = null;
    for (let page = 0; page < 3; page += 1) {
      const url: string = `http://localhost/x?pageSize=2${token ? `&nextPage=${token}` : ""}`;
      const res = await callRoute(instanceEventsRoute.GET, { header: acme.header, params: { id: String(instance.id) }, url });
      expect(res.status).toBe(200);
      expect(res.body.length).toBe(page < 2 ? 2 : 1);
      expect(res.body[0]).toMatchObject({ instanceId: instance.id, status: "DELIVERED", attempts: 1, eventCount: 1, lastStatusCode: 200 });
      expect(res.body[0].events).toEqual([expect.objectContaining({ eventType: "CREATED", objectId: "test@example.org" })]);
      seen.push(...res.body.map((e: { id: string }) => e.id));
      token = res.headers.get("elements-next-page-token");
      expect(token === null).toBe(page === 2);
    }
    const expected = await db().event.findMany({ where: { instanceId: instance.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
    expect(seen).toEqual(expected.map((e) => e.id));

    const bad = await callRoute(instanceEventsRoute.GET, { header: acme.header, params: { id: String(instance.id) }, url: "http://localhost/x?nextPage=garbage" });
    expect(bad.status).toBe(400);
    const other = await callRoute(instanceEventsRoute.GET, { header: globex.header, params: { id: String(instance.id) } });
    expect(other.status).toBe(404);
  });

  it("shows one event with its attempts and redelivers it with the same eventId", async () => {
    const target = await receiver();
    const instance = await subscribe(target.url);
    await webhook(instance.id);
    await waitForStatus(instance.id, "DELIVERED", 10_000);
    const event = await onlyEvent(instance.id);

    const again = await callRoute(redeliverRoute.POST, { method: "POST", header: acme.header, params: { key: event.eventId } });
    expect(again.status).toBe(202);
    await waitUntil(async () => (await attemptsOf(event.id)).length === 2, 10_000, "the second attempt");
    await waitForStatus(instance.id, "DELIVERED", 10_000);

    const detail = await callRoute(eventRoute.GET, { header: acme.header, params: { key: event.id } });
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id: event.id, eventId: event.eventId, status: "DELIVERED", attempts: 2 });
    expect(detail.body.notification.message.eventId).toBe(event.eventId);
    expect(detail.body.deliveryAttempts).toEqual([
      expect.objectContaining({ attempt: 1, statusCode: 200, url: target.url }),
      expect.objectContaining({ attempt: 2, statusCode: 200, url: target.url }),
    ]);
    expect(target.received.map((r) => r.headers["elements-webhook-id"])).toEqual([event.eventId, event.eventId]);

    expect((await callRoute(eventRoute.GET, { header: globex.header, params: { key: event.id } })).status).toBe(404);
    expect((await callRoute(redeliverRoute.POST, { method: "POST", header: globex.header, params: { key: event.id } })).status).toBe(404);
    expect((await callRoute(redeliverRoute.POST, { method: "POST", params: { key: event.id } })).status).toBe(401);
  });

  it("refuses a test event for an instance without a callback URL (400) or of another organization (404)", async () => {
    const bare = await seedInstance(acme, "campaignmonitor", { "event.notification.enabled": false });
    const res = await callRoute(testEventRoute.POST, { method: "POST", header: acme.header, params: { id: String(bare.id) } });
    expect(res.status).toBe(400);
    expect(res.body.fieldErrors).toHaveProperty(["event.notification.callback.url"]);
    const other = await callRoute(testEventRoute.POST, { method: "POST", header: globex.header, params: { id: String(bare.id) } });
    expect(other.status).toBe(404);
  });
});
