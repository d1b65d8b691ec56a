import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as instanceRoute from "@/app/elements/api-v2/instances/[id]/route";
import * as instancesRoute from "@/app/elements/api-v2/instances/route";
import { db, disconnectDb } from "@/lib/db/client";
import { closeEventsPool } from "@/lib/db/pg-pool";
import { startDeliveryWorker, type DeliveryWorker } from "@/lib/delivery/worker";
import { revealSignatureKey, rotateSignatureKey, signatureKeyState } from "@/lib/instances/signature-key";
import { fixture } from "./fixtures/webhooks";
import { call, createTenant, hootsuiteBody, type Tenant } from "./helpers/api";
import { databaseUrl, seedInstance, send, startIngestServer, startReceiver, waitUntil, type Receiver } from "./helpers/events";

// Signed by default (issue 15, item 1): a key generated on create and returned once, deliveries that the
// standardwebhooks library and the documented Elements HMAC verify, and rotation with a 24 h overlap.

const KEY = "event.notification.signature.key";

let acme: Tenant;
let ingest: Awaited<ReturnType<typeof startIngestServer>>;
let worker: DeliveryWorker;
let receiver: Receiver;

beforeAll(async () => {
  acme = await createTenant("Signing Acme");
  ingest = await startIngestServer();
  receiver = await startReceiver();
  worker = await startDeliveryWorker({ connectionString: databaseUrl(), schedule: [1], pollingIntervalSeconds: 0.25 });
});

afterAll(async () => {
  await worker?.stop({ graceMs: 0 });
  await Promise.all([ingest?.close(), receiver?.close()]);
  await closeEventsPool();
  await disconnectDb();
});

let batches = 0;

/** Posts one webhook (a batch of its own: a repeated body is a DUPLICATE) and returns the delivery the receiver got for it. */
async function deliveredAfterWebhook(instanceId: number) {
  const before = receiver.received.length;
  const batch = JSON.parse(fixture("hootsuite-batch.json").toString("utf8")) as { seq_no: string }[];
  batch[0]!.seq_no = `${batch[0]!.seq_no}-${(batches += 1)}`;
  const res = await send(await ingest.instanceWebhookUrl(instanceId), JSON.stringify(batch), { "content-type": "application/json" });
  expect(res.status).toBe(200);
  await waitUntil(() => receiver.received.length > before, 15_000, "a delivery");
  return receiver.received[before]!;
}

function elementsHmac(key: string, body: Buffer): string {
  return `sha256=${createHmac("sha256", key).update(body).digest("base64")}`;
}

describe("an instance created without a signature key", () => {
  it("gets a generated whsec_ key, shown in full only in the POST answer, and every delivery verifies with it", async () => {
    const created = await call(instancesRoute.POST, { method: "POST", header: acme.header, body: hootsuiteBody(`${receiver.url}/hook`) });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const key = created.body.configuration[KEY] as string;
    expect(key).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const read = await call(instanceRoute.GET, { header: acme.header, params: { id: String(created.body.id) } });
    expect(read.body.configuration[KEY]).toMatch(/^•{8}/);
    expect(JSON.stringify(read.body)).not.toContain(key.slice(6, 30));
    const listed = await call(instancesRoute.GET, { header: acme.header });
    expect(JSON.stringify(listed.body)).not.toContain(key.slice(6, 30));
    const row = await db().instance.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row.secretsEncrypted).not.toContain(key.slice(6, 30));

    const delivery = await deliveredAfterWebhook(created.body.id);
    expect(new Webhook(key).verify(delivery.body, delivery.headers)).toEqual(JSON.parse(delivery.body.toString("utf8")));
    expect(delivery.headers["elements-webhook-signature"]).toBe(elementsHmac(key, delivery.body));
  });

  it("keeps a key the body gives, and does not echo it", async () => {
    const created = await call(instancesRoute.POST, { method: "POST", header: acme.header, body: hootsuiteBody(`${receiver.url}/hook`, { [KEY]: "my own key" }) });
    expect(created.status).toBe(200);
    expect(created.body.configuration[KEY]).toMatch(/^•{8}/);
    expect(await revealSignatureKey(acme, created.body.id)).toBe("my own key");
  });
});

describe("rotation", () => {
  it("signs with the old and the new key for 24 h, the Elements header with the new one", async () => {
    const created = await call(instancesRoute.POST, { method: "POST", header: acme.header, body: hootsuiteBody(`${receiver.url}/hook`) });
    const id = created.body.id as number;
    const oldKey = created.body.configuration[KEY] as string;

    const state = await rotateSignatureKey(acme, id);
    const newKey = (await revealSignatureKey(acme, id))!;
    expect(newKey).toMatch(/^whsec_/);
    expect(newKey).not.toBe(oldKey);
    expect(state.masked).toMatch(/^•{8}/);
    expect(state.previousUntil!.getTime() - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    const row = await db().instance.findUniqueOrThrow({ where: { id } });
    expect(row.previousSignatureKeyEncrypted).not.toContain(oldKey.slice(6, 30));

    const delivery = await deliveredAfterWebhook(id);
    expect(delivery.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect(() => new Webhook(oldKey).verify(delivery.body, delivery.headers)).not.toThrow();
    expect(() => new Webhook(newKey).verify(delivery.body, delivery.headers)).not.toThrow();
    expect(delivery.headers["elements-webhook-signature"]).toBe(elementsHmac(newKey, delivery.body));
  });

  it("a key replaced by PATCH also keeps signing for 24 h", async () => {
    const created = await call(instancesRoute.POST, { method: "POST", header: acme.header, body: hootsuiteBody(`${receiver.url}/hook`) });
    const id = created.body.id as number;
    const oldKey = created.body.configuration[KEY] as string;
    const patched = await call(instanceRoute.PATCH, { method: "PATCH", header: acme.header, params: { id: String(id) }, body: { configuration: { [KEY]: "patched key" } } });
    expect(patched.status).toBe(200);
    const delivery = await deliveredAfterWebhook(id);
    expect(() => new Webhook(oldKey).verify(delivery.body, delivery.headers)).not.toThrow();
    expect(delivery.headers["elements-webhook-signature"]).toBe(elementsHmac("patched key", delivery.body));
  });

  it("refuses another organization's instance", async () => {
    const globex = await createTenant("Signing Globex");
    const created = await call(instancesRoute.POST, { method: "POST", header: acme.header, body: hootsuiteBody(`${receiver.url}/hook`) });
    await expect(rotateSignatureKey(globex, created.body.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(revealSignatureKey(globex, created.body.id)).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("an instance stored before signing was the default", () => {
  it("delivers unsigned until a key is generated, then signed", async () => {
    const instance = await seedInstance(acme, "hootsuite", { "event.notification.callback.url": `${receiver.url}/hook` });
    expect(signatureKeyState(instance)).toEqual({ masked: null, previousUntil: null });
    const unsigned = await deliveredAfterWebhook(instance.id);
    expect(unsigned.headers).not.toHaveProperty("webhook-signature");
    expect(unsigned.headers).not.toHaveProperty("elements-webhook-signature");

    const state = await rotateSignatureKey(acme, instance.id);
    expect(state).toMatchObject({ masked: expect.stringMatching(/^•{8}/), previousUntil: null });
    const key = (await revealSignatureKey(acme, instance.id))!;
    const signed = await deliveredAfterWebhook(instance.id);
    expect(signed.headers["webhook-signature"]!.split(" ")).toHaveLength(1);
    expect(() => new Webhook(key).verify(signed.body, signed.headers)).not.toThrow();
  });
});
