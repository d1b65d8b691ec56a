import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { beforeAll, describe, expect, it } from "vitest";
import { deliveryHeaders } from "@/lib/delivery/deliver";
import { elementsSignature, standardWebhookHeaders } from "@/lib/delivery/sign";
import { encryptPreviousKey, generateSigningKey, previousKeyAt, ROTATION_OVERLAP_MS, SIGNATURE_KEY, signingKeys } from "@/lib/delivery/signing-keys";
import { encrypt } from "@/lib/crypto/secrets";
import { VECTOR } from "@/lib/docs/verifying-deliveries";

beforeAll(() => {
  process.env.HOOKLINE_ENCRYPTION_KEY ??= Buffer.alloc(32, 7).toString("base64");
});

describe("the documented test vector (README.md, /docs)", () => {
  it("is what lib/delivery/sign.ts computes for both schemes", () => {
    expect(elementsSignature(VECTOR.body, VECTOR.key)).toBe(VECTOR.elements);
    const timestamp = new Date(Number(VECTOR.timestamp) * 1000);
    const headers = standardWebhookHeaders({ id: VECTOR.id, timestamp, body: VECTOR.body, secret: VECTOR.key });
    expect(headers["webhook-signature"]).toBe(VECTOR.standard);
  });
});

describe("generateSigningKey", () => {
  it("is whsec_ + base64 of 32 random bytes, usable as it is by the standardwebhooks library", () => {
    const key = generateSigningKey();
    expect(key).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(key.slice(6), "base64")).toHaveLength(32);
    expect(generateSigningKey()).not.toBe(key);
    const payload = Buffer.from('{"message":{"eventId":"e"}}');
    const headers = deliveryHeaders({ payload, eventId: "e", signatureKey: key, now: new Date() });
    expect(new Webhook(key).verify(payload, headers)).toEqual(JSON.parse(payload.toString()));
    // The Elements header keys the HMAC with the key string itself, as documented.
    expect(headers["elements-webhook-signature"]).toBe(`sha256=${createHmac("sha256", key).update(payload).digest("base64")}`);
  });
});

describe("signingKeys after a rotation", () => {
  const now = new Date("2026-12-06T12:00:00Z");
  const oldKey = generateSigningKey();
  const newKey = generateSigningKey();
  const secrets = () => encrypt(JSON.stringify({ [SIGNATURE_KEY]: newKey }));

  it("signs with both keys for 24 h; the Elements header follows the new key", () => {
    const keys = signingKeys(secrets(), encryptPreviousKey(oldKey, now), new Date(now.getTime() + ROTATION_OVERLAP_MS - 1000));
    expect(keys).toEqual({ signatureKey: newKey, previousSignatureKeys: [oldKey] });
    const payload = Buffer.from('{"message":{}}');
    // Stamped with the real clock: the standardwebhooks library refuses timestamps 5 minutes off.
    const headers = deliveryHeaders({ payload, eventId: "e", ...keys, now: new Date() });
    expect(headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    expect(new Webhook(oldKey).verify(payload, headers)).toEqual({ message: {} });
    expect(new Webhook(newKey).verify(payload, headers)).toEqual({ message: {} });
    expect(headers["elements-webhook-signature"]).toBe(elementsSignature(payload, newKey));
  });

  it("drops the old key once the overlap is over", () => {
    const later = new Date(now.getTime() + ROTATION_OVERLAP_MS + 1);
    expect(signingKeys(secrets(), encryptPreviousKey(oldKey, now), later)).toEqual({ signatureKey: newKey });
    expect(previousKeyAt(encryptPreviousKey(oldKey, now), later)).toBeNull();
  });

  it("signs nothing without a current key", () => {
    expect(signingKeys(null, encryptPreviousKey(oldKey, now), now)).toEqual({});
  });
});
