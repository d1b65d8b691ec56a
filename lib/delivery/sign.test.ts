import { createHmac, webcrypto } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import {
  elementsSignature,
  standardWebhookHeaders,
  standardWebhookKey,
  verifyStandardWebhook,
} from "@/lib/delivery/sign";

/** HMAC-SHA256 via WebCrypto, independent of the node:crypto code under test. */
async function webcryptoHmacBase64(key: Uint8Array, message: Uint8Array): Promise<string> {
  const imported = await webcrypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return Buffer.from(await webcrypto.subtle.sign("HMAC", imported, message)).toString("base64");
}

describe("elementsSignature", () => {
  const body = '{"message":{"eventId":"abc","events":[]}}';

  it("is sha256= + base64(HMAC-SHA256(key, body)), checked independently", async () => {
    const expected = await webcryptoHmacBase64(new TextEncoder().encode("my-signature-key"), new TextEncoder().encode(body));
    expect(elementsSignature(body, "my-signature-key")).toBe(`sha256=${expected}`);
    expect(elementsSignature(Buffer.from(body), "my-signature-key")).toBe(`sha256=${expected}`);
  });

  it("signs the exact bytes (a non-UTF-8 body is not re-encoded)", () => {
    const bytes = Buffer.from([0x7b, 0xff, 0x7d]);
    const expected = createHmac("sha256", "k").update(bytes).digest("base64");
    expect(elementsSignature(bytes, "k")).toBe(`sha256=${expected}`);
  });
});

describe("Standard Webhooks", () => {
  // The specification's published test vector (reproduced by the reference libraries' tests).
  const VECTOR = {
    secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
    timestamp: new Date(1614265330 * 1000),
    body: '{"test": 2432232314}',
    signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
  };

  it("reproduces the specification's test vector", () => {
    expect(standardWebhookHeaders(VECTOR)).toEqual({
      "webhook-id": VECTOR.id,
      "webhook-timestamp": "1614265330",
      "webhook-signature": VECTOR.signature,
    });
  });

  it("verifies the test vector at its own time, and refuses it five minutes later", () => {
    const headers = { "Webhook-Id": VECTOR.id, "Webhook-Timestamp": "1614265330", "Webhook-Signature": VECTOR.signature };
    expect(verifyStandardWebhook({ headers, body: VECTOR.body, secret: VECTOR.secret, now: VECTOR.timestamp })).toEqual({ ok: true });
    const later = new Date(VECTOR.timestamp.getTime() + 301_000);
    expect(verifyStandardWebhook({ headers, body: VECTOR.body, secret: VECTOR.secret, now: later })).toEqual({
      ok: false,
      reason: "webhook-timestamp too old",
    });
  });

  it("produces headers the standardwebhooks package verifies (whsec_ secret)", () => {
    const body = JSON.stringify({ message: { eventId: "42", events: [{ eventType: "CREATED" }] } });
    const headers = standardWebhookHeaders({ id: "evt_42", timestamp: new Date(), body, secret: VECTOR.secret });
    expect(new Webhook(VECTOR.secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(VECTOR.secret).sign("evt_42", new Date(Number(headers["webhook-timestamp"]) * 1000), body)).toBe(
      headers["webhook-signature"],
    );
  });

  it("uses a non-whsec key as its UTF-8 bytes, which the package verifies in raw format", () => {
    const key = "plain instance key ✓";
    const body = Buffer.from('{"message":{}}');
    const headers = standardWebhookHeaders({ id: "evt_1", timestamp: new Date(), body, secret: key });
    expect(standardWebhookKey(key)).toEqual(Buffer.from(key, "utf8"));
    expect(() => new Webhook(Buffer.from(key, "utf8"), { format: "raw" }).verify(body, headers)).not.toThrow();
    expect(verifyStandardWebhook({ headers, body, secret: key })).toEqual({ ok: true });
  });

  it("treats a whsec_ value that is not base64 as a raw key", () => {
    expect(standardWebhookKey("whsec_not base64!")).toEqual(Buffer.from("whsec_not base64!", "utf8"));
    expect(standardWebhookKey("whsec_")).toEqual(Buffer.from("whsec_", "utf8"));
  });

  it("rejects a tampered body, a wrong secret and missing headers; accepts any listed v1 signature", () => {
    const now = new Date();
    const body = '{"a":1}';
    const headers = standardWebhookHeaders({ id: "evt_2", timestamp: now, body, secret: VECTOR.secret });
    const verify = (h: Record<string, string | undefined>, b: string, secret = VECTOR.secret) =>
      verifyStandardWebhook({ headers: h, body: b, secret, now });
    expect(verify(headers, '{"a":2}').ok).toBe(false);
    expect(verify(headers, body, "whsec_c2VjcmV0").ok).toBe(false);
    expect(verify({ ...headers, "webhook-signature": undefined }, body)).toEqual({ ok: false, reason: "missing webhook headers" });
    expect(verify({ ...headers, "webhook-timestamp": "soon" }, body).ok).toBe(false);
    const rotated = { ...headers, "webhook-signature": `v1,bm9wZQ== v2,x ${headers["webhook-signature"]}` };
    expect(verify(rotated, body)).toEqual({ ok: true });
    expect(() => new Webhook(VECTOR.secret).verify(body, rotated)).not.toThrow();
  });
});
