import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "@/lib/db/client";
import { closeEventsPool, eventsPool } from "@/lib/db/pg-pool";
import { startDeliveryWorker, type DeliveryWorker } from "@/lib/delivery/worker";
import { uuidv7 } from "@/lib/events/ids";
import { storeRequest, type StoredRequest } from "@/lib/ingest/store";
import { getEventDetail } from "@/lib/live-log/event-detail";
import { fixture } from "./fixtures/webhooks";
import { createTenant, type Tenant } from "./helpers/api";
import { callRoute, databaseUrl, seedInstance, send, startIngestServer, startReceiver, waitUntil, type Receiver } from "./helpers/events";
import * as instanceEventsRoute from "@/app/elements/api-v2/instances/[id]/events/route";
import * as redeliverRoute from "@/app/elements/api-v2/events/[key]/redeliver/route";

// A provider that retries a webhook it already sent (it missed our 2xx, or retries on a timer) must not
// get its event delivered twice: the repeat is stored and shown as DUPLICATE, linked to the first, and
// not delivered. The check is the dedup key written in the statement that stores the request.

let acme: Tenant;
let ingest: Awaited<ReturnType<typeof startIngestServer>>;
let receiver: Receiver;
let worker: DeliveryWorker;

beforeAll(async () => {
  acme = await createTenant("Dedup Acme");
  ingest = await startIngestServer();
  receiver = await startReceiver();
  worker = await startDeliveryWorker({ connectionString: databaseUrl(), schedule: [1], pollingIntervalSeconds: 0.1 });
});

afterAll(async () => {
  await worker?.stop({ graceMs: 0 });
  await Promise.all([ingest?.close(), receiver?.close()]);
  await closeEventsPool();
  await disconnectDb();
});

const FORM = { "content-type": "application/x-www-form-urlencoded" };

async function requestsOf(instanceId: number) {
  const { rows } = await eventsPool().query<{ id: string; duplicate_of: string | null }>(
    "SELECT id, duplicate_of FROM webhook_requests WHERE instance_id = $1 ORDER BY id",
    [instanceId],
  );
  return rows;
}

describe("duplicate webhooks", () => {
  it("the same MailChimp body posted twice: one delivery, and one DUPLICATE row linked to the first", async () => {
    const instance = await seedInstance(acme, "mailchimpv3", { "event.notification.callback.url": receiver.url });
    const body = fixture("mailchimp-subscribe.txt");
    for (let i = 0; i < 2; i++) expect((await send(ingest.webhookUrl("mailchimpv3", instance.id), body, FORM)).status).toBe(200);

    const [first, repeat] = await requestsOf(instance.id);
    expect(first!.duplicate_of).toBeNull();
    expect(repeat!.duplicate_of).toBe(first!.id);
    await waitUntil(async () => (await db().event.count({ where: { instanceId: instance.id, status: "DELIVERED" } })) === 1, 10_000, "the first delivered");
    await waitUntil(async () => (await db().event.count({ where: { instanceId: instance.id, status: "DUPLICATE" } })) === 1, 10_000, "the repeat processed");
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // a second delivery would have gone out by now
    const events = await db().event.findMany({ where: { instanceId: instance.id } });
    expect(receiver.received.filter((r) => events.some((e) => e.eventId === r.headers["elements-webhook-id"]))).toHaveLength(1);
    expect(await eventsPool().query("SELECT 1 FROM delivery_jobs j JOIN events e ON e.id = j.event_id WHERE e.instance_id = $1", [instance.id]).then((r) => r.rowCount)).toBe(0);
    // A person's redelivery of the repeat is refused too (409), pointing at the first.
    const repeatEvent = events.find((e) => e.status === "DUPLICATE")!;
    const again = await callRoute(redeliverRoute.POST, { method: "POST", header: acme.header, params: { key: repeatEvent.eventId } });
    expect(again.status).toBe(409);
    expect((again.body as { message: string }).message).toMatch(/redeliver that one/);

    // The API lists it by status, with the request it repeats.
    const listed = await callRoute(instanceEventsRoute.GET, {
      header: acme.header,
      params: { id: String(instance.id) },
      url: `http://localhost/elements/api-v2/instances/${instance.id}/events?status=DUPLICATE`,
    });
    expect(listed.status).toBe(200);
    const page = listed.body as { status: string; duplicateOf: string | null }[];
    expect(page).toHaveLength(1);
    expect(page[0]).toMatchObject({ status: "DUPLICATE", duplicateOf: first!.id });
    // The log's side panel links it to the first, which it lists as an event of its own.
    const duplicate = events.find((e) => e.status === "DUPLICATE")!;
    expect((await getEventDetail(acme.organizationId, duplicate.id))?.request?.duplicateOf).toBe(first!.id);
    expect((await getEventDetail(acme.organizationId, first!.id))?.row.status).toBe("DELIVERED");
  }, 30_000);

  it("a different body is no duplicate, nor the same body to another instance", async () => {
    const a = await seedInstance(acme, "mailchimpv3", { "event.notification.callback.url": receiver.url });
    const b = await seedInstance(acme, "mailchimpv3", { "event.notification.callback.url": receiver.url });
    const body = fixture("mailchimp-profile.txt");
    await send(ingest.webhookUrl("mailchimpv3", a.id), body, FORM);
    await send(ingest.webhookUrl("mailchimpv3", b.id), body, FORM);
    await send(ingest.webhookUrl("mailchimpv3", a.id), body.toString("utf8").replace("fired_at=", "fired_at=1"), FORM);
    expect((await requestsOf(a.id)).map((r) => r.duplicate_of)).toEqual([null, null]);
    expect((await requestsOf(b.id)).map((r) => r.duplicate_of)).toEqual([null]);
  });

  it("a key held longer than the window passes to the new request", async () => {
    const instance = await seedInstance(acme, "mailchimpv3", { "event.notification.callback.url": receiver.url });
    const body = fixture("mailchimp-unsubscribe.txt");
    await send(ingest.webhookUrl("mailchimpv3", instance.id), body, FORM);
    await eventsPool().query("UPDATE webhook_dedup_keys SET received_at = received_at - interval '25 hours' WHERE instance_id = $1", [instance.id]);
    await send(ingest.webhookUrl("mailchimpv3", instance.id), body, FORM);
    await send(ingest.webhookUrl("mailchimpv3", instance.id), body, FORM);
    const [first, second, third] = await requestsOf(instance.id);
    expect(first!.duplicate_of).toBeNull();
    expect(second!.duplicate_of).toBeNull();
    expect(third!.duplicate_of).toBe(second!.id);
  });

  it("repeats that share one group-committed statement follow the first of them", async () => {
    const instance = await seedInstance(acme, "mailchimpv3", { "event.notification.callback.url": receiver.url });
    const { rows } = await eventsPool().query<{ version: string }>("SELECT xmin::text AS version FROM instances WHERE id = $1", [instance.id]);
    const request = (dedupKey: string): StoredRequest => ({
      id: uuidv7(),
      instanceId: instance.id,
      instanceVersion: rows[0]!.version,
      organizationId: acme.organizationId,
      elementKey: "mailchimpv3",
      receivedAt: new Date(),
      contentType: "text/plain",
      headers: "{}",
      body: Buffer.from(dedupKey),
      remoteAddress: null,
      dedupKey,
    });
    // The first goes alone; the next three wait for it and are written together in one statement.
    const batch = [request("k-alone"), request("k-shared"), request("k-shared"), request("k-shared")];
    await Promise.all(batch.map((r) => storeRequest(r)));
    const stored = new Map((await requestsOf(instance.id)).map((r) => [r.id, r.duplicate_of]));
    expect(stored.get(batch[0]!.id)).toBeNull();
    expect(stored.get(batch[1]!.id)).toBeNull();
    expect(stored.get(batch[2]!.id)).toBe(batch[1]!.id);
    expect(stored.get(batch[3]!.id)).toBe(batch[1]!.id);
  });
});
