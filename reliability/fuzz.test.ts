// Fuzzing the edges a stranger can reach: POST/PATCH /elements/api-v2/instances, the webhook ingest
// endpoint and the OAuth callback, with > 10 000 generated requests (fast-check) against a real server.
// Whatever arrives: never a 5xx, an error is JSON with a message a person can act on, and the server
// log shows no error and no unhandled rejection afterwards.
import http from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCampaignMonitorInstance } from "@/bench/setup";
import { encodeInstanceId } from "@/lib/instances/webhook-url";
import { launchHookline, signInCookie, type HooklineProcess } from "@/tests/helpers/hookline-process";
import { startRefusingProvider } from "./refusing-provider";
import { fixture } from "@/tests/fixtures/webhooks";
import campaignMonitorSeed from "@/tests/fixtures/seeds/campaignmonitor.cloudelements.body.json";
import connectwiseSeed from "@/tests/fixtures/seeds/connectwisehd.body.json";
import hootsuiteSeed from "@/tests/fixtures/seeds/hootsuite.body.json";
import mailchimpSeed from "@/tests/fixtures/seeds/mailchimpv3.body.json";

const RUNS = { post: 3000, patch: 2500, ingest: 4000, callback: 800 };
const SEEDS = [campaignMonitorSeed, connectwiseSeed, hootsuiteSeed, mailchimpSeed] as Record<string, unknown>[];

let hookline: HooklineProcess;
let provider: Awaited<ReturnType<typeof startRefusingProvider>>;
let instance: { id: number; webhookUrl: string };
let sessionCookie: string;
const histogram: Record<string, Record<number, number>> = {};

beforeAll(async () => {
  // Every provider call gets a quick 400: the fuzzer is about Hookline's edges, not an unreachable internet.
  provider = await startRefusingProvider(400, '{"error":"invalid_grant"}');
  hookline = await launchHookline({ logFile: true, env: { ...provider.env, HOOKLINE_OAUTH_TIMEOUT_MS: "2000" } });
  instance = await createCampaignMonitorInstance(hookline, "http://127.0.0.1:9/unused");
  sessionCookie = await signInCookie(hookline.base, hookline.adminEmail, hookline.adminPassword);
});

afterAll(async () => {
  await hookline?.stop();
  await provider?.close();
  console.log("fuzz: status histogram per target", JSON.stringify(histogram));
});

// ---------------------------------------------------------------------------------------------------
// Generators

const POLLUTING_KEYS = ["__proto__", "constructor", "prototype"];
const key = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...POLLUTING_KEYS, "toString", "valueOf", "hasOwnProperty", "element", "key", "configuration", "name", "tags", "events", "Events", "type") },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

/** JSON text (not values: `__proto__` must reach the server as a literal key), nested a few levels. */
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string; object: string; array: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.jsonValue({ maxDepth: 1 }).map((value) => JSON.stringify(value) ?? "null"),
    tie("object"),
    tie("array"),
  ),
  object: fc.array(fc.tuple(key, tie("value")), { maxLength: 5 }).map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`),
  array: fc.array(tie("value"), { maxLength: 5 }).map((items) => `[${items.join(",")}]`),
})).value;

/** 1 to 20 000 levels of arrays or objects: the parser, not the stack, must give up. */
const deeplyNested = fc.tuple(fc.integer({ min: 1, max: 20_000 }), fc.boolean()).map(([depth, arrays]) =>
  arrays ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth),
);

const pollution = fc.constantFrom(
  '{"__proto__":{"isAdmin":true,"polluted":"yes"},"element":{"key":"campaignmonitor"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}},"name":"x"}',
  '{"element":{"key":"campaignmonitor","__proto__":{"key":"hootsuite"}},"configuration":{"__proto__":{"event.notification.enabled":true}}}',
  '{"configuration":{"constructor":{"prototype":{"oauth.api.secret":"x"}}}}',
);

/** A valid create body from a seed with one field replaced, removed or made odd: the deep validation paths. */
const mutatedSeed = fc
  .tuple(fc.constantFrom(...SEEDS), fc.nat(), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined)), fc.boolean(), fc.boolean())
  .map(([seed, pick, value, inConfiguration, dropCode]) => {
    const body = structuredClone(seed);
    if (dropCode) delete body.providerData;
    const target = (inConfiguration ? body.configuration : body) as Record<string, unknown>;
    const keys = Object.keys(target);
    const name = keys[pick % keys.length]!;
    if (value === undefined) delete target[name];
    else target[name] = value;
    return JSON.stringify(body);
  });

const invalidUtf8 = fc.oneof(
  fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom(Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from('{"name":"\xc3\x28"}', "latin1"), Buffer.from([0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d])),
);

/** How a failing body is printed: its size and start, not up to 20 000 brackets. */
function shortPrint(bytes: Buffer): Buffer {
  const preview = bytes.subarray(0, 120).toString("utf8");
  return Object.assign(bytes, { [fc.toStringMethod]: () => `<${bytes.length} bytes: ${JSON.stringify(preview)}${bytes.length > 120 ? "…" : ""}>` });
}

const body: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 4, arbitrary: jsonText.map((text) => Buffer.from(text)) },
  { weight: 4, arbitrary: mutatedSeed.map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: deeplyNested.map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: pollution.map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: invalidUtf8 },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((text) => Buffer.from(text)) },
).map(shortPrint);

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant("application/json") },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      undefined,
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=xyz",
      "application/json; charset=latin1",
      "application/json; charset=utf-16",
      "application/xml",
      "*/*",
      "application/json, text/plain",
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).filter((text) => /^[\x21-\x7e ]*$/.test(text)) },
);

type Sent = { status: number; text: string };

/** One raw request: bytes exactly as generated, any content type, no help from fetch. */
async function send(method: string, url: string, payload: Buffer | undefined, headers: Record<string, string | undefined>): Promise<Sent> {
  const clean = Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const response = await fetch(url, { method, headers: clean, body: payload ? new Uint8Array(payload) : undefined, redirect: "manual" });
  return { status: response.status, text: await response.text() };
}

/**
 * A POST over node:http that reports the answer even when the server, having answered 413, closes the
 * connection before the client finished writing (fetch would only report EPIPE).
 */
function postLarge(url: string, payload: Buffer, headers: Record<string, string>): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: "POST", headers: { ...headers, "content-length": String(payload.length) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
    });
    // A write error after an early answer is expected; give that answer a moment to be parsed.
    request.on("error", (error) => setTimeout(() => reject(error), 1000));
    request.end(payload);
  });
}

function record(target: string, result: Sent): void {
  const row = (histogram[target] ??= {});
  row[result.status] = (row[result.status] ?? 0) + 1;
}

/** The contract at the API edges: < 500, and an error is JSON with a non-empty message. */
function expectHandled(target: string, result: Sent): void {
  record(target, result);
  expect(result.status, `${target} answered ${result.status}: ${result.text.slice(0, 300)}`).toBeLessThan(500);
  if (result.status >= 400) {
    let parsed: unknown;
    expect(() => (parsed = JSON.parse(result.text)), `${target} ${result.status} is not JSON: ${result.text.slice(0, 200)}`).not.toThrow();
    const message = (parsed as { message?: unknown }).message;
    expect(typeof message === "string" && message.length > 0, `${target} ${result.status} has no message: ${result.text.slice(0, 200)}`).toBe(true);
  }
}

const authorization = () =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constant(hookline.header) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.constant(undefined),
        fc.string({ maxLength: 60 }).filter((text) => /^[\x20-\x7e]*$/.test(text)),
        fc.constantFrom("User , Organization ", "Element ", "User x", "Bearer abc", `User ${"a".repeat(6000)}, Organization b`),
      ),
    },
  );

// ---------------------------------------------------------------------------------------------------

describe("fuzzing with generated requests", () => {
  it(`POST /instances: ${RUNS.post} bodies`, async () => {
    await fc.assert(
      fc.asyncProperty(body, contentType, authorization(), async (payload, type, auth) => {
        expectHandled("POST /instances", await send("POST", `${hookline.base}/elements/api-v2/instances`, payload, { "content-type": type, authorization: auth }));
      }),
      { numRuns: RUNS.post },
    );
  });

  it(`PATCH /instances/{id}: ${RUNS.patch} bodies and ids`, async () => {
    const id = fc.oneof(
      { weight: 6, arbitrary: fc.constant(String(instance.id)) },
      { weight: 1, arbitrary: fc.constantFrom("0", "-1", "99999999999999999999", "1e3", "%00", "..", "abc", "1;DROP TABLE instances") },
      { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map(encodeURIComponent) },
    );
    await fc.assert(
      fc.asyncProperty(id, body, contentType, authorization(), async (target, payload, type, auth) => {
        expectHandled(
          "PATCH /instances/{id}",
          await send("PATCH", `${hookline.base}/elements/api-v2/instances/${target}`, payload, { "content-type": type, authorization: auth }),
        );
      }),
      { numRuns: RUNS.patch },
    );
  });

  it(`webhook ingest: ${RUNS.ingest} bodies, paths and headers`, async () => {
    const webhookBody = fc.oneof(
      { weight: 3, arbitrary: body },
      { weight: 1, arbitrary: fc.constantFrom(fixture("campaignmonitor-subscribe.json"), fixture("mailchimp-subscribe.txt"), fixture("connectwise-ticket-added.json")) },
    );
    const path = fc.oneof(
      { weight: 6, arbitrary: fc.constant(new URL(instance.webhookUrl).pathname) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.constantFrom("campaignmonitor", "mailchimpv3", "hootsuite", "connectwisecrmrest", "nope", "__proto__"), fc.oneof(fc.nat().map(encodeInstanceId), fc.string({ maxLength: 16 }).map(encodeURIComponent)))
          .map(([key, id]) => `/elements/api-v2/events/${key}/${id}`),
      },
    );
    const extraHeaders = fc.dictionary(
      fc.constantFrom("x-content-signature", "x-forwarded-for", "user-agent", "x-hub-signature", "authorization", "content-encoding"),
      fc.string({ maxLength: 80 }).filter((text) => /^[\x20-\x7e]*$/.test(text)),
      { maxKeys: 3 },
    );
    await fc.assert(
      fc.asyncProperty(path, webhookBody, contentType, extraHeaders, async (target, payload, type, headers) => {
        expectHandled("ingest", await send("POST", `${hookline.base}${target}`, payload, { ...headers, "content-type": type }));
      }),
      { numRuns: RUNS.ingest },
    );
  });

  it(`OAuth callback: ${RUNS.callback} query strings, signed in and not`, async () => {
    const value = fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom("", "%", "%zz", "a".repeat(3000), "\u0000", "💥"));
    const query = fc
      .array(fc.tuple(fc.constantFrom("code", "state", "error", "error_description", "scope", "__proto__", "code[]"), value), { maxLength: 5 })
      .map((pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&"));
    await fc.assert(
      fc.asyncProperty(query, fc.boolean(), async (search, signedIn) => {
        const result = await send("GET", `${hookline.base}/oauth/callback?${search}`, undefined, { cookie: signedIn ? sessionCookie : undefined });
        record("GET /oauth/callback", result);
        expect(result.status, `callback answered ${result.status}: ${result.text.slice(0, 300)}`).toBeLessThan(500);
      }),
      { numRuns: RUNS.callback },
    );
  });

  it("bodies at and over the 1 MB limit: 413 with a message, the server still up", async () => {
    const limit = 1024 * 1024;
    for (const size of [limit - 100, limit + 1, 5 * limit]) {
      const big = Buffer.from(`{"name":"${"x".repeat(size)}"}`);
      expectHandled("POST /instances (huge)", await postLarge(`${hookline.base}/elements/api-v2/instances`, big, { "content-type": "application/json", authorization: hookline.header }));
      expectHandled("ingest (huge)", await postLarge(instance.webhookUrl, big, { "content-type": "application/json" }));
    }
    expect(histogram["ingest (huge)"]?.[413]).toBe(2);
    expect(histogram["POST /instances (huge)"]?.[413]).toBe(2);
  });

  it("leaves no prototype polluted and nothing logged as an error", async () => {
    const list = await send("GET", `${hookline.base}/elements/api-v2/instances`, undefined, { authorization: hookline.header });
    expect(list.status).toBe(200);
    expect(list.text).not.toMatch(/"(polluted|isAdmin)"/);
    const created = await send("POST", `${hookline.base}/elements/api-v2/instances`, Buffer.from(JSON.stringify({ ...campaignMonitorSeed, providerData: undefined, name: "after fuzz" })), {
      "content-type": "application/json",
      authorization: hookline.header,
    });
    expect(created.status).toBe(200);
    expect(created.text).not.toMatch(/polluted|isAdmin/);

    const log = await hookline.readLog();
    const total = Object.values(histogram).reduce((sum, row) => sum + Object.values(row).reduce((a, b) => a + b, 0), 0);
    console.log(`fuzz: ${total} requests; server log ${log.length} bytes`);
    expect(total).toBeGreaterThanOrEqual(10_000);
    expect(log).not.toMatch(/unhandledRejection|uncaughtException/);
    expect(log.split("\n").filter((line) => line.includes('"level":"error"'))).toEqual([]);
    // Next.js prints errors it caught in a page or route with this mark.
    expect(log).not.toContain("⨯");
  });
});
