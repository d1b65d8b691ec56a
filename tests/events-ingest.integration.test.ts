import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as ingestRoute from "@/app/elements/api-v2/events/[key]/[id]/route";
import * as redeliverRoute from "@/app/elements/api-v2/events/[key]/redeliver/route";
import * as instanceEventsRoute from "@/app/elements/api-v2/instances/[id]/events/route";
import * as instanceRoute from "@/app/elements/api-v2/instances/[id]/route";
import { maintainTables } from "@/lib/delivery/maintenance";
import { flushRejections, recordRejection } from "@/lib/ingest/rejections";
import { getEventDetail } from "@/lib/live-log/event-detail";
import { connectwiseSignature } from "@/lib/connectors/webhooks/connectwisecrmrest";
import { db, disconnectDb } from "@/lib/db/client";
import { ingestStoreCounts } from "@/lib/ingest/store";
import { closeEventsPool, eventsPool as pool } from "@/lib/db/pg-pool";
import { clearProviderFetchCache } from "@/lib/ingest/provider-fetch";
import { startDeliveryWorker, type DeliveryWorker } from "@/lib/delivery/worker";
import { encodeInstanceId } from "@/lib/instances/webhook-url";
import { distinctCampaignMonitorBody, fixture } from "./fixtures/webhooks";
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

// Provider webhook → ingest (the custom server's fast path) → stored → delivered by a real pg-boss worker
// to a real HTTP receiver, signatures checked the way receivers check them.

const SIGNATURE_KEY = "receiver-shared-secret";
const CW_SIGNING_KEY = "connectwise-signing-key-1";

let acme: Tenant;
let ingest: Awaited<ReturnType<typeof startIngestServer>>;
let receiver: Receiver;
let worker: DeliveryWorker;
let keyServer: http.Server;
let keyServerUrl: string;
let keyFetches = 0;
let otherServer: http.Server;
let otherHits = 0;
let otherUrl: string;

async function serve(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  acme = await createTenant("Events Acme");
  ingest = await startIngestServer();
  receiver = await startReceiver();
  ({ server: keyServer, url: keyServerUrl } = await serve((req, res) => {
    keyFetches += 1;
    if (req.url === "/v4_6_release/apis/3.0/system/callbackkeys/1f2e3d4c") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ signing_key: CW_SIGNING_KEY }));
    } else res.writeHead(404).end();
  }));
  ({ server: otherServer, url: otherUrl } = await serve((_req, res) => {
    otherHits += 1;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ signing_key: "attacker-key" }));
  }));
  worker = await startDeliveryWorker({ connectionString: databaseUrl(), schedule: [1, 1, 1], pollingIntervalSeconds: 0.5 });
});

afterAll(async () => {
  await worker?.stop({ graceMs: 0 });
  await Promise.all([ingest?.close(), receiver?.close()]);
  keyServer?.close();
  otherServer?.close();
  await closeEventsPool();
  await disconnectDb();
});

function instanceFor(elementKey: string, extra: Record<string, unknown> = {}) {
  return seedInstance(acme, elementKey, {
    "event.notification.callback.url": receiver.url,
    "event.notification.signature.key": SIGNATURE_KEY,
    ...extra,
  });
}

function connectwiseBody(keyUrlOrigin: string): Buffer {
  const body = JSON.parse(fixture("connectwise-ticket-added.json").toString("utf8")) as { Metadata: { key_url: string } };
  body.Metadata.key_url = body.Metadata.key_url.replace("https://api-na.myconnectwise.net", keyUrlOrigin);
  return Buffer.from(JSON.stringify(body));
}

/** Requests accepted for processing (a refused one is kept too, as REJECTED: see "refused webhooks are kept"). */
async function requestsOf(instanceId: number) {
  return db().webhookRequest.findMany({ where: { instanceId, rejectedStatus: null } });
}

async function deliveredEvents(instanceId: number, count: number) {
  await waitUntil(
    async () => (await db().event.count({ where: { instanceId, status: "DELIVERED" } })) >= count,
    20_000,
    `${count} delivered events of instance ${instanceId}`,
  );
  return db().event.findMany({ where: { instanceId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
}

function receivedFor(eventId: string) {
  const requests = receiver.received.filter((r) => r.headers["elements-webhook-id"] === eventId);
  expect(requests.length, `deliveries of ${eventId}`).toBeGreaterThanOrEqual(1);
  return requests[0]!;
}

/** Checks a delivery the way receivers do: the `sha256=` HMAC formula and the standardwebhooks library. */
function expectSigned(request: { headers: Record<string, string>; body: Buffer }) {
  const expected = `sha256=${createHmac("sha256", SIGNATURE_KEY).update(request.body).digest("base64")}`;
  expect(request.headers["elements-webhook-signature"]).toBe(expected);
  const verified = new Webhook(Buffer.from(SIGNATURE_KEY, "utf8"), { format: "raw" }).verify(request.body, request.headers);
  expect(verified).toEqual(JSON.parse(request.body.toString("utf8")));
  expect(request.headers["webhook-id"]).toBe(request.headers["elements-webhook-id"]);
  expect(request.headers["content-type"]).toBe("application/json");
}

type Sample = {
  elementKey: string;
  body: () => Buffer;
  contentType: string;
  headers?: () => Record<string, string>;
  extra?: () => Record<string, unknown>;
  expected: { eventType: string; objectType: string; objectId: string | null }[];
  raw: (body: Buffer) => unknown;
};

const samples: Sample[] = [
  {
    elementKey: "campaignmonitor",
    body: () => fixture("campaignmonitor-subscribe.json"),
    contentType: "application/json",
    expected: [{ eventType: "CREATED", objectType: "subscriber", objectId: "test@example.org" }],
    raw: (body) => JSON.parse(body.toString("utf8")),
  },
  {
    elementKey: "mailchimpv3",
    body: () => fixture("mailchimp-subscribe.txt"),
    contentType: "application/x-www-form-urlencoded",
    expected: [{ eventType: "CREATED", objectType: "member", objectId: "8a25ff1d98" }],
    raw: () => expect.objectContaining({ type: "subscribe", data: expect.objectContaining({ id: "8a25ff1d98", email: "api@mailchimp.com" }) }),
  },
  {
    elementKey: "hootsuite",
    body: () => fixture("hootsuite-batch.json"),
    contentType: "application/json",
    expected: [
      { eventType: "CREATED", objectType: "message", objectId: "9384759327" },
      { eventType: "CREATED", objectType: "message", objectId: "9384759328" },
      { eventType: "UPDATED", objectType: "message", objectId: expect.any(String) },
      { eventType: "UPDATED", objectType: "message", objectId: expect.any(String) },
      { eventType: "UPDATED", objectType: "message", objectId: expect.any(String) },
      { eventType: "DELETED", objectType: "message", objectId: expect.any(String) },
      { eventType: "CREATED", objectType: "comment", objectId: expect.any(String) },
    ],
    raw: (body) => JSON.parse(body.toString("utf8")),
  },
  {
    elementKey: "connectwisecrmrest",
    body: () => connectwiseBody(keyServerUrl),
    contentType: "application/json",
    headers: () => ({ "x-content-signature": connectwiseSignature(connectwiseBody(keyServerUrl), CW_SIGNING_KEY) }),
    extra: () => ({ "helpdesk.connectwise.server.url": keyServerUrl, company: "training", "public.key": "pub", "private.key": "priv" }),
    expected: [{ eventType: "CREATED", objectType: "ticket", objectId: "12345" }],
    raw: (body) => JSON.parse(body.toString("utf8")),
  },
];

describe("a provider's sample webhook is stored, normalized and delivered signed", () => {
  it.each(samples)("$elementKey", async (sample) => {
    const instance = await instanceFor(sample.elementKey, sample.extra?.());
    const body = sample.body();
    const res = await send(ingest.webhookUrl(sample.elementKey, instance.id), body, {
      "content-type": sample.contentType,
      authorization: "Bearer provider-token",
      ...sample.headers?.(),
    });
    expect(res.status).toBe(200);

    const [request] = await requestsOf(instance.id);
    expect(Buffer.from(request!.body).equals(body)).toBe(true);
    expect(request!.contentType).toBe(sample.contentType);
    expect(request!.remoteAddress).toMatch(/127\.0\.0\.1/);
    const storedHeaders = request!.headers as Record<string, string>;
    expect(storedHeaders.authorization).toBe("[redacted]");
    if (sample.headers) expect(storedHeaders["x-content-signature"]).toBe("[redacted]");

    const [event] = await deliveredEvents(instance.id, 1);
    expect(event!.requestId).toBe(request!.id);
    expect(event!.summary).toEqual(sample.expected.map((e) => ({ ...e, eventDate: expect.any(String), elementKey: sample.elementKey })));
    expect(event!.attempts).toBe(1);
    expect(event!.deliveredAt).not.toBeNull();

    const delivered = receivedFor(event!.eventId);
    expectSigned(delivered);
    expect(Buffer.from(event!.payload).equals(delivered.body)).toBe(true);
    const message = (JSON.parse(delivered.body.toString("utf8")) as { message: Record<string, unknown> }).message;
    expect(message).toEqual({
      eventId: event!.eventId,
      elementKey: sample.elementKey,
      instanceId: instance.id,
      instanceName: instance.name,
      events: sample.expected.map((e) => ({ ...e, eventDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), elementKey: sample.elementKey })),
      raw: sample.raw(body),
    });

    const attempts = await db().deliveryAttempt.findMany({ where: { eventRowId: event!.id } });
    expect(attempts).toEqual([
      expect.objectContaining({ attempt: 1, statusCode: 200, responseExcerpt: "ok", error: null, url: receiver.url }),
    ]);
  });
});

describe("what ingest keeps and how it splits", () => {
  it("stores an authentic body it cannot parse as one UNKNOWN event, says why in the log, and still delivers it", async () => {
    const instance = await instanceFor("campaignmonitor");
    const res = await send(ingest.webhookUrl("campaignmonitor", instance.id), "<xml>not json</xml>", { "content-type": "application/xml" });
    expect(res.status).toBe(200);
    const [event] = await deliveredEvents(instance.id, 1);
    expect(event!.summary).toEqual([expect.objectContaining({ eventType: "UNKNOWN", objectType: "unknown", objectId: null })]);
    const detail = await getEventDetail(acme.organizationId, event!.id);
    expect(detail!.row).toMatchObject({ eventType: "UNKNOWN", unrecognized: expect.stringMatching(/not JSON/) });
    // A JSON body of another shape says what is missing; a recognized one has no reason.
    await send(ingest.webhookUrl("campaignmonitor", instance.id), JSON.stringify({ ListID: "l" }), { "content-type": "application/json" });
    const [, shape] = await deliveredEvents(instance.id, 2);
    expect((await getEventDetail(acme.organizationId, shape!.id))!.row.unrecognized).toMatch(/no Events array/);
    await send(ingest.webhookUrl("campaignmonitor", instance.id), distinctCampaignMonitorBody(), { "content-type": "application/json" });
    const events = await deliveredEvents(instance.id, 3);
    const known = events.find((e) => (e.summary as { eventType: string }[])[0]!.eventType !== "UNKNOWN")!;
    expect((await getEventDetail(acme.organizationId, known.id))!.row.unrecognized).toBeNull();
    const message = JSON.parse(receivedFor(event!.eventId).body.toString("utf8")).message;
    expect(message.raw).toEqual({ body: "<xml>not json</xml>" });
  });

  it("splits 45 events into notifications of 20, 20 and 5, each with its own events' raw payload and its own eventId", async () => {
    const instance = await instanceFor("campaignmonitor");
    const batch = {
      Events: Array.from({ length: 45 }, (_, i) => ({ Type: "Subscribe", Date: "2024-01-01 10:00:00", EmailAddress: `user${i}@example.org` })),
      ListID: "list-1",
    };
    const res = await send(ingest.webhookUrl("campaignmonitor", instance.id), JSON.stringify(batch), { "content-type": "application/json" });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ received: true });
    const events = await deliveredEvents(instance.id, 3);
    expect(events.map((e) => e.eventCount)).toEqual([20, 20, 5]);
    const [request] = await requestsOf(instance.id);
    expect(events.map((e) => e.eventId)).toEqual([1, 2, 3].map((n) => `${request!.id}-${n}`));
    const objectIds: string[] = [];
    for (const [index, event] of events.entries()) {
      const delivered = receivedFor(event.eventId);
      expectSigned(delivered);
      const message = JSON.parse(delivered.body.toString("utf8")).message;
      // The body is stored once (the request); each notification carries the provider payload of its own events.
      expect(message.raw).toEqual({ ...batch, Events: batch.Events.slice(index * 20, index * 20 + 20) });
      objectIds.push(...message.events.map((e: { objectId: string }) => e.objectId));
    }
    expect(objectIds).toEqual(batch.Events.map((e) => e.EmailAddress));
  });

  it("refuses (400, nothing stored) a batch over 1000 events or with items that are not objects; a full batch of 1000 passes", async () => {
    const instance = await instanceFor("campaignmonitor");
    const item = (i: number) => ({ Type: "Subscribe", Date: "2024-01-01 10:00:00", EmailAddress: `user${i}@example.org` });
    const post = (events: unknown[]) =>
      send(ingest.webhookUrl("campaignmonitor", instance.id), JSON.stringify({ Events: events, ListID: "l" }), { "content-type": "application/json" });
    const tooMany = await post(Array.from({ length: 1001 }, (_, i) => item(i)));
    expect(tooMany.status).toBe(400);
    expect(JSON.parse(tooMany.body).message).toMatch(/at most 1000 events; Events has 1001/);
    const notObjects = await post([item(0), 7, item(2)]);
    expect(notObjects.status).toBe(400);
    expect(JSON.parse(notObjects.body).message).toMatch(/Events\[1\] is not an object/);
    const hootsuite = await instanceFor("hootsuite");
    const strings = await send(ingest.webhookUrl("hootsuite", hootsuite.id), JSON.stringify(["a", "b"]), { "content-type": "application/json" });
    expect(strings.status).toBe(400);
    expect(await requestsOf(instance.id)).toHaveLength(0);
    expect(await requestsOf(hootsuite.id)).toHaveLength(0);

    expect((await post(Array.from({ length: 1000 }, (_, i) => item(i)))).status).toBe(200);
    const events = await deliveredEvents(instance.id, 50);
    expect(events.reduce((sum, e) => sum + e.eventCount, 0)).toBe(1000);
  });

  it("keeps a Hootsuite ping (no object, nothing to deliver) and answers 200", async () => {
    const instance = await instanceFor("hootsuite");
    const res = await send(ingest.webhookUrl("hootsuite", instance.id), fixture("hootsuite-ping.json"), { "content-type": "application/json" });
    expect(res.status).toBe(200);
    expect(await requestsOf(instance.id)).toHaveLength(1);
    expect(await db().event.count({ where: { instanceId: instance.id, status: { not: "REJECTED" } } })).toBe(0);
  });

  it("answers MailChimp's URL check (GET) with 200 and stores nothing", async () => {
    const instance = await instanceFor("mailchimpv3");
    const res = await send(ingest.webhookUrl("mailchimpv3", instance.id), null, { "user-agent": "MailChimp.com WebHook Validator" }, "GET");
    expect(res.status).toBe(200);
    expect(await requestsOf(instance.id)).toHaveLength(0);
    // Providers that never probe do not get a 200 for a GET.
    const cm = await instanceFor("campaignmonitor");
    expect((await send(ingest.webhookUrl("campaignmonitor", cm.id), null, {}, "GET")).status).toBe(405);
  });
});

describe("what ingest refuses", () => {
  it("401 for a ConnectWise callback with a bad or missing signature, logging why and storing nothing", async () => {
    const instance = await instanceFor("connectwisecrmrest", { "helpdesk.connectwise.server.url": keyServerUrl, company: "c", "public.key": "p", "private.key": "k" });
    const url = ingest.webhookUrl("connectwisecrmrest", instance.id);
    const body = connectwiseBody(keyServerUrl);
    const bad = await send(url, body, { "content-type": "application/json", "x-content-signature": connectwiseSignature(body, "wrong-key") });
    expect(bad.status).toBe(401);
    expect(bad.body).not.toMatch(/signature|key/i);
    const missing = await send(url, body, { "content-type": "application/json" });
    expect(missing.status).toBe(401);
    const tampered = Buffer.from(body.toString("utf8").replace("12345", "12346"));
    const altered = await send(url, tampered, { "content-type": "application/json", "x-content-signature": connectwiseSignature(body, CW_SIGNING_KEY) });
    expect(altered.status).toBe(401);
    expect(await requestsOf(instance.id)).toHaveLength(0);
    expect(await db().event.count({ where: { instanceId: instance.id, status: { not: "REJECTED" } } })).toBe(0);
  });

  it("401 when Metadata.key_url is not on the instance's ConnectWise host, which is never contacted", async () => {
    clearProviderFetchCache();
    const instance = await instanceFor("connectwisecrmrest", { "helpdesk.connectwise.server.url": keyServerUrl, company: "c", "public.key": "p", "private.key": "k" });
    const body = connectwiseBody(otherUrl);
    const res = await send(ingest.webhookUrl("connectwisecrmrest", instance.id), body, {
      "content-type": "application/json",
      "x-content-signature": connectwiseSignature(body, "attacker-key"),
    });
    expect(res.status).toBe(401);
    expect(otherHits).toBe(0);
    expect(await requestsOf(instance.id)).toHaveLength(0);
  });

  it("fetches the ConnectWise signing key once and reuses it", async () => {
    clearProviderFetchCache();
    const instance = await instanceFor("connectwisecrmrest", { "helpdesk.connectwise.server.url": keyServerUrl, company: "c", "public.key": "p", "private.key": "k" });
    const body = connectwiseBody(keyServerUrl);
    const before = keyFetches;
    for (let i = 0; i < 3; i += 1) {
      const res = await send(ingest.webhookUrl("connectwisecrmrest", instance.id), body, {
        "content-type": "application/json",
        "x-content-signature": connectwiseSignature(body, CW_SIGNING_KEY),
      });
      expect(res.status).toBe(200);
    }
    expect(keyFetches - before).toBe(1);
  });

  it("404 without detail for an unknown connector, a bad id, another connector's instance, an unknown instance or events off", async () => {
    const mailchimp = await instanceFor("mailchimpv3");
    const off = await seedInstance(acme, "campaignmonitor", { "event.notification.enabled": false });
    const body = fixture("campaignmonitor-subscribe.json");
    const urls = [
      `${ingest.url}/elements/api-v2/events/nope/${encodeInstanceId(mailchimp.id)}`,
      `${ingest.url}/elements/api-v2/events/campaignmonitor/not-base64!`,
      `${ingest.url}/elements/api-v2/events/campaignmonitor/${Buffer.from("12abc").toString("base64")}`,
      ingest.webhookUrl("campaignmonitor", mailchimp.id),
      ingest.webhookUrl("campaignmonitor", 2_000_000_000),
      ingest.webhookUrl("campaignmonitor", off.id),
    ];
    const answers = await Promise.all(urls.map((url) => send(url, body, { "content-type": "application/json" })));
    expect(answers.map((a) => a.status)).toEqual(urls.map(() => 404));
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(await requestsOf(mailchimp.id)).toHaveLength(0);
    expect(await requestsOf(off.id)).toHaveLength(0);
  });

  it("413 for a body over 1 MB, storing nothing", async () => {
    const instance = await instanceFor("campaignmonitor");
    const huge = JSON.stringify({ Events: [], ListID: "x".repeat(1024 * 1024) });
    const res = await send(ingest.webhookUrl("campaignmonitor", instance.id), huge, { "content-type": "application/json" });
    expect(res.status).toBe(413);
    expect(await requestsOf(instance.id)).toHaveLength(0);
  });

  it("403 from a sender outside the instance's IP allow-list; 200 from one inside", async () => {
    const closed = await instanceFor("campaignmonitor", { "event.notification.ip.allowlist": "203.0.113.0/24" });
    const open = await instanceFor("campaignmonitor", { "event.notification.ip.allowlist": "203.0.113.0/24, 127.0.0.1" });
    const body = fixture("campaignmonitor-subscribe.json");
    expect((await send(ingest.webhookUrl("campaignmonitor", closed.id), body, { "content-type": "application/json" })).status).toBe(403);
    expect((await send(ingest.webhookUrl("campaignmonitor", open.id), body, { "content-type": "application/json" })).status).toBe(200);
    expect(await requestsOf(closed.id)).toHaveLength(0);
  });
});

describe("refused webhooks are kept, as REJECTED, and never delivered", () => {
  async function rejected(instanceId: number) {
    await flushRejections();
    const listed = await callRoute(instanceEventsRoute.GET, {
      header: acme.header,
      params: { id: String(instanceId) },
      url: `http://localhost/elements/api-v2/instances/${instanceId}/events?status=REJECTED`,
    });
    expect(listed.status).toBe(200);
    return listed.body as { status: string; lastStatusCode: number; lastError: string; eventId: string }[];
  }

  it("a bad ConnectWise signature, a sender outside the allow-list, a body too large and events turned off", async () => {
    const cw = await instanceFor("connectwisecrmrest", { "helpdesk.connectwise.server.url": keyServerUrl, company: "c", "public.key": "p", "private.key": "k" });
    const body = connectwiseBody(keyServerUrl);
    expect((await send(ingest.webhookUrl("connectwisecrmrest", cw.id), body, { "content-type": "application/json", "x-content-signature": connectwiseSignature(body, "wrong-key") })).status).toBe(401);
    const [bad] = await rejected(cw.id);
    expect(bad).toMatchObject({ status: "REJECTED", lastStatusCode: 401, lastError: expect.stringMatching(/signature did not verify/) });
    const stored = await db().webhookRequest.findFirstOrThrow({ where: { instanceId: cw.id } });
    expect(stored).toMatchObject({ rejectedStatus: 401, remoteAddress: "127.0.0.1" });
    expect((stored.headers as Record<string, string>)["x-content-signature"]).toBe("[redacted]");
    expect(Buffer.from(stored.body).equals(body)).toBe(true);

    const closed = await instanceFor("campaignmonitor", { "event.notification.ip.allowlist": "203.0.113.0/24" });
    await send(ingest.webhookUrl("campaignmonitor", closed.id), distinctCampaignMonitorBody(), { "content-type": "application/json" });
    expect(await rejected(closed.id)).toMatchObject([{ lastStatusCode: 403, lastError: expect.stringMatching(/127\.0\.0\.1 is not in event\.notification\.ip\.allowlist/) }]);

    const big = await instanceFor("campaignmonitor");
    await send(ingest.webhookUrl("campaignmonitor", big.id), JSON.stringify({ Events: [], ListID: "x".repeat(1024 * 1024) }), { "content-type": "application/json" });
    await waitUntil(async () => (await rejected(big.id)).length === 1, 5_000, "the 413 recorded");
    expect((await rejected(big.id))[0]).toMatchObject({ lastStatusCode: 413 });

    const off = await instanceFor("campaignmonitor");
    await db().instance.update({ where: { id: off.id }, data: { eventsEnabled: false } });
    expect((await send(ingest.webhookUrl("campaignmonitor", off.id), distinctCampaignMonitorBody(), { "content-type": "application/json" })).status).toBe(404);
    expect(await rejected(off.id)).toMatchObject([{ lastStatusCode: 404, lastError: "Events are turned off for this instance." }]);

    // Never delivered: no delivery job, and the receiver saw none of them.
    const ids = [cw.id, closed.id, big.id, off.id];
    const jobs = await pool().query("SELECT 1 FROM delivery_jobs j JOIN events e ON e.id = j.event_id WHERE e.instance_id = ANY($1::int[])", [ids]);
    expect(jobs.rowCount).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rejectedIds = new Set((await db().event.findMany({ where: { instanceId: { in: ids } } })).map((e) => e.eventId));
    expect(receiver.received.filter((r) => rejectedIds.has(r.headers["elements-webhook-id"]!))).toEqual([]);
  });

  it("a webhook URL without the instance's secret, or with a wrong one: 404, kept as REJECTED, never delivered", async () => {
    const instance = await instanceFor("campaignmonitor");
    const full = ingest.webhookUrl("campaignmonitor", instance.id);
    const bare = full.split("?")[0]!;
    expect(new URL(full).searchParams.get("k")).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const json = { "content-type": "application/json" };
    expect((await send(bare, distinctCampaignMonitorBody(), json)).status).toBe(404);
    expect((await send(`${bare}?k=${"A".repeat(32)}`, distinctCampaignMonitorBody(), json)).status).toBe(404);
    expect((await send(`${bare}?k=`, distinctCampaignMonitorBody(), json)).status).toBe(404);
    // A guess answers exactly like an instance that does not exist.
    const missing = await send(ingest.webhookUrl("campaignmonitor", 2_000_000_000), distinctCampaignMonitorBody(), json);
    expect((await send(bare, distinctCampaignMonitorBody(), json)).body).toBe(missing.body);
    const refused = await rejected(instance.id);
    expect(refused).toHaveLength(4);
    expect(refused.every((row) => row.lastStatusCode === 404)).toBe(true);
    expect(refused.filter((row) => /had no secret \(\?k=\)/.test(row.lastError))).toHaveLength(2);
    expect(refused.filter((row) => /secret \(\?k=\) is wrong/.test(row.lastError))).toHaveLength(2);
    // Not even a person can send a refused webhook on: redelivery is refused (409), nothing queued.
    const again = await callRoute(redeliverRoute.POST, { method: "POST", header: acme.header, params: { key: refused[0]!.eventId } });
    expect(again.status).toBe(409);
    expect((again.body as { message: string }).message).toMatch(/REJECTED\) webhook is never delivered/);

    expect((await send(full, distinctCampaignMonitorBody(), json)).status).toBe(200);
    await deliveredEvents(instance.id, 1);
    const delivered = new Set((await db().event.findMany({ where: { instanceId: instance.id, status: "REJECTED" } })).map((e) => e.eventId));
    expect(receiver.received.filter((r) => delivered.has(r.headers["elements-webhook-id"]!))).toEqual([]);
  });

  it("the bare URL is accepted where webhooks are verified another way, where the instance opted in, and before it has a secret", async () => {
    const json = { "content-type": "application/json" };
    const bareOf = (id: number) => ingest.webhookUrl("campaignmonitor", id).split("?")[0]!;
    const allowed = await instanceFor("campaignmonitor", { "event.notification.ip.allowlist": "127.0.0.1/32" });
    expect((await send(bareOf(allowed.id), distinctCampaignMonitorBody(), json)).status).toBe(200);
    const optedIn = await instanceFor("campaignmonitor", { "event.webhook.bare.url": true });
    expect((await send(bareOf(optedIn.id), distinctCampaignMonitorBody(), json)).status).toBe(200);
    const legacy = await instanceFor("campaignmonitor");
    await db().instance.update({ where: { id: legacy.id }, data: { webhookSecretEncrypted: null } });
    expect((await send(bareOf(legacy.id), distinctCampaignMonitorBody(), json)).status).toBe(200);
    // ConnectWise signs every callback: its bare URL works with a good signature, and only with one.
    const cw = await instanceFor("connectwisecrmrest", { "helpdesk.connectwise.server.url": keyServerUrl, company: "c", "public.key": "p", "private.key": "k" });
    const body = connectwiseBody(keyServerUrl);
    const bareCw = ingest.webhookUrl("connectwisecrmrest", cw.id).split("?")[0]!;
    expect((await send(bareCw, body, { ...json, "x-content-signature": connectwiseSignature(body, CW_SIGNING_KEY) })).status).toBe(200);
    expect((await send(bareCw, body, { ...json, "x-content-signature": connectwiseSignature(body, "wrong-key") })).status).toBe(401);
    await Promise.all([allowed, optedIn, legacy, cw].map((instance) => deliveredEvents(instance.id, 1)));
  });

  it("a flood is bounded: 200 a second recorded, the newest 1,000 kept per instance, the rest counted", async () => {
    const flooded = await instanceFor("campaignmonitor", { "event.notification.ip.allowlist": "203.0.113.0/24" });
    const at = new Date();
    const reject = () =>
      recordRejection({ instanceId: flooded.id, organizationId: acme.organizationId, elementKey: "campaignmonitor", receivedAt: at, status: 403, reason: "flood", contentType: "", headers: {}, body: Buffer.alloc(0), remoteAddress: null });
    for (let i = 0; i < 500; i++) reject();
    await flushRejections();
    const kept = () => db().webhookRequest.count({ where: { instanceId: flooded.id, rejectedStatus: { not: null } } });
    const notKept = async () => (await db().instance.findUniqueOrThrow({ where: { id: flooded.id } })).rejectedNotKept;
    expect(await kept()).toBeLessThanOrEqual(200);
    expect((await kept()) + (await notKept())).toBe(500);

    // Past the newest 1,000, upkeep deletes the oldest and counts them.
    const before = { kept: await kept(), notKept: await notKept() };
    await pool().query(
      `WITH r AS (INSERT INTO webhook_requests (id, instance_id, organization_id, element_key, received_at, content_type, headers, body, rejected_status, rejected_reason)
         SELECT gen_random_uuid(), $1, $2, 'campaignmonitor', now(), '', '{}', '', 403, 'seeded' FROM generate_series(1, 1000) RETURNING id, instance_id, organization_id, received_at)
       INSERT INTO events (id, event_id, request_id, instance_id, organization_id, element_key, summary, event_count, payload, status, created_at)
       SELECT id, 'rejected-' || id, id, instance_id, organization_id, 'campaignmonitor', '[]', 0, '', 'REJECTED', received_at FROM r`,
      [flooded.id, acme.organizationId],
    );
    expect(await maintainTables()).toBe(true);
    expect(await kept()).toBe(1000);
    expect(await notKept()).toBe(before.notKept + before.kept);
    expect(await db().event.count({ where: { instanceId: flooded.id, status: "REJECTED" } })).toBe(1000);
    const api = await callRoute(instanceRoute.GET, { header: acme.header, params: { id: String(flooded.id) }, url: `http://localhost/elements/api-v2/instances/${flooded.id}` });
    expect(api.body).toMatchObject({ rejectedNotKept: before.notKept + before.kept });
  });
});

describe("group commit: webhooks arriving together share a statement, never an outcome", () => {
  const post = (id: number) => send(ingest.webhookUrl("campaignmonitor", id), distinctCampaignMonitorBody(), { "content-type": "application/json" });

  it("writes 60 concurrent webhooks in fewer statements, every one stored with its job", async () => {
    const instance = await instanceFor("campaignmonitor");
    const before = ingestStoreCounts();
    const answers = await Promise.all(Array.from({ length: 60 }, () => post(instance.id)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const after = ingestStoreCounts();
    expect(after.requests - before.requests).toBe(60);
    expect(after.statements - before.statements).toBeLessThan(60);
    // Each stored request becomes its event and is delivered once.
    const events = await deliveredEvents(instance.id, 60);
    expect(events).toHaveLength(60);
    expect(new Set(events.map((e) => e.requestId)).size).toBe(60);
  });

  it("a request that cannot be written with the others fails alone: the rest of its statement is stored", async () => {
    const healthy = await instanceFor("campaignmonitor");
    const changing = await instanceFor("campaignmonitor");
    await Promise.all([post(healthy.id), post(changing.id)]); // both cached now
    await db().instance.update({ where: { id: changing.id }, data: { eventsEnabled: false } });
    const before = ingestStoreCounts();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => post(i % 2 ? changing.id : healthy.id).then((a) => [i % 2, a.status])));
    expect(answers.filter(([odd]) => !odd).map(([, status]) => status)).toEqual(Array(20).fill(200));
    expect(answers.filter(([odd]) => odd).map(([, status]) => status)).toEqual(Array(20).fill(404));
    expect(await requestsOf(healthy.id)).toHaveLength(21);
    expect(await requestsOf(changing.id)).toHaveLength(1);
    // Requests for both instances did share statements, which failed on the changed row and were split.
    expect(ingestStoreCounts().sharedFailures).toBeGreaterThan(before.sharedFailures);
  });
});

describe("the cached instance row never outlives a change to it", () => {
  const post = (id: number) => send(ingest.webhookUrl("campaignmonitor", id), distinctCampaignMonitorBody(), { "content-type": "application/json" });

  it("events turned off, then on again, take effect on the next webhook", async () => {
    const instance = await instanceFor("campaignmonitor");
    expect((await post(instance.id)).status).toBe(200); // cached now
    await db().instance.update({ where: { id: instance.id }, data: { eventsEnabled: false } });
    expect((await post(instance.id)).status).toBe(404);
    // The refusal is recorded in the background, and when an earlier test's flood used up this second's
    // records it is counted on the instance row instead (rejected_not_kept), which is a change to the row
    // too: it lands before the edit below, not between it and the next webhook's read and store.
    await flushRejections();
    await db().instance.update({ where: { id: instance.id }, data: { eventsEnabled: true } });
    expect((await post(instance.id)).status).toBe(200);
    expect(await requestsOf(instance.id)).toHaveLength(2);
  });

  it("a sender added to the allow-list is let in at once; a deleted instance answers 404, never 500", async () => {
    const instance = await instanceFor("campaignmonitor", { "event.notification.ip.allowlist": "203.0.113.0/24" });
    expect((await post(instance.id)).status).toBe(403);
    await db().instance.update({
      where: { id: instance.id },
      data: { configuration: { ...(instance.configuration as object), "event.notification.ip.allowlist": "203.0.113.0/24, 127.0.0.1" } },
    });
    expect((await post(instance.id)).status).toBe(200);
    await db().instance.delete({ where: { id: instance.id } });
    expect((await post(instance.id)).status).toBe(404);
  });

  it("a receiver's 410 (delivery disabled) seen after caching stores the next event as DISABLED", async () => {
    const instance = await instanceFor("campaignmonitor");
    expect((await post(instance.id)).status).toBe(200);
    await db().instance.update({ where: { id: instance.id }, data: { deliveryDisabledAt: new Date() } });
    expect((await post(instance.id)).status).toBe(200);
    await waitUntil(async () => (await db().event.count({ where: { instanceId: instance.id } })) === 2, 10_000, "both webhooks processed");
    const rows = await pool().query<{ status: string }>("SELECT status::text FROM events WHERE instance_id = $1 ORDER BY created_at", [instance.id]);
    expect(rows.rows.map((r) => r.status).at(-1)).toBe("DISABLED");
  });
});

describe("the Next.js route serves the same endpoint", () => {
  type Context = Parameters<typeof ingestRoute.POST>[1];
  const context = (key: string, id: number) => ({ params: Promise.resolve({ key, id: encodeInstanceId(id) }) }) as Context;

  it("stores and answers 200, 404 and 413 like the fast path", async () => {
    const instance = await instanceFor("campaignmonitor");
    const k = new URL(ingest.webhookUrl("campaignmonitor", instance.id)).searchParams.get("k");
    const post = (body: string, key = "campaignmonitor", query = `?k=${k}`) =>
      ingestRoute.POST(new Request(`http://localhost/x${query}`, { method: "POST", headers: { "content-type": "application/json" }, body }), context(key, instance.id));
    expect((await post(fixture("campaignmonitor-subscribe.json").toString("utf8"))).status).toBe(200);
    expect((await post(distinctCampaignMonitorBody(), "campaignmonitor", "")).status).toBe(404);
    expect((await post("{}", "hootsuite")).status).toBe(404);
    expect((await post("x".repeat(1024 * 1024 + 1))).status).toBe(413);
    expect(await requestsOf(instance.id)).toHaveLength(1);
    await deliveredEvents(instance.id, 1);
  });
});

describe("all or nothing", () => {
  it("stores nothing (and answers 500, so the provider retries) when the request cannot be queued for processing", async () => {
    const instance = await instanceFor("campaignmonitor");
    // The request and its ingest_queue entry are one statement: a failing queue insert must undo the request.
    const admin = await pool().connect();
    await admin.query(`CREATE FUNCTION hookline_test_refuse_queue() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$`);
    await admin.query(`CREATE TRIGGER hookline_test_refuse_queue BEFORE INSERT ON ingest_queue FOR EACH ROW EXECUTE FUNCTION hookline_test_refuse_queue()`);
    try {
      const res = await send(ingest.webhookUrl("campaignmonitor", instance.id), fixture("campaignmonitor-subscribe.json"), {
        "content-type": "application/json",
      });
      expect(res.status).toBe(500);
      expect(await requestsOf(instance.id)).toHaveLength(0);
      expect(await db().event.count({ where: { instanceId: instance.id, status: { not: "REJECTED" } } })).toBe(0);
    } finally {
      await admin.query("DROP FUNCTION hookline_test_refuse_queue() CASCADE");
      admin.release();
    }
    const again = await send(ingest.webhookUrl("campaignmonitor", instance.id), fixture("campaignmonitor-subscribe.json"), {
      "content-type": "application/json",
    });
    expect(again.status).toBe(200);
    await deliveredEvents(instance.id, 1);
  });
});
