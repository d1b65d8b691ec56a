import { webcrypto } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { connectwiseSignature, connectwiseWebhook } from "@/lib/connectors/webhooks/connectwisecrmrest";
import type { WebhookContext } from "@/lib/connectors/contract";
import { RECEIVED_AT, fixture, incoming } from "@/tests/fixtures/webhooks";

const SIGNING_KEY = "c2lnbmluZy1rZXktZnJvbS1jb25uZWN0d2lzZQ==";
const KEY_URL = "https://api-na.myconnectwise.net/v4_6_release/apis/3.0/system/callbackkeys/1f2e3d4c";

/** The scheme computed with WebCrypto instead of node:crypto's streaming API, as an independent check. */
async function independentSignature(body: Buffer, signingKey: string): Promise<string> {
  const keyBytes = await webcrypto.subtle.digest("SHA-256", new TextEncoder().encode(signingKey));
  const key = await webcrypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return Buffer.from(await webcrypto.subtle.sign("HMAC", key, body)).toString("base64");
}

function context(fetchFromProvider?: WebhookContext["fetchFromProvider"]): WebhookContext {
  return { configuration: {}, fetchFromProvider };
}

const fetchKey = () => vi.fn(async (url: string) => (url === KEY_URL ? { signing_key: SIGNING_KEY } : {}));

describe("connectwiseWebhook.parse", () => {
  it("normalizes an added ticket, dating it (and its change, for reconciliation with polling) from the entity's _info.lastUpdated", () => {
    const body = fixture("connectwise-ticket-added.json");
    const result = connectwiseWebhook.parse(incoming(body), RECEIVED_AT);
    expect(result.raw).toEqual(JSON.parse(body.toString("utf8")));
    expect(typeof (result.raw as { Entity: unknown }).Entity).toBe("string");
    expect(result.events).toEqual([
      {
        eventType: "CREATED",
        objectType: "ticket",
        objectId: "12345",
        eventDate: "2024-03-05T14:22:11.000Z",
        changeDate: "2024-03-05T14:22:11.000Z",
      },
    ]);
  });

  it("normalizes a deleted contact (Entity null → dated when received)", () => {
    const result = connectwiseWebhook.parse(incoming(fixture("connectwise-contact-deleted.json")), RECEIVED_AT);
    expect(result.events).toEqual([
      { eventType: "DELETED", objectType: "contact", objectId: "678", eventDate: RECEIVED_AT.toISOString() },
    ]);
  });

  it("maps updated → UPDATED, lower-cases Type, and tolerates odd actions", () => {
    const parse = (payload: object) => connectwiseWebhook.parse(incoming(JSON.stringify(payload)), RECEIVED_AT).events;
    expect(parse({ Action: "Updated", Type: "Company", ID: "250", Entity: "{not json" })).toEqual([
      { eventType: "UPDATED", objectType: "company", objectId: "250", eventDate: RECEIVED_AT.toISOString() },
    ]);
    expect(parse({ Action: "merged", Type: "ticket" })).toEqual([
      { eventType: "UNKNOWN", objectType: "ticket", objectId: null, eventDate: RECEIVED_AT.toISOString() },
    ]);
  });

  it.each([["[]"], ['{"hello":"world"}'], ["{"], ["null"]])("turns %j into one UNKNOWN event", (body) => {
    expect(connectwiseWebhook.parse(incoming(body), RECEIVED_AT)).toEqual({
      raw: { body },
      events: [{ eventType: "UNKNOWN", objectType: "unknown", objectId: null, eventDate: RECEIVED_AT.toISOString() }],
      unrecognized: expect.stringMatching(/\.$/),
    });
  });
});

describe("connectwiseSignature", () => {
  it("matches an independent computation: base64(HMAC-SHA256(SHA-256(signing_key), body))", async () => {
    const body = fixture("connectwise-ticket-added.json");
    expect(connectwiseSignature(body, SIGNING_KEY)).toBe(await independentSignature(body, SIGNING_KEY));
    expect(connectwiseSignature(body.toString("utf8"), SIGNING_KEY)).toBe(connectwiseSignature(body, SIGNING_KEY));
  });
});

describe("connectwiseWebhook.verify", () => {
  const body = fixture("connectwise-ticket-added.json");
  const signed = (payload: Buffer, signature: string) => incoming(payload, "application/json", { "x-content-signature": signature });

  it("accepts a good signature, fetching the key from Metadata.key_url through the provider fetcher", async () => {
    const fetcher = fetchKey();
    const signature = await independentSignature(body, SIGNING_KEY);
    await expect(connectwiseWebhook.verify(signed(body, signature), context(fetcher))).resolves.toEqual({ ok: true });
    expect(fetcher).toHaveBeenCalledWith(KEY_URL);
  });

  it("rejects a tampered body", async () => {
    const signature = connectwiseSignature(body, SIGNING_KEY);
    const tampered = Buffer.from(body.toString("utf8").replace('"ID":12345', '"ID":12346'));
    const result = await connectwiseWebhook.verify(signed(tampered, signature), context(fetchKey()));
    expect(result).toEqual({ ok: false, reason: "signature mismatch" });
  });

  it("rejects a signature made with another key, or of another length", async () => {
    const wrongKey = connectwiseSignature(body, "another key");
    expect((await connectwiseWebhook.verify(signed(body, wrongKey), context(fetchKey()))).ok).toBe(false);
    expect((await connectwiseWebhook.verify(signed(body, "abc"), context(fetchKey()))).ok).toBe(false);
  });

  it("rejects a missing header without fetching anything", async () => {
    const fetcher = fetchKey();
    const result = await connectwiseWebhook.verify(incoming(body), context(fetcher));
    expect(result).toEqual({ ok: false, reason: "missing x-content-signature header" });
    expect(fetcher).not.toHaveBeenCalled();
  });

  it("rejects when the key cannot be had", async () => {
    const signature = connectwiseSignature(body, SIGNING_KEY);
    const failing = vi.fn(async () => {
      throw new Error("host not allowed");
    });
    expect(await connectwiseWebhook.verify(signed(body, signature), context(failing))).toEqual({
      ok: false,
      reason: "could not fetch the signing key",
    });
    expect((await connectwiseWebhook.verify(signed(body, signature), context(async () => ({})))).ok).toBe(false);
    expect((await connectwiseWebhook.verify(signed(body, signature), context(async () => "key"))).ok).toBe(false);
    expect((await connectwiseWebhook.verify(signed(body, signature), context())).ok).toBe(false);
  });

  it("rejects a body without Metadata.key_url", async () => {
    const payload = Buffer.from(JSON.stringify({ Action: "added", Type: "ticket", ID: 1 }));
    const result = await connectwiseWebhook.verify(signed(payload, "x"), context(fetchKey()));
    expect(result).toEqual({ ok: false, reason: "callback has no Metadata.key_url" });
  });
});
