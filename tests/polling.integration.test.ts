import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connectwiseSignature } from "@/lib/connectors/webhooks/connectwisecrmrest";
import { db } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { processStoredRequests } from "@/lib/ingest/process-requests";
import { createInstance, type Actor } from "@/lib/instances/service";
import { pollInstance } from "@/lib/polling/poll-instance";
import { claimPolls, finishPoll, requestPoll } from "@/lib/polling/poll-jobs";
import { startPoller } from "@/lib/polling/poller";
import * as instanceRoute from "@/app/elements/api-v2/instances/[id]/route";
import * as pollRoute from "@/app/elements/api-v2/instances/[id]/poll/route";
import * as instancesRoute from "@/app/elements/api-v2/instances/route";
import { startDeliveryWorker } from "@/lib/delivery/worker";
import { call, createTenant, type Tenant } from "./helpers/api";
import { databaseUrl, send, startIngestServer, startReceiver, waitUntil } from "./helpers/events";
import { CONNECTWISE_SIGNING_KEY, fakeCampaignMonitor, fakeConnectWise } from "./helpers/fake-providers";

/*
 * Polling against a fake ConnectWise on localhost (tests/helpers/fake-providers.ts) that filters by
 * `conditions=lastUpdated>=[…]`, sorts and pages as the REST API documents. Instances are made through
 * the instances service with the seed-style body, so their poll schedule is made as in production.
 * Most tests drive one poll at a time (claim → poll → process) to know exactly what each poll did.
 */

const CW = { company: "acme", publicKey: "pub-key", privateKey: "private-key-secret-42" };
const TICKETS = "service/tickets";

let actor: Actor;
let tenant: Tenant;
let cw: Awaited<ReturnType<typeof fakeConnectWise>>;
let ingest: Awaited<ReturnType<typeof startIngestServer>>;
let nextId = 1000;

beforeAll(async () => {
  cw = await fakeConnectWise(CW);
  ingest = await startIngestServer();
  process.env.HOOKLINE_PUBLIC_URL = "http://hookline.test";
  resetEnv();
  tenant = await createTenant("Polling");
  actor = { organizationId: tenant.organizationId, userId: tenant.userId };
});

// Every instance here polls the same fake: each test starts with no records there.
beforeEach(() => {
  for (const list of Object.values(cw.records)) list.length = 0;
});

afterAll(async () => {
  await Promise.all([cw.provider.close(), ingest.close()]);
  delete process.env.HOOKLINE_PUBLIC_URL;
  resetEnv();
});

/** The fake ConnectWise's settings in the seed page's own spellings (helpdesk.connectwise.*). */
function seedCredentials() {
  return {
    "helpdesk.connectwise.server.url": cw.provider.url,
    "helpdesk.connectwise.company": CW.company,
    "helpdesk.connectwise.username": CW.publicKey,
    "helpdesk.connectwise.password": CW.privateKey,
  };
}

async function createPolling(vendorType: "polling" | "both", extra: Record<string, unknown> = {}) {
  const { instance } = await createInstance(actor, {
    element: { key: "connectwisecrmrest" },
    name: `CW ${vendorType} ${nextId}`,
    configuration: {
      ...seedCredentials(),
      "event.notification.enabled": true,
      "event.notification.callback.url": "https://receiver.test/events",
      "event.vendor.type": vendorType,
      "event.poller.refresh_interval": 15,
      ...extra,
    },
  });
  return instance;
}

/** One poll of `instanceId` as a worker runs it, then processing of what it stored. */
async function pollOnce(instanceId: number, now = new Date()) {
  await requestPoll(instanceId);
  const claimed = await claimPolls(randomUUID(), 50, 60);
  const mine = claimed.find((poll) => poll.instanceId === instanceId);
  for (const other of claimed) if (other !== mine) await finishPoll(other, 0, false);
  if (!mine) throw new Error(`instance ${instanceId} was not due`);
  const outcome = await pollInstance(mine, new AbortController().signal, now);
  await finishPoll(mine, 900, outcome.failed);
  while ((await processStoredRequests()).requests > 0);
  return outcome;
}

const eventsOf = (instanceId: number) =>
  db().event.findMany({ where: { instanceId }, orderBy: [{ createdAt: "asc" }, { eventId: "asc" }] });

function messageOf(payload: Uint8Array) {
  return JSON.parse(Buffer.from(payload).toString("utf8")).message as {
    eventId: string;
    events: { eventType: string; objectType: string; objectId: string; eventDate: string }[];
    raw: { id: number; summary?: string };
  };
}

/** A signed ConnectWise callback for a ticket as the record stands now at the fake. */
function callbackFor(id: number, action: "added" | "updated") {
  const record = cw.records[TICKETS].find((r) => r.id === id)!;
  return Buffer.from(
    JSON.stringify({
      MessageId: randomUUID(),
      Action: action,
      Type: "ticket",
      ID: id,
      CompanyId: CW.company,
      Entity: JSON.stringify(record),
      Metadata: { key_url: `${cw.provider.url}/callback-signing-key` },
    }),
  );
}

describe("polling a ConnectWise instance", () => {
  it("starts from its creation (no backlog flood), then makes one CREATED and one UPDATED with raw = the record", async () => {
    cw.save(TICKETS, nextId++, new Date(Date.now() - 3600_000), { summary: "old ticket" });
    const instance = await createPolling("polling");
    const schedule = await db().pollJob.findUniqueOrThrow({ where: { instanceId: instance.id } });
    expect(schedule.runAt.getTime()).toBeLessThanOrEqual(Date.now());

    const first = await pollOnce(instance.id);
    expect(first.failed).toBe(false);
    expect(first.results.map((r) => r.resource).sort()).toEqual(["companies", "contacts", "tickets"]);
    expect(await eventsOf(instance.id)).toHaveLength(0);

    const id = nextId++;
    cw.save(TICKETS, id, new Date(), { summary: "printer on fire" });
    await pollOnce(instance.id);
    let events = await eventsOf(instance.id);
    expect(events).toHaveLength(1);
    const created = messageOf(events[0]!.payload);
    expect(created.events).toEqual([expect.objectContaining({ eventType: "CREATED", objectType: "ticket", objectId: String(id) })]);
    expect(created.raw).toMatchObject({ id, summary: "printer on fire" });
    expect(events[0]!.source).toBe("POLL");
    expect(events[0]!.status).toBe("PENDING");

    // Seen again at the mark (>=), it is not a new change.
    await pollOnce(instance.id);
    expect(await eventsOf(instance.id)).toHaveLength(1);

    cw.save(TICKETS, id, new Date(Date.now() + 2000), { summary: "printer still on fire" });
    await pollOnce(instance.id);
    events = await eventsOf(instance.id);
    expect(events).toHaveLength(2);
    const updated = messageOf(events[1]!.payload);
    expect(updated.events[0]).toMatchObject({ eventType: "UPDATED", objectId: String(id) });
    expect(updated.raw.summary).toBe("printer still on fire");
    expect(updated.eventId).not.toBe(created.eventId);

    const marks = await db().pollResource.findMany({ where: { instanceId: instance.id } });
    expect(marks.find((m) => m.resource === "tickets")).toMatchObject({ result: "OK", changes: 1 });
  });

  it("reads every page of a large change set", async () => {
    const instance = await createPolling("polling");
    await pollOnce(instance.id);
    const at = Date.now() + 1000;
    const ids = Array.from({ length: 230 }, () => nextId++);
    ids.forEach((id, index) => cw.save(TICKETS, id, new Date(at + index * 1000)));
    cw.provider.requests.length = 0;
    await pollOnce(instance.id, new Date(at + 300_000));
    const pages = cw.provider.requests.filter((r) => r.path.endsWith("/service/tickets")).map((r) => r.query.get("page"));
    expect(pages).toEqual(["1", "2", "3"]);
    const events = await eventsOf(instance.id);
    expect(new Set(events.map((e) => messageOf(e.payload).events[0]!.objectId))).toEqual(new Set(ids.map(String)));
  });

  it("honours 429 with Retry-After: the mark stays, the next poll waits", async () => {
    const instance = await createPolling("polling");
    await pollOnce(instance.id);
    const before = await db().pollResource.findMany({ where: { instanceId: instance.id } });
    cw.provider.intercept((request) => (request.path.endsWith("/service/tickets") ? { status: 429, body: { message: "Too many requests" }, headers: { "retry-after": "120" } } : undefined));
    try {
      await requestPoll(instance.id);
      const [poll] = (await claimPolls(randomUUID(), 50, 60)).filter((p) => p.instanceId === instance.id);
      const outcome = await pollInstance(poll!, new AbortController().signal);
      expect(outcome.retryAfterSeconds).toBe(120);
      const tickets = await db().pollResource.findUniqueOrThrow({ where: { instanceId_resource: { instanceId: instance.id, resource: "tickets" } } });
      expect(tickets.result).toBe("RATE_LIMITED");
      expect(tickets.message).toMatch(/429/);
      expect(tickets.highWater).toEqual(before.find((m) => m.resource === "tickets")!.highWater);
    } finally {
      cw.provider.intercept(null);
    }
  });

  it("does not register webhooks at ConnectWise for an instance that only polls", async () => {
    const instance = await createPolling("polling");
    expect(await db().webhookSubscription.count({ where: { instanceId: instance.id } })).toBe(0);
    expect(cw.callbacks.filter((c) => c.description === `Hookline instance ${instance.id} (ticket)`)).toHaveLength(0);
  });
});

describe('reconciliation ("both")', () => {
  it("makes one event of a change seen by a webhook and by a poll, and recovers a change whose webhook was lost", async () => {
    const instance = await createPolling("both");
    await pollOnce(instance.id);
    const url = await ingest.instanceWebhookUrl(instance.id);

    const seenTwice = nextId++;
    cw.save(TICKETS, seenTwice, new Date(Date.now() + 1000), { summary: "webhook and poll" });
    const body = callbackFor(seenTwice, "added");
    const answer = await send(url, body, { "content-type": "application/json", "x-content-signature": connectwiseSignature(body, CONNECTWISE_SIGNING_KEY) });
    expect(answer.status).toBe(200);
    while ((await processStoredRequests()).requests > 0);

    const lost = nextId++;
    cw.save(TICKETS, lost, new Date(Date.now() + 2000), { summary: "its webhook never came" });
    // Past the reconciliation grace, so the poll reads both changes.
    await pollOnce(instance.id, new Date(Date.now() + 180_000));

    const events = await eventsOf(instance.id);
    const byObject = new Map(events.map((e) => [messageOf(e.payload).events[0]!.objectId, e]));
    expect(events).toHaveLength(2);
    expect(byObject.get(String(seenTwice))).toMatchObject({ source: "WEBHOOK", status: "PENDING" });
    expect(byObject.get(String(lost))).toMatchObject({ source: "RECOVERED", status: "PENDING" });
  });

  it("keeps a webhook that arrives after the poll reported its change as DUPLICATE, not delivered", async () => {
    const instance = await createPolling("both");
    await pollOnce(instance.id);
    const id = nextId++;
    cw.save(TICKETS, id, new Date(Date.now() + 1000), { summary: "slow webhook" });
    await pollOnce(instance.id, new Date(Date.now() + 180_000));
    const body = callbackFor(id, "added");
    const answer = await send(await ingest.instanceWebhookUrl(instance.id), body, {
      "content-type": "application/json",
      "x-content-signature": connectwiseSignature(body, CONNECTWISE_SIGNING_KEY),
    });
    expect(answer.status).toBe(200);
    while ((await processStoredRequests()).requests > 0);
    const events = await eventsOf(instance.id);
    expect(events.map((e) => [e.source, e.status])).toEqual([
      ["RECOVERED", "PENDING"],
      ["WEBHOOK", "DUPLICATE"],
    ]);
    expect(await db().deliveryJob.count({ where: { eventId: events[1]!.id } })).toBe(0);
  });
});

describe("scale-out", () => {
  /** A poller in a process of its own (tests/helpers/poller-process.ts), as each worker process runs one. */
  function spawnPoller(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ["--import", "tsx", path.resolve("tests/helpers/poller-process.ts")], { env: process.env, stdio: ["ignore", "pipe", "inherit"] });
    return new Promise((resolve, reject) => {
      child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("poller ready") && resolve(child));
      child.once("exit", (code) => reject(new Error(`poller process exited with ${code}`)));
    });
  }

  it("two poller processes poll an instance once per interval, never at the same time", async () => {
    // 0.02 minutes: a poll every 1.2 s.
    const instance = await createPolling("polling", { "event.poller.refresh_interval": 0.02 });
    const tickets = () => cw.provider.requests.filter((r) => r.path.endsWith("/service/tickets")).length;
    // Only this instance is due while the pollers run (earlier tests' instances wait an hour).
    await db().pollJob.updateMany({ where: { instanceId: { not: instance.id } }, data: { runAt: new Date(Date.now() + 3600_000) } });
    // The fake answers the tickets listing of one poll at a time: a second poll at the same moment shows.
    let inFlight = 0;
    let overlapped = false;
    cw.provider.intercept((request) => {
      if (!request.path.endsWith("/service/tickets")) return undefined;
      inFlight += 1;
      if (inFlight > 1) overlapped = true;
      setTimeout(() => (inFlight -= 1), 50);
      return undefined;
    });
    try {
      const pollers = await Promise.all([spawnPoller(), spawnPoller()]);
      cw.provider.requests.length = 0;
      const started = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 5000));
      const polls = tickets();
      const elapsed = (Date.now() - started) / 1000;
      await Promise.all(pollers.map((child) => new Promise((resolve) => { child.once("exit", resolve); child.kill("SIGTERM"); })));
      // One poll per 1.2 s interval (plus one due at the start): two processes claiming the same
      // instance would double that.
      expect(polls).toBeGreaterThanOrEqual(2);
      expect(polls).toBeLessThanOrEqual(Math.floor(elapsed / 1.2) + 1);
      expect(overlapped).toBe(false);
      await waitUntil(async () => (await db().pollJob.findUniqueOrThrow({ where: { instanceId: instance.id } })).lease === null, 5000, "the last lease released");
    } finally {
      cw.provider.intercept(null);
    }
  });
});

describe("an OAuth instance (Campaign Monitor)", () => {
  it("refreshes its token once when the provider answers 401, and goes on polling with the new one", async () => {
    const cm = await fakeCampaignMonitor("cm-token-first");
    process.env.HOOKLINE_CAMPAIGNMONITOR_API_URL = `${cm.provider.url}/api/v3.3`;
    process.env.HOOKLINE_CAMPAIGNMONITOR_TOKEN_URL = `${cm.provider.url}/oauth/token`;
    resetEnv();
    try {
      const { instance } = await createInstance(
        actor,
        {
          element: { key: "campaignmonitor" },
          name: "CM polled",
          configuration: {
            "oauth.callback.url": "http://hookline.test/oauth/callback",
            "oauth.api.key": "cm-client",
            "oauth.api.secret": "cm-client-secret",
            "event.notification.enabled": true,
            "event.notification.callback.url": "https://receiver.test/events",
            "events.list.ids": "list-a",
            "event.vendor.type": "polling",
          },
        },
        { grant: { accessToken: "cm-token-first", refreshToken: "cm-refresh-0", expiresAt: new Date(Date.now() + 14 * 24 * 3600_000), account: null } },
      );
      await pollOnce(instance.id);
      // The provider stops taking the token (revoked, or expired early); a subscriber joins.
      cm.tokens.accepted = "cm-token-revoked";
      const joined = new Date(Date.now() + 2000).toISOString().slice(0, 19).replace("T", " ");
      cm.active.set("list-a", [{ EmailAddress: "new@example.org", Name: "New", Date: joined, State: "Active" }]);
      cm.provider.requests.length = 0;

      const outcome = await pollOnce(instance.id, new Date(Date.now() + 60_000));
      expect(outcome.failed).toBe(false);
      expect(cm.tokens.refreshes).toBe(1);
      const calls = cm.provider.requests.map((r) => [r.path, r.headers.authorization ?? ""]);
      expect(calls[0]).toEqual(["/api/v3.3/lists/list-a/active.json", "Bearer cm-token-first"]);
      expect(calls[1]).toEqual(["/oauth/token", ""]);
      expect(calls.slice(2).every(([, auth]) => auth === "Bearer cm-refreshed-1")).toBe(true);
      const events = await eventsOf(instance.id);
      expect(events.map((e) => messageOf(e.payload).events[0])).toEqual([
        expect.objectContaining({ eventType: "CREATED", objectType: "subscriber", objectId: "new@example.org" }),
      ]);
      const resources = await db().pollResource.findMany({ where: { instanceId: instance.id }, orderBy: { resource: "asc" } });
      expect(resources.map((r) => [r.resource, r.result])).toEqual([
        ["active:list-a", "OK"],
        ["unsubscribed:list-a", "OK"],
      ]);
    } finally {
      await cm.provider.close();
      delete process.env.HOOKLINE_CAMPAIGNMONITOR_API_URL;
      delete process.env.HOOKLINE_CAMPAIGNMONITOR_TOKEN_URL;
      resetEnv();
    }
  });
});

describe("end to end, through the REST API", () => {
  it("a ConnectWise instance created with the seed-style body and polling delivers CREATED then UPDATED, signed, within an interval", async () => {
    const receiver = await startReceiver();
    const worker = await startDeliveryWorker({ connectionString: databaseUrl(), schedule: [1], pollingIntervalSeconds: 0.2 });
    const poller = startPoller({ idleMs: 100 });
    try {
      // The seed's own spellings (helpdesk.connectwise.*), plus polling every 0.02 minutes (1.2 s).
      const created = await call(instancesRoute.POST, {
        method: "POST",
        header: tenant.header,
        body: {
          element: { key: "connectwisehd" },
          name: "Polled service desk",
          configuration: {
            ...seedCredentials(),
            "event.notification.enabled": true,
            "event.notification.callback.url": receiver.url,
            "event.vendor.type": "polling",
            "event.poller.refresh_interval": 0.02,
          },
        },
      });
      expect(created.status).toBe(200);
      expect(created.body.polling).toMatchObject({ vendorType: "polling", refreshIntervalMinutes: 0.02 });
      const id = String(created.body.id);
      await waitUntil(async () => (await call(instanceRoute.GET, { header: tenant.header, params: { id } })).body.polling.resources.length === 3, 10_000, "the first poll");

      const ticket = nextId++;
      const changedAt = Date.now();
      cw.save(TICKETS, ticket, new Date(changedAt + 1000), { summary: "new laptop" });
      const [first] = await receiver.waitFor(1, 10_000);
      const createdMessage = JSON.parse(first!.body.toString("utf8")).message;
      expect(createdMessage.events).toEqual([expect.objectContaining({ eventType: "CREATED", objectType: "ticket", objectId: String(ticket) })]);
      expect(createdMessage.raw).toMatchObject({ id: ticket, summary: "new laptop" });
      expect(first!.headers["elements-webhook-signature"]).toMatch(/^sha256=/);
      // Within one interval (1.2 s) of the change becoming visible, plus the poll and the delivery.
      expect(first!.at - (changedAt + 1000)).toBeLessThan(1200 + 2500);

      cw.save(TICKETS, ticket, new Date(Date.now() + 2000), { summary: "new laptop, delivered" });
      const [, second] = await receiver.waitFor(2, 10_000);
      const updatedMessage = JSON.parse(second!.body.toString("utf8")).message;
      expect(updatedMessage.events[0]).toMatchObject({ eventType: "UPDATED", objectId: String(ticket) });
      expect(updatedMessage.raw.summary).toBe("new laptop, delivered");

      // Nothing more: each change once, however many polls ran meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(receiver.received).toHaveLength(2);

      const pollNow = await call(pollRoute.POST, { method: "POST", header: tenant.header, params: { id } });
      expect(pollNow.status).toBe(202);
      expect(pollNow.body.polling.resources.map((r: { resource: string }) => r.resource).sort()).toEqual(["companies", "contacts", "tickets"]);
    } finally {
      await poller.stop();
      await worker.stop({ graceMs: 0 });
      await receiver.close();
    }
  });

  it("reads history when asked: POST /poll with since moves the marks back, and the changes since then come", async () => {
    const old = nextId++;
    cw.save(TICKETS, old, new Date(Date.now() - 3 * 3600_000), { summary: "before the instance" });
    const instance = await createPolling("polling");
    await pollOnce(instance.id);
    expect(await eventsOf(instance.id)).toHaveLength(0);

    const id = String(instance.id);
    const refused = await call(pollRoute.POST, { method: "POST", header: tenant.header, params: { id }, body: { since: "yesterday" } });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/since must be an ISO 8601 date-time/);
    const future = await call(pollRoute.POST, { method: "POST", header: tenant.header, params: { id }, body: { since: new Date(Date.now() + 3600_000).toISOString() } });
    expect(future.body.message).toMatch(/must not be in the future/);

    const since = new Date(Date.now() - 4 * 3600_000).toISOString();
    const asked = await call(pollRoute.POST, { method: "POST", header: tenant.header, params: { id }, body: { since } });
    expect(asked.status).toBe(202);
    expect(asked.body.polling.resources.map((r: { highWaterMark: string }) => r.highWaterMark)).toEqual([since, since, since]);
    await pollOnce(instance.id);
    const events = await eventsOf(instance.id);
    expect(events.map((e) => messageOf(e.payload).events[0]!.objectId)).toEqual([String(old)]);
  });

  it("answers 409, with what to do, to Poll now on an instance that does not poll", async () => {
    const { instance } = await createInstance(actor, {
      element: { key: "connectwisecrmrest" },
      name: "Webhooks only",
      configuration: {
        "helpdesk.connectwise.server.url": cw.provider.url,
        company: CW.company,
        "public.key": CW.publicKey,
        "private.key": CW.privateKey,
      },
    });
    const answer = await call(pollRoute.POST, { method: "POST", header: tenant.header, params: { id: String(instance.id) } });
    expect(answer.status).toBe(409);
    expect(answer.body.message).toMatch(/does not poll: set event.vendor.type to polling or both/);
  });
});
