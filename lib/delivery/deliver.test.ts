import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { deliver, deliveryHeaders } from "@/lib/delivery/deliver";

type Seen = { headers: http.IncomingHttpHeaders; body: Buffer; url: string };

let server: http.Server;
let port = 0;
const seen: Seen[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ headers: req.headers, body: Buffer.concat(chunks), url: req.url ?? "" });
      if (req.url === "/slow") return void setTimeout(() => res.end("late"), 2000);
      if (req.url === "/redirect") return void res.writeHead(302, { location: "http://169.254.169.254/" }).end();
      if (req.url === "/big") return void res.end("x".repeat(10_000));
      if (req.url === "/gone") return void res.writeHead(410).end("gone");
      res.writeHead(200).end("thanks");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const payload = Buffer.from(JSON.stringify({ message: { eventId: "evt-1", events: [] } }));

describe("deliveryHeaders", () => {
  it("signs the exact bytes with both schemes, verifiable by the standardwebhooks library", () => {
    const key = "my-signature-key";
    const headers = deliveryHeaders({ payload, eventId: "evt-1", signatureKey: key, now: new Date() });
    expect(headers["elements-webhook-id"]).toBe("evt-1");
    expect(headers["elements-webhook-signature"]).toBe(`sha256=${createHmac("sha256", key).update(payload).digest("base64")}`);
    expect(new Webhook(Buffer.from(key, "utf8"), { format: "raw" }).verify(payload, headers)).toEqual(JSON.parse(payload.toString()));
  });

  it("sends ids but no signatures without a key", () => {
    const headers = deliveryHeaders({ payload, eventId: "evt-1" });
    expect(headers).toMatchObject({ "elements-webhook-id": "evt-1", "webhook-id": "evt-1" });
    expect(headers).not.toHaveProperty("elements-webhook-signature");
    expect(headers).not.toHaveProperty("webhook-signature");
  });
});

describe("deliver", () => {
  it("POSTs the payload and reports status, latency and the answer", async () => {
    const result = await deliver({ url: `http://127.0.0.1:${port}/ok`, payload, eventId: "evt-1", allowPrivate: true });
    expect(result).toMatchObject({ ok: true, status: 200, excerpt: "thanks", error: null });
    expect(seen.at(-1)?.body.equals(payload)).toBe(true);
  });

  it("connects to the address it checked: a name that re-resolves to metadata is never asked again", async () => {
    const lookup = vi
      .fn()
      .mockResolvedValueOnce([{ address: "127.0.0.1", family: 4 }])
      .mockResolvedValue([{ address: "169.254.169.254", family: 4 }]);
    const result = await deliver({ url: `http://rebind.test:${port}/ok`, payload, eventId: "evt-2", allowPrivate: true, lookup });
    expect(result.ok).toBe(true);
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(seen.at(-1)?.headers.host).toBe(`rebind.test:${port}`);
  });

  it("refuses link-local / metadata addresses without connecting, and says retrying will not help", async () => {
    const before = seen.length;
    const result = await deliver({ url: "http://169.254.169.254/latest/meta-data/", payload, eventId: "evt-3", allowPrivate: true });
    expect(result).toMatchObject({ ok: false, status: null, retryable: false });
    expect(result.error).toMatch(/^refused: forbidden address 169\.254\.169\.254/);
    const name = await deliver({
      url: "http://metadata.test/",
      payload,
      eventId: "evt-3",
      allowPrivate: true,
      lookup: async () => [{ address: "169.254.169.254", family: 4 }],
    });
    expect(name.retryable).toBe(false);
    expect(seen.length).toBe(before);
  });

  it("refuses private addresses unless allowed", async () => {
    const result = await deliver({ url: `http://127.0.0.1:${port}/ok`, payload, eventId: "evt-4", allowPrivate: false });
    expect(result).toMatchObject({ ok: false, retryable: false });
  });

  it("does not follow redirects", async () => {
    const result = await deliver({ url: `http://127.0.0.1:${port}/redirect`, payload, eventId: "evt-5", allowPrivate: true });
    expect(result).toMatchObject({ ok: false, status: 302, retryable: true });
  });

  it("keeps the first 2 KB of the answer", async () => {
    const result = await deliver({ url: `http://127.0.0.1:${port}/big`, payload, eventId: "evt-6", allowPrivate: true });
    expect(result.excerpt).toHaveLength(2048);
  });

  it("times out, and reports a refused connection", async () => {
    const slow = await deliver({ url: `http://127.0.0.1:${port}/slow`, payload, eventId: "evt-7", allowPrivate: true, timeoutMs: 300 });
    expect(slow).toMatchObject({ ok: false, status: null, error: "timed out after 300 ms", retryable: true, aborted: false });
    expect(slow.ms).toBeGreaterThanOrEqual(290);
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await deliver({ url: `http://127.0.0.1:${closedPort}/`, payload, eventId: "evt-8", allowPrivate: true });
    expect(refused).toMatchObject({ ok: false, error: "connection refused", retryable: true });
  });

  it("stops when its signal fires and says so", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await deliver({ url: `http://127.0.0.1:${port}/slow`, payload, eventId: "evt-9", allowPrivate: true, signal: controller.signal });
    expect(result).toMatchObject({ ok: false, aborted: true });
  });
});
