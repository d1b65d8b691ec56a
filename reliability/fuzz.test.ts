// Fuzzing the edges a stranger can reach, with > 10 000 generated requests (fast-check) against a real
// server: POST /elements/api-v2/instances, PATCH /instances/{id}, the webhook ingest endpoint of every
// connector (ConnectWise's with valid signatures too), the OAuth callback (signed in or not, with states
// of real pending authorizations), next-auth's sign-in endpoint, and raw HTTP/1.1 that breaks framing.
// Whatever arrives: never a 5xx; an error from the API or the ingest endpoint is JSON with a message a
// person can act on; a valid body with one field made odd gets 200 or 400; no prototype is polluted; and
// the server log shows no error, no unhandled rejection and no stack trace afterwards.
//
// A failure prints fast-check's seed and path; rerun one property with `{ seed, path }` in its options.
import { copyFile } from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectwiseSignature } from "@/lib/connectors/webhooks/connectwisecrmrest";
import { db, disconnectDb } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { encodeInstanceId } from "@/lib/instances/webhook-url";
import { beginAuthorization, type FlowUser } from "@/lib/oauth/flow";
import { fixture } from "@/tests/fixtures/webhooks";
import { launchHookline, signInCookie, type HooklineProcess } from "@/tests/helpers/hookline-process";
import campaignMonitorSeed from "@/tests/fixtures/seeds/campaignmonitor.cloudelements.body.json";
import connectwiseSeed from "@/tests/fixtures/seeds/connectwisehd.body.json";
import hootsuiteSeed from "@/tests/fixtures/seeds/hootsuite.body.json";
import mailchimpSeed from "@/tests/fixtures/seeds/mailchimpv3.body.json";

const RUNS = {
  post: 2000,
  postValid: 1000,
  patch: 1600,
  patchValid: 800,
  ingest: 3500,
  ingestSigned: 500,
  callback: 900,
  signIn: 300,
  raw: 400,
};

type Json = Record<string, unknown>;
type Key = "campaignmonitor" | "connectwisecrmrest" | "hootsuite" | "mailchimpv3";
const KEYS: Key[] = ["campaignmonitor", "connectwisecrmrest", "hootsuite", "mailchimpv3"];
const OAUTH_KEYS = ["campaignmonitor", "hootsuite", "mailchimpv3"] as const;
const RAW_SEEDS: Record<Key, Json> = {
  campaignmonitor: campaignMonitorSeed,
  connectwisecrmrest: connectwiseSeed,
  hootsuite: hootsuiteSeed,
  mailchimpv3: mailchimpSeed,
};
const SIGNING_KEY = "fuzz-connectwise-signing-key";

let hookline: HooklineProcess;
let provider: Awaited<ReturnType<typeof startFuzzProvider>>;
let sessionCookie: string;
let admin: FlowUser;
/** Seeds pointing at the local provider and receiver: nothing generated reaches the internet. */
let seeds: Record<Key, Json>;
/** Instances only the ingest properties post to (never patched, so their events stay on). */
const ingestTargets = {} as Record<Key, { id: number; path: string }>;
/** Instances the PATCH properties edit. */
const patchTargets = {} as Record<Key, number>;
const histogram: Record<string, Record<number, number>> = {};
const started = performance.now();

// ---------------------------------------------------------------------------------------------------
// The providers' side: token endpoint (codes starting "ok" are granted), MailChimp's account lookup,
// ConnectWise's signing-key URL and credentials check, and the receiver of deliveries. Every other
// provider call gets a 400.

async function startFuzzProvider() {
  let deliveries = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const send = (status: number, value: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
      const path = req.url ?? "";
      if (path.startsWith("/receiver")) {
        deliveries += 1;
        return send(200, {});
      }
      if (path.startsWith("/token")) {
        const code = new URLSearchParams(Buffer.concat(chunks).toString("utf8")).get("code") ?? "";
        if (code.startsWith("ok")) return send(200, { access_token: "fuzz-access", refresh_token: "fuzz-refresh", expires_in: 3600, token_type: "bearer" });
        return send(400, { error: "invalid_grant" });
      }
      if (path.startsWith("/metadata")) return send(200, { dc: "us1", api_endpoint: `${url}/api`, accountname: "fuzz", login_url: `${url}/login` });
      if (path.startsWith("/cw/")) return send(200, { signing_key: SIGNING_KEY });
      // ConnectWise's credentials check before a save (one callback listed): accepted.
      if (req.method === "GET" && path === "/api/system/callbacks?pageSize=1") return send(200, []);
      return send(400, { error: "refused" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const env: Record<string, string> = { HOOKLINE_ALLOW_PRIVATE_CALLBACKS: "1", HOOKLINE_OAUTH_TIMEOUT_MS: "2000" };
  for (const key of ["CAMPAIGNMONITOR", "HOOTSUITE", "MAILCHIMPV3", "CONNECTWISECRMREST"]) {
    env[`HOOKLINE_${key}_TOKEN_URL`] = `${url}/token`;
    env[`HOOKLINE_${key}_API_URL`] = `${url}/api`;
    env[`HOOKLINE_${key}_METADATA_URL`] = `${url}/metadata`;
  }
  return { url, env, deliveries: () => deliveries, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function localSeed(key: Key): Json {
  const body = structuredClone(RAW_SEEDS[key]);
  const configuration = body.configuration as Json;
  configuration["event.notification.callback.url"] = `${provider.url}/receiver`;
  if ("oauth.callback.url" in configuration) configuration["oauth.callback.url"] = `${hookline.base}/oauth/callback`;
  if ("helpdesk.connectwise.server.url" in configuration) configuration["helpdesk.connectwise.server.url"] = provider.url;
  body.name = `fuzz ${key}`;
  return body;
}

async function createInstance(key: Key): Promise<{ id: number; webhookUrl: string }> {
  const body = localSeed(key);
  delete body.providerData;
  const response = await fetch(`${hookline.base}/elements/api-v2/instances`, {
    method: "POST",
    headers: { authorization: hookline.header, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const created = (await response.json()) as { id: number; webhookUrl: string };
  if (!response.ok) throw new Error(`could not create a ${key} instance: ${JSON.stringify(created)}`);
  return created;
}

beforeAll(async () => {
  provider = await startFuzzProvider();
  hookline = await launchHookline({ logFile: true, env: provider.env });
  seeds = Object.fromEntries(KEYS.map((key) => [key, localSeed(key)])) as Record<Key, Json>;
  for (const key of KEYS) {
    const ingest = await createInstance(key);
    // The path with its URL secret (`?k=`): without it every webhook would be a 404.
    const url = new URL(ingest.webhookUrl);
    ingestTargets[key] = { id: ingest.id, path: `${url.pathname}${url.search}` };
    patchTargets[key] = (await createInstance(key)).id;
  }
  sessionCookie = await signInCookie(hookline.base, hookline.adminEmail, hookline.adminPassword);
  // The OAuth flows are begun from here, as the console's server action would, on the server's database.
  process.env.HOOKLINE_LOG_LEVEL = "warn";
  process.env.DATABASE_URL = hookline.databaseUrl;
  process.env.HOOKLINE_PUBLIC_URL = hookline.base;
  resetEnv();
  await disconnectDb();
  const user = await db().user.findUniqueOrThrow({ where: { email: hookline.adminEmail } });
  admin = { id: user.id, organizationId: user.organizationId };
});

afterAll(async () => {
  await disconnectDb();
  // The server's log outlives its data folder, for a look at what a failure left there.
  const keptLog = path.join(os.tmpdir(), "hookline-fuzz-server.log");
  if (hookline?.logFile) await copyFile(hookline.logFile, keptLog);
  await hookline?.stop();
  await provider?.close();
  const rows = Object.entries(histogram).map(([target, statuses]) => {
    const count = Object.values(statuses).reduce((a, b) => a + b, 0);
    return `  ${target.padEnd(34)} ${String(count).padStart(6)}  ${Object.entries(statuses).map(([status, n]) => `${status}×${n}`).join(" ")}`;
  });
  const total = Object.values(histogram).reduce((sum, row) => sum + Object.values(row).reduce((a, b) => a + b, 0), 0);
  console.log(
    `fuzz: ${total} requests in ${((performance.now() - started) / 1000).toFixed(1)} s (server start included); ` +
      `${provider?.deliveries() ?? 0} deliveries reached the receiver; server log kept at ${keptLog}\n${rows.join("\n")}`,
  );
});

// ---------------------------------------------------------------------------------------------------
// Generators

const POLLUTING_KEYS = ["__proto__", "constructor", "prototype"];

/** One character: mostly printable ASCII, else any code point, or one of the characters that break things. */
const nastyChar = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom("\u0000", "\ud800", "\udfff", "\ufeff", "\u2028", "\u202e", "\uffff", "😀", "\\", '"', "%", "\r\n") },
);
const text = (maxLength: number) => fc.string({ unit: nastyChar, maxLength });

/** Every byte of the UTF-8 form percent-encoded (encodeURIComponent throws on a lone surrogate). */
const percentEncode = (value: string) => [...Buffer.from(value, "utf8")].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join("");
/** A URL segment or query value: generated text, or escapes that are not UTF-8 or not escapes at all. */
const urlText = (maxLength: number) =>
  fc.oneof({ weight: 4, arbitrary: text(maxLength).map(percentEncode) }, { weight: 1, arbitrary: fc.constantFrom("%", "%zz", "%FF", "%C3%28", "%ED%A0%80", "%00", "+", "%2F", "..") });

const key = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...POLLUTING_KEYS, "toString", "valueOf", "hasOwnProperty", "element", "key", "configuration", "name", "tags", "events", "providerData", "code", "event.notification.enabled") },
  { weight: 1, arbitrary: text(12) },
);

/** A JSON value with odd strings: NUL, lone surrogates, any code point. */
const jsonValue = fc.jsonValue({ maxDepth: 2, stringUnit: nastyChar });

/** JSON text (not values: `__proto__` must reach the server as a literal key), polluting keys at every depth. */
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string; object: string; array: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.jsonValue({ maxDepth: 1, stringUnit: nastyChar }).map((value) => JSON.stringify(value) ?? "null"),
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
  '{"__proto__":{"__proto__":{"polluted":"yes"}},"tags":{"__proto__":["x"]}}',
  '[{"__proto__":{"polluted":"yes"}}]',
);

const invalidUtf8 = fc.oneof(
  fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom(
    Buffer.from([0xff, 0xfe, 0xfd]),
    Buffer.from('{"name":"\xc3\x28"}', "latin1"),
    Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]), // {"a":"<CESU surrogate>"}
    Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), // BOM + {}
    Buffer.from('{"a":"\u0000"}', "utf8"), // a raw NUL inside a string: invalid JSON
  ),
);

/** A mutation of a valid body: one field replaced, removed, added, polluted or nested deep. Data, so it prints. */
const mutation = fc.record({
  where: fc.constantFrom("body", "configuration", "configuration", "element", "providerData"),
  pick: fc.nat(),
  op: fc.constantFrom("replace", "replace", "replace", "delete", "add", "pollute", "deep", "text"),
  key,
  value: jsonValue,
  text: text(40),
  depth: fc.integer({ min: 20, max: 5000 }),
});
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Sets an own property, even `__proto__` (plain assignment would replace the prototype instead). */
function define(target: Json, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

const DEEP = "\u0001deep\u0001";

/** The mutated body as JSON text (deep values spliced in as text: JSON.stringify would recurse). */
function mutate(body: Json, m: Mutation): string {
  let target: Json = body;
  if (m.where !== "body") {
    const inner = body[m.where];
    if (isRecord(inner)) target = inner;
    else if (m.where === "providerData") define(body, "providerData", (target = {}));
  }
  const names = Object.keys(target);
  const name = names.length > 0 ? names[m.pick % names.length]! : m.key;
  if (m.op === "replace") define(target, name, m.value);
  else if (m.op === "delete") delete target[name];
  else if (m.op === "add") define(target, m.key, m.value);
  else if (m.op === "text") define(target, name, m.text);
  else if (m.op === "pollute") define(target, POLLUTING_KEYS[m.pick % 3]!, { polluted: "yes", isAdmin: true, "event.notification.enabled": true, key: "hootsuite" });
  else define(target, name, DEEP);
  const json = JSON.stringify(body);
  return m.op === "deep" ? json.replace(JSON.stringify(DEEP), "[".repeat(m.depth) + "]".repeat(m.depth)) : json;
}

/** A create body of one connector, its `providerData.code` kept (refused), granted ("ok…") or dropped. */
const validCreate = fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom("refused", "granted", "dropped"), mutation).map(([connector, code, m]) => {
  const body = structuredClone(seeds[connector]);
  if (code === "dropped") delete body.providerData;
  else if (code === "granted") body.providerData = { code: "ok-fuzz" };
  return { connector, code, mutation: m, json: mutate(body, m), sent: body };
});

/** A PATCH body for one connector: some of name, tags and configuration from its seed, then one mutation. */
const validPatch = fc.tuple(fc.constantFrom(...KEYS), fc.nat({ max: 31 }), mutation).map(([connector, mask, m]) => {
  const seed = seeds[connector];
  const configuration = Object.fromEntries(Object.entries(seed.configuration as Json).filter((_, index) => (mask >> (index % 3)) & 1));
  const body: Json = { configuration };
  if (mask & 8) body.name = `patched ${connector}`;
  if (mask & 16) body.tags = ["fuzz"];
  return { connector, mutation: m, json: mutate(body, { ...m, where: m.where === "configuration" ? "configuration" : "body" }) };
});

/** How a failing body is printed: its size and start, not up to 20 000 brackets. */
function shortPrint(bytes: Buffer): Buffer {
  const preview = bytes.subarray(0, 120).toString("utf8");
  return Object.assign(bytes, { [fc.toStringMethod]: () => `<${bytes.length} bytes: ${JSON.stringify(preview)}${bytes.length > 120 ? "…" : ""}>` });
}

const anyBody = (): fc.Arbitrary<Buffer> =>
  fc
    .oneof(
      { weight: 4, arbitrary: jsonText.map((json) => Buffer.from(json)) },
      { weight: 4, arbitrary: validCreate.map((created) => Buffer.from(created.json)) },
      { weight: 2, arbitrary: validPatch.map((patch) => Buffer.from(patch.json)) },
      { weight: 1, arbitrary: deeplyNested.map((json) => Buffer.from(json)) },
      { weight: 1, arbitrary: pollution.map((json) => Buffer.from(json)) },
      { weight: 1, arbitrary: invalidUtf8 },
      { weight: 1, arbitrary: text(200).map((value) => Buffer.from(value)) },
      { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
    )
    .map(shortPrint);

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant("application/json") },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      undefined,
      "",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=xyz",
      "multipart/form-data",
      "application/json; charset=latin1",
      "application/json; charset=utf-16",
      "APPLICATION/JSON",
      "application/vnd.api+json",
      "application/xml",
      "text/xml",
      "*/*",
      "application/json, text/plain",
      "application/json;;;",
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).filter((value) => /^[\x21-\x7e ]*$/.test(value)) },
);

const headerValue = (maxLength: number) => fc.string({ maxLength }).filter((value) => /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$|^$/.test(value));

/** The right credentials mostly; else missing, malformed, another scheme, an Element token, or 10–20 kB. */
const authorization = () =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constant(hookline.header) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.constant(undefined),
        headerValue(60),
        fc.constantFrom(
          "User , Organization ",
          "Element ",
          "User x",
          "Bearer abc",
          `${hookline.header}, Element nope`,
          `${hookline.header}, Element ${"x".repeat(43)}`,
          `User ${"a".repeat(6000)}, Organization b`,
          `User ${"a".repeat(12_000)}, Organization b`,
          `User ${"a".repeat(20_000)}, Organization b`,
        ),
      ),
    },
  );

const extraHeaders = fc.dictionary(
  fc.constantFrom("x-request-id", "accept", "accept-encoding", "content-encoding", "cookie", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "origin", "user-agent", "rsc", "next-router-state-tree", "x-content-signature", "x-hub-signature"),
  fc.oneof(headerValue(80), fc.constantFrom("gzip", "br", "1", "__proto__", "../../etc/passwd", "null")),
  { maxKeys: 3 },
);

// ---------------------------------------------------------------------------------------------------
// Sending and checking

/** What the ingest endpoint serves (lib/ingest/http.ts); other paths under /events are Next's 404. */
const INGEST_ROUTE = /^\/elements\/api-v2\/events\/[^/?#]+\/[^/?#]+\/?(\?.*)?$/;

type Sent = { status: number; text: string; location?: string };

/** One request through fetch: bytes exactly as generated, any content type, redirects not followed. */
async function send(method: string, url: string, payload: Buffer | undefined, headers: Record<string, string | undefined>): Promise<Sent> {
  const clean = Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const response = await fetch(url, { method, headers: clean, body: payload && method !== "GET" && method !== "HEAD" ? new Uint8Array(payload) : undefined, redirect: "manual" });
  return { status: response.status, text: await response.text(), location: response.headers.get("location") ?? undefined };
}

/**
 * A request over node:http that reports the answer even when the server, having answered 413, closes the
 * connection before the client finished writing (fetch would only report EPIPE). `chunked`: no length.
 */
function postLarge(url: string, payload: Buffer, headers: Record<string, string>, chunked = false): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const framing = chunked ? { "transfer-encoding": "chunked" } : { "content-length": String(payload.length) };
    const request = http.request(url, { method: "POST", headers: { ...headers, ...framing } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
    });
    // A write error after an early answer is expected; give that answer a moment to be parsed.
    request.on("error", (error) => setTimeout(() => reject(error), 1000));
    if (chunked) {
      for (let at = 0; at < payload.length; at += 64 * 1024) request.write(payload.subarray(at, at + 64 * 1024));
      request.end();
    } else request.end(payload);
  });
}

function record(target: string, status: number): void {
  const row = (histogram[target] ??= {});
  row[status] = (row[status] ?? 0) + 1;
}

function messageOf(textBody: string): unknown {
  try {
    return (JSON.parse(textBody) as { message?: unknown } | null)?.message;
  } catch {
    return undefined;
  }
}

/** The contract at the API edges: < 500, and an error is JSON with a non-empty message. */
function expectHandled(target: string, result: Sent): void {
  record(target, result.status);
  expect(result.status, `${target} answered ${result.status}: ${result.text.slice(0, 300)}`).toBeLessThan(500);
  if (result.status >= 400) {
    const message = messageOf(result.text);
    expect(typeof message === "string" && message.length > 0, `${target} ${result.status} is not JSON with a message: ${result.text.slice(0, 200)}`).toBe(true);
  }
}


// ---------------------------------------------------------------------------------------------------

// The generated requests run one property after another, but the properties run side by side (up to
// vitest's maxConcurrency, 5): each waits on the server for most of its time (the console's CPU, one
// request at a time from each property), so five keep the server's processes busy where one left them
// idle between requests. The two checks that need every request done run last, on their own.
describe.concurrent("fuzzing with generated requests", () => {
  it(`POST /instances: ${RUNS.post} bodies, content types and headers`, async () => {
    await fc.assert(
      fc.asyncProperty(anyBody(), contentType, authorization(), extraHeaders, async (payload, type, auth, headers) => {
        const result = await send("POST", `${hookline.base}/elements/api-v2/instances`, payload, { ...headers, "content-type": type, authorization: auth });
        expectHandled("POST /instances", result);
      }),
      { numRuns: RUNS.post },
    );
  });

  it(`POST /instances: ${RUNS.postValid} valid bodies with one field made odd get 200 or 400`, async () => {
    await fc.assert(
      fc.asyncProperty(validCreate, async ({ json, sent }) => {
        const result = await send("POST", `${hookline.base}/elements/api-v2/instances`, Buffer.from(json), { "content-type": "application/json", authorization: hookline.header });
        expectHandled("POST /instances (valid, mutated)", result);
        expect([200, 400], result.text.slice(0, 300)).toContain(result.status);
        if (result.status === 200) {
          // Only an own `event.notification.enabled: true` turns events on, never one from a prototype.
          const configuration = sent.configuration;
          const own = isRecord(configuration) && Object.hasOwn(configuration, "event.notification.enabled") ? configuration["event.notification.enabled"] : undefined;
          expect((JSON.parse(result.text) as { eventsEnabled: boolean }).eventsEnabled).toBe(own === true);
        }
      }),
      { numRuns: RUNS.postValid },
    );
  });

  it(`PATCH /instances/{id}: ${RUNS.patch} bodies, ids and headers`, async () => {
    const id = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...KEYS.map((k) => String(patchTargets[k]))) },
      { weight: 1, arbitrary: fc.constantFrom("0", "-1", "99999999999999999999", "2147483648", "1e3", "0x1", "%00", "..", "abc", "1;DROP TABLE instances", "%F0%9F%98%80", "1%2F2") },
      { weight: 1, arbitrary: urlText(20) },
    );
    await fc.assert(
      fc.asyncProperty(id, anyBody(), contentType, authorization(), extraHeaders, async (target, payload, type, auth, headers) => {
        const result = await send("PATCH", `${hookline.base}/elements/api-v2/instances/${target}`, payload, { ...headers, "content-type": type, authorization: auth });
        expectHandled("PATCH /instances/{id}", result);
      }),
      { numRuns: RUNS.patch },
    );
  });

  it(`PATCH /instances/{id}: ${RUNS.patchValid} valid bodies with one field made odd get 200 or 400`, async () => {
    await fc.assert(
      fc.asyncProperty(validPatch, async ({ connector, json }) => {
        const result = await send("PATCH", `${hookline.base}/elements/api-v2/instances/${patchTargets[connector]}`, Buffer.from(json), {
          "content-type": "application/json",
          authorization: hookline.header,
        });
        expectHandled("PATCH /instances/{id} (valid, mutated)", result);
        expect([200, 400], result.text.slice(0, 300)).toContain(result.status);
      }),
      { numRuns: RUNS.patchValid },
    );
  });

  it(`webhook ingest, every connector: ${RUNS.ingest} bodies, paths, methods and headers`, async () => {
    const webhookBody = fc.oneof(
      { weight: 3, arbitrary: anyBody() },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom("campaignmonitor-subscribe.json", "campaignmonitor-batch.json", "mailchimp-subscribe.txt", "mailchimp-profile.txt", "hootsuite-batch.json", "connectwise-ticket-added.json")
          .map((name) => shortPrint(fixture(name))),
      },
    );
    const path = fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...KEYS.map((k) => ingestTargets[k].path)) },
      { weight: 1, arbitrary: fc.constantFrom(...KEYS.map((k) => ingestTargets[k].path)).chain((p) => fc.constantFrom(`${p}/`, `${p}?a=1&a=2`, `${p}?${"q".repeat(3000)}`, p.toUpperCase(), `${p}%00`, `${p}/extra`)) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(
            fc.constantFrom(...KEYS, "connectwisehd", "nope", "__proto__", "constructor", "%2e%2e", ""),
            fc.oneof(fc.integer({ min: 0, max: 3000 }).map(encodeInstanceId), fc.constantFrom("MA==", "LTE=", "OTk5OTk5OTk5OTk5", "=="), urlText(16)),
          )
          .map(([k, id]) => `/elements/api-v2/events/${k}/${id}`),
      },
    );
    const method = fc.oneof({ weight: 12, arbitrary: fc.constant("POST") }, { weight: 2, arbitrary: fc.constantFrom("GET", "HEAD") }, { weight: 1, arbitrary: fc.constantFrom("PUT", "PATCH", "DELETE", "OPTIONS") });
    await fc.assert(
      fc.asyncProperty(method, path, webhookBody, contentType, extraHeaders, async (verb, target, payload, type, headers) => {
        // What is sent: fetch resolves dot segments (`%2e%2e` included) as a browser would.
        const routed = INGEST_ROUTE.test(new URL(target, hookline.base).pathname);
        // Not a multipart POST to a path no route has: Next.js serves those with a page (its 404), and
        // fails a page's malformed multipart body with a 500 (see the todo below).
        fc.pre(routed || verb !== "POST" || !type?.toLowerCase().startsWith("multipart/form-data"));
        const result = await send(verb, `${hookline.base}${target}`, payload, { ...headers, "content-type": type });
        const name = !routed ? "ingest, paths no route has" : verb === "POST" ? "ingest POST" : "ingest other methods";
        if (verb === "HEAD" || result.status === 204 || result.status === 405 || !routed) {
          // No body on HEAD, on OPTIONS' 204 and on Next's 405 for a method the route does not have; a
          // path that is not the ingest route's (upper case, an extra segment) gets Next's 404 page.
          record(name, result.status);
          expect(result.status).toBeLessThan(500);
          return;
        }
        expectHandled(name, result);
        if (verb === "POST" && result.status === 200) expect(JSON.parse(result.text)).toMatchObject({ received: true });
      }),
      { numRuns: RUNS.ingest },
    );
  });

  // Found by this suite, not fixed: Next.js takes any POST with Content-Type multipart/form-data to a
  // page (any path that is not a route handler, its 404 page included) for a no-JS server action form,
  // and a body that is not valid multipart makes it answer 500 and print "⨯ TypeError: Failed to parse
  // body as FormData." Pages must take multipart forms (progressive enhancement), so the edge cannot
  // refuse them, and telling a malformed body from a good one means buffering and replaying it. The
  // fuzzer does not send such requests; the gap is listed in the README (Reliability).

  it(`webhook ingest, ConnectWise: ${RUNS.ingestSigned} correctly signed bodies with one field made odd are stored`, async () => {
    const signed = mutation.map((m) => {
      const body = JSON.parse(fixture("connectwise-ticket-added.json").toString("utf8")) as Json;
      body.Metadata = { key_url: `${provider.url}/cw/callbackkeys/1` };
      return shortPrint(Buffer.from(mutate(body, { ...m, where: "body" })));
    });
    let stored = 0;
    await fc.assert(
      fc.asyncProperty(signed, async (payload) => {
        const result = await send("POST", `${hookline.base}${ingestTargets.connectwisecrmrest.path}`, payload, {
          "content-type": "application/json",
          "x-content-signature": connectwiseSignature(payload, SIGNING_KEY),
        });
        expectHandled("ingest POST (ConnectWise, signed)", result);
        // 200 when the body still names the key URL; 401 when the mutation took it away (1 key in 12).
        expect([200, 401]).toContain(result.status);
        if (result.status === 200) stored += 1;
      }),
      { numRuns: RUNS.ingestSigned },
    );
    expect(stored, "signed ConnectWise bodies stored").toBeGreaterThan(RUNS.ingestSigned / 2);
  });

  it(`OAuth callback: ${RUNS.callback} query strings, signed in or not, with real, used and made-up states`, async () => {
    const used: string[] = [];
    const begin = async (flow: string): Promise<string> => {
      const { redirectUrl } =
        flow === "reconnect"
          ? await beginAuthorization(admin, null, { instanceId: patchTargets.campaignmonitor })
          : await beginAuthorization(admin, { ...seeds[flow as Key], providerData: undefined });
      return new URL(redirectUrl).searchParams.get("state")!;
    };
    const query = fc.record({
      session: fc.constantFrom("signed", "signed", "signed", "none", "garbage", "tampered"),
      state: fc.oneof(
        { weight: 4, arbitrary: fc.constant("fresh") },
        { weight: 1, arbitrary: fc.constant("used") },
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{43}$/) },
        { weight: 1, arbitrary: text(60) },
      ),
      flow: fc.constantFrom(...OAUTH_KEYS, "reconnect"),
      code: fc.oneof({ weight: 3, arbitrary: fc.constant("ok-code") }, { weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: text(80) }, { weight: 1, arbitrary: fc.constantFrom("a".repeat(5000), "%", "\u0000") }),
      error: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom("access_denied", "server_error", "__proto__"), text(40)) }),
      extra: fc.array(fc.tuple(fc.constantFrom("error_description", "scope", "__proto__", "code[]", "state", "code", "constructor"), urlText(60)), { maxLength: 4 }),
      method: fc.constantFrom("GET", "GET", "GET", "HEAD"),
    });
    let connected = 0;
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        let state = q.state;
        if (state === "fresh") state = await begin(q.flow);
        else if (state === "used") state = used[used.length - 1] ?? "a".repeat(43);
        const pairs: [string, string][] = [];
        if (state !== undefined) pairs.push(["state", percentEncode(state)]);
        if (q.code !== undefined) pairs.push(["code", percentEncode(q.code)]);
        if (q.error !== undefined) pairs.push(["error", percentEncode(q.error)]);
        pairs.push(...q.extra);
        const search = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join("&");
        const cookie = { signed: sessionCookie, none: undefined, garbage: "next-auth.session-token=garbage", tampered: sessionCookie.replace(/session-token=(.)/, "session-token=A$1") }[q.session];
        const result = await send(q.method, `${hookline.base}/oauth/callback?${search}`, undefined, { cookie });
        record("GET /oauth/callback", result.status);
        expect(result.status, `callback answered ${result.status}: ${result.text.slice(0, 300)}`).toBeLessThan(500);
        if (q.session !== "signed") {
          expect(result.status).toBe(307);
          expect(result.location).toMatch(/^\/login\?callbackUrl=/);
          return;
        }
        if (q.state === "fresh") used.push(state!);
        if (q.state === "fresh" && q.code === "ok-code" && q.error === undefined) {
          expect(result.status, result.text.slice(0, 300)).toBe(307);
          expect(result.location).toMatch(/^\/instances\/\d+\?connected=1$/);
        }
        if (result.status === 307 && result.location?.startsWith("/instances/")) connected += 1;
        else expect(result.status).toBe(200); // the failure page
      }),
      { numRuns: RUNS.callback },
    );
    expect(connected, "authorizations completed").toBeGreaterThan(RUNS.callback / 20);
  });

  it(`next-auth sign-in: ${RUNS.signIn} bodies and content types`, async () => {
    const form = fc.oneof(
      fc.dictionary(fc.constantFrom("email", "password", "csrfToken", "json", "callbackUrl", "__proto__", "redirect"), text(60), { maxKeys: 5 }).map((fields) => new URLSearchParams(fields).toString()),
      fc.constant(`email=${encodeURIComponent("admin@hookline.test")}&password=wrong&json=true`),
    );
    const payload = fc.oneof(form.map((value) => shortPrint(Buffer.from(value))), anyBody());
    const path = fc.constantFrom("/api/auth/callback/credentials", "/api/auth/signin/credentials", "/api/auth/signout", "/api/auth/session", "/api/auth/_log", "/api/auth/nope");
    await fc.assert(
      fc.asyncProperty(path, payload, fc.constantFrom("application/x-www-form-urlencoded", "application/json", "text/plain", undefined), async (target, body, type) => {
        const result = await send("POST", `${hookline.base}${target}`, body, { "content-type": type });
        record("POST /api/auth/*", result.status);
        expect(result.status, `${target} answered ${result.status}: ${result.text.slice(0, 300)}`).toBeLessThan(500);
      }),
      { numRuns: RUNS.signIn },
    );
  });

  it(`raw HTTP/1.1: ${RUNS.raw} requests with lying lengths, broken chunking, odd methods and huge headers`, async () => {
    const raw = fc.record({
      method: fc.oneof({ weight: 4, arbitrary: fc.constantFrom("POST", "PATCH") }, { weight: 1, arbitrary: fc.constantFrom("GET", "PUT", "DELETE", "TRACE", "PROPFIND", "SEARCH", "CONNECT", "FOO", "post", "") }),
      path: fc.constantFrom("instances", "instance", "ingest", "callback", "*", "http://evil.test/elements/api-v2/instances", "//x", "/%", "/elements/api-v2/instances/%", "/elements/api-v2/instances/..%2f..%2f"),
      version: fc.constantFrom("HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.1x", ""),
      framing: fc.constantFrom("length", "length", "longer", "shorter", "negative", "nan", "twice", "chunked", "bad-chunk", "unterminated-chunk", "chunked+length", "none"),
      noise: fc.constantFrom("none", "none", "none", "huge-header", "many-headers", "obs-fold", "no-colon", "latin1", "nul", "no-host"),
      body: anyBody().map((bytes) => shortPrint(bytes.subarray(0, 4096))),
    });
    await fc.assert(
      fc.asyncProperty(raw, async (r) => {
        const target = { instances: "/elements/api-v2/instances", instance: "/elements/api-v2/instances/999999", ingest: ingestTargets.campaignmonitor.path, callback: "/oauth/callback?code=a&state=b" }[r.path as "instances"] ?? r.path;
        const lines = [`${r.method} ${target} ${r.version}`.trim()];
        if (r.noise !== "no-host") lines.push("Host: 127.0.0.1");
        lines.push(`Authorization: ${hookline.header}`, "Content-Type: application/json", "Connection: close");
        const body = r.body;
        let payload: Buffer = body;
        const chunk = (bytes: Buffer) => Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from("\r\n0\r\n\r\n")]);
        if (r.framing === "length") lines.push(`Content-Length: ${body.length}`);
        if (r.framing === "longer") lines.push(`Content-Length: ${body.length + 100}`);
        if (r.framing === "shorter") lines.push(`Content-Length: ${Math.floor(body.length / 2)}`);
        if (r.framing === "negative") lines.push("Content-Length: -1");
        if (r.framing === "nan") lines.push("Content-Length: 12abc");
        if (r.framing === "twice") lines.push(`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`);
        if (r.framing === "chunked" || r.framing === "chunked+length") {
          lines.push("Transfer-Encoding: chunked");
          payload = chunk(body);
          if (r.framing === "chunked+length") lines.push(`Content-Length: ${body.length}`);
        }
        if (r.framing === "bad-chunk" || r.framing === "unterminated-chunk") {
          lines.push("Transfer-Encoding: chunked");
          payload =
            r.framing === "bad-chunk"
              ? Buffer.concat([Buffer.from("zz\r\n"), body, Buffer.from("\r\n0\r\n\r\n")])
              : Buffer.concat([Buffer.from(`${(body.length + 10).toString(16)}\r\n`), body]);
        }
        if (r.noise === "huge-header") lines.push(`X-Huge: ${"h".repeat(20_000)}`);
        if (r.noise === "many-headers") for (let i = 0; i < 300; i += 1) lines.push(`X-Many-${i}: ${i}`);
        if (r.noise === "obs-fold") lines.push("X-Folded: a", " b");
        if (r.noise === "no-colon") lines.push("X-No-Colon");
        const head = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
        const extra = r.noise === "latin1" ? Buffer.from("X-Latin: caf\xe9\r\n", "latin1") : r.noise === "nul" ? Buffer.from("X-Nul: a\x00b\r\n", "latin1") : Buffer.alloc(0);
        const bytes = Buffer.concat([head.subarray(0, head.length - 2), extra, Buffer.from("\r\n"), payload]);
        const answer = await rawRequest(bytes, r.framing === "longer" || r.framing === "unterminated-chunk");
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer.head)?.[1] ?? 0);
        record("raw HTTP/1.1", status);
        expect(status, `answered ${answer.head.split("\r\n")[0]}: ${answer.body.slice(0, 200)}`).toBeLessThan(500);
        const api = r.path === "instances" || r.path === "instance" || r.path === "ingest";
        const fromRoute = ["POST", "PATCH", "GET", "DELETE"].includes(r.method) && status !== 405;
        if (status >= 400 && (/content-type: application\/json/i.test(answer.head) || (api && fromRoute))) {
          const message = messageOf(answer.body);
          expect(typeof message === "string" && message.length > 0, `${status} is not JSON with a message: ${answer.body.slice(0, 200)}`).toBe(true);
        }
      }),
      { numRuns: RUNS.raw },
    );
  });

  it.sequential("bodies at and over the 1 MB limit, streamed without a length, and 1 MB of nesting: 413/400, the server still up", async () => {
    const limit = 1024 * 1024;
    const json = { "content-type": "application/json", authorization: hookline.header };
    for (const size of [limit - 100, limit + 1, 5 * limit]) {
      const big = Buffer.from(`{"name":"${"x".repeat(size)}"}`);
      expectHandled("POST /instances (huge)", await postLarge(`${hookline.base}/elements/api-v2/instances`, big, json));
      expectHandled("ingest POST (huge)", await postLarge(`${hookline.base}${ingestTargets.campaignmonitor.path}`, big, json));
    }
    const streamed = Buffer.alloc(2 * limit, "x");
    expectHandled("POST /instances (huge)", await postLarge(`${hookline.base}/elements/api-v2/instances`, streamed, json, true));
    expectHandled("ingest POST (huge)", await postLarge(`${hookline.base}${ingestTargets.hootsuite.path}`, streamed, json, true));
    const around = JSON.stringify({ ...seeds.campaignmonitor, providerData: undefined, configuration: { ...(seeds.campaignmonitor.configuration as Json), deep: DEEP } });
    const depth = Math.floor((limit - around.length) / 2);
    const nested = Buffer.from(around.replace(JSON.stringify(DEEP), "[".repeat(depth) + "]".repeat(depth)));
    expect(nested.length).toBeLessThanOrEqual(limit);
    const deepAnswer = await postLarge(`${hookline.base}/elements/api-v2/instances`, nested, json);
    expectHandled("POST /instances (huge)", deepAnswer);
    expect(deepAnswer.status).toBe(400);
    expectHandled("ingest POST (huge)", await postLarge(`${hookline.base}${ingestTargets.campaignmonitor.path}`, Buffer.from("[".repeat(depth) + "]".repeat(depth)), json));
    expect(histogram["POST /instances (huge)"]?.[413]).toBe(3);
    expect(histogram["ingest POST (huge)"]?.[413]).toBe(3);
  });

  it.sequential("leaves no prototype polluted, the server answering and nothing logged as an error", async () => {
    // The generated bodies put `polluted`, `isAdmin`, `key` and `event.notification.enabled` under
    // `__proto__`, `constructor` and `prototype` at every depth. Had one reached a prototype on the
    // server, these ordinary requests would see it: JSON.stringify hides inherited properties, lookups don't.
    const anonymous = await send("GET", `${hookline.base}/elements/api-v2/instances`, undefined, {});
    expect(anonymous.status).toBe(401);
    const keyless = await send("POST", `${hookline.base}/elements/api-v2/instances`, Buffer.from('{"element":{},"name":"x"}'), { "content-type": "application/json", authorization: hookline.header });
    expect(keyless.status).toBe(400);
    expect(messageOf(keyless.text)).toMatch(/element\.key is required/);
    const configuration = { ...(seeds.campaignmonitor.configuration as Json) };
    delete configuration["event.notification.enabled"];
    delete configuration["event.notification.callback.url"];
    const body: Json = { element: { key: "campaignmonitor" }, name: "after fuzz", configuration };
    const created = await send("POST", `${hookline.base}/elements/api-v2/instances`, Buffer.from(JSON.stringify(body)), { "content-type": "application/json", authorization: hookline.header });
    expect(created.status, created.text).toBe(200);
    expect(created.text).not.toMatch(/polluted|isAdmin|hootsuite/);
    expect(JSON.parse(created.text)).toMatchObject({ name: "after fuzz", eventsEnabled: false, tags: [], element: { key: "campaignmonitor" } });
    const list = await send("GET", `${hookline.base}/elements/api-v2/instances?elementKey=campaignmonitor`, undefined, { authorization: hookline.header });
    expect(list.status).toBe(200);
    const webhook = await send("POST", `${hookline.base}${ingestTargets.campaignmonitor.path}`, fixture("campaignmonitor-subscribe.json"), { "content-type": "application/json" });
    expect(webhook.status).toBe(200);
    const login = await fetch(`${hookline.base}/login`);
    expect(login.status).toBe(200);

    const log = await hookline.readLog();
    const lines = log.split("\n");
    expect(lines.filter((line) => /unhandledRejection|uncaughtException/.test(line))).toEqual([]);
    expect(lines.filter((line) => line.includes('"level":"error"'))).toEqual([]);
    // What Next.js, next-auth or node print for an error they caught: the ⨯ mark, a stack, an error name.
    expect(lines.filter((line) => line.includes("⨯") || /^\s+at .+:\d+:\d+\)?$/.test(line) || /^\s*(\[next-auth\]\[error\]|(\w*Error|Error):)/.test(line))).toEqual([]);
    const total = Object.values(histogram).reduce((sum, row) => sum + Object.values(row).reduce((a, b) => a + b, 0), 0);
    expect(total).toBeGreaterThanOrEqual(10_000);
  });
});

/**
 * Writes bytes on a fresh connection and reads the first answer (or none within 5 s). `halfClose`: end
 * our side after writing, for a body that lies about its length (node:http answers those at EOF; it
 * drops a request whose sender half-closes, so that is not done otherwise).
 */
function rawRequest(bytes: Buffer, halfClose: boolean): Promise<{ head: string; body: string }> {
  return new Promise((resolve) => {
    const url = new URL(hookline.base);
    const socket = net.connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    let finished = false;
    const parse = () => {
      const all = Buffer.concat(chunks).toString("latin1");
      const at = all.indexOf("\r\n\r\n");
      const head = at < 0 ? all : all.slice(0, at);
      const rest = at < 0 ? "" : all.slice(at + 4);
      const chunked = /\r\ntransfer-encoding: chunked/i.test(head);
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? NaN);
      const complete = at >= 0 && (chunked ? /(^|\r\n)0\r\n\r\n$/.test(rest) : rest.length >= length);
      return { head, body: Buffer.from(chunked ? dechunk(rest) : rest, "latin1").toString("utf8"), complete };
    };
    const done = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      const { head, body } = parse();
      resolve({ head, body });
    };
    const timer = setTimeout(done, 5000);
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      if (parse().complete) done();
    });
    socket.on("error", done);
    socket.on("close", done);
    socket.on("connect", () => {
      socket.write(bytes);
      if (halfClose) socket.end();
    });
  });
}

function dechunk(body: string): string {
  let out = "";
  let at = 0;
  for (;;) {
    const end = body.indexOf("\r\n", at);
    if (end < 0) return out;
    const size = parseInt(body.slice(at, end), 16);
    if (!size) return out;
    out += body.slice(end + 2, end + 2 + size);
    at = end + 2 + size + 2;
  }
}
