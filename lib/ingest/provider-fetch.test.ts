import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connectwiseSignature, connectwiseWebhook } from "@/lib/connectors/webhooks/connectwisecrmrest";
import type { WebhookContext } from "@/lib/connectors/contract";
import { FETCH_BURST, FETCH_REFILL_MS, normalizeProviderUrl, ProviderAnswerCache } from "@/lib/ingest/provider-answer-cache";
import { clearProviderFetchCache, providerFetcher } from "@/lib/ingest/provider-fetch";

// ConnectWise's signing key is fetched from `Metadata.key_url`, which the unauthenticated webhook body
// names. Bogus webhooks (wrong signature) with attacker-chosen key URLs on the instance's own host must
// cost a bounded number of outbound fetches and must not push the real key out of the cache.

const SIGNING_KEY = "real-signing-key";
let server: http.Server;
let base: string;
const fetched: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    fetched.push(req.url ?? "");
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ signing_key: SIGNING_KEY }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  clearProviderFetchCache();
  fetched.length = 0;
});

const connector = { events: { webhook: connectwiseWebhook, providerOrigin: "helpdesk.connectwise.server.url" } };

function context(): WebhookContext {
  const configuration = { "helpdesk.connectwise.server.url": base };
  return { configuration, fetchFromProvider: providerFetcher(connector, configuration) };
}

function webhook(keyUrl: string, signingKey: string) {
  const body = Buffer.from(JSON.stringify({ MessageId: "m", Action: "updated", Type: "ticket", ID: 1, Entity: null, Metadata: { key_url: keyUrl } }));
  return { headers: { "x-content-signature": connectwiseSignature(body, signingKey) }, body, method: "POST", contentType: "application/json", receivedAt: new Date() };
}

const verify = (keyUrl: string, signingKey: string) => connectwiseWebhook.verify(webhook(keyUrl, signingKey) as never, context());

describe("ConnectWise signing-key fetches under bogus webhooks", () => {
  it("1 000 bogus webhooks with distinct query strings cause one fetch, of the path without the query", async () => {
    const results = [];
    for (let i = 0; i < 1_000; i += 1) results.push(await verify(`${base}/keys/k1?bust=${i}#f${i}`, "attacker-key"));
    expect(results.every((result) => !result.ok)).toBe(true);
    expect(fetched).toEqual(["/keys/k1"]);
  });

  it("1 000 bogus webhooks with distinct paths cause at most the burst of fetches, and the real key stays cached", async () => {
    expect(await verify(`${base}/keys/real`, SIGNING_KEY)).toEqual({ ok: true });
    const results = await Promise.all(Array.from({ length: 1_000 }, (_, i) => verify(`${base}/keys/bogus-${i}`, "attacker-key")));
    expect(results.every((result) => !result.ok)).toBe(true);
    expect(fetched.length).toBeLessThanOrEqual(1 + FETCH_BURST);
    // The real key is still cached: no new fetch, and it verifies.
    const before = fetched.length;
    expect(await verify(`${base}/keys/real?again=1`, SIGNING_KEY)).toEqual({ ok: true });
    expect(fetched.length).toBe(before);
  });
});

describe("ProviderAnswerCache", () => {
  it("normalizes what it fetches: origin and path, no query, fragment, doubled slashes or needless escapes", () => {
    expect(normalizeProviderUrl("HTTPS://Api.Example:443//v4//keys/%7Ek%2Fy?x=1#frag")).toBe("https://api.example/v4/keys/~k%2Fy");
  });

  it("refills one fetch per FETCH_REFILL_MS and never stores a failure", async () => {
    let now = 0;
    const calls: string[] = [];
    const cache = new ProviderAnswerCache(async (url) => {
      calls.push(url);
      if (url.endsWith("/bad")) throw new Error("404");
      return { key: url };
    }, () => now);
    for (let i = 0; i < FETCH_BURST; i += 1) await expect(cache.get("https://h/bad")).rejects.toThrow("404");
    await expect(cache.get("https://h/good")).rejects.toThrow(/too many signing-key fetches/);
    now += FETCH_REFILL_MS;
    expect(await cache.get("https://h/good")).toEqual({ key: "https://h/good" });
    expect(await cache.get("https://h/good")).toEqual({ key: "https://h/good" });
    expect(calls.filter((url) => url.endsWith("/good"))).toHaveLength(1);
    // Another host has a budget of its own.
    expect(await cache.get("https://other/good")).toEqual({ key: "https://other/good" });
  });

  it("evicts the least recently used entry of the same host only, keeping one in steady use", async () => {
    let now = 0;
    const calls: string[] = [];
    const cache = new ProviderAnswerCache(async (url) => {
      calls.push(url);
      return url;
    }, () => now);
    await cache.get("https://h/real");
    await cache.get("https://other/key");
    for (let i = 0; i < 40; i += 1) {
      now += FETCH_REFILL_MS;
      await cache.get(`https://h/k${i}`);
      await cache.get("https://h/real"); // a real callback between two bogus ones
    }
    const fetches = calls.length;
    expect(await cache.get("https://h/real")).toBe("https://h/real");
    expect(await cache.get("https://other/key")).toBe("https://other/key");
    expect(calls).toHaveLength(fetches);
    expect(calls.filter((url) => url === "https://h/real")).toHaveLength(1);
  });
});
