import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { NextRequest } from "next/server";
import * as authRoute from "@/app/api/auth/[...nextauth]/route";
import * as instanceRoute from "@/app/elements/api-v2/instances/[id]/route";
import * as instancesRoute from "@/app/elements/api-v2/instances/route";
import { authOptions } from "@/lib/auth/options";
import { db, disconnectDb } from "@/lib/db/client";
import { closeEventsPool } from "@/lib/db/pg-pool";
import { fixture } from "./fixtures/webhooks";
import { call, createTenant, type Tenant } from "./helpers/api";
import { processStoredRequests } from "@/lib/ingest/process-requests";
import { seedInstance, send, startIngestServer } from "./helpers/events";

// 500s (and error lines in the log) that reliability/fuzz.test.ts found at the edges, each pinned here
// at its source: text the database cannot store, a webhook whose fields carry half a surrogate pair,
// and next-auth's handling of a bad callbackUrl, a bad JSON body, a bad session cookie and `_log`.

let acme: Tenant;
let ingest: Awaited<ReturnType<typeof startIngestServer>>;

beforeAll(async () => {
  acme = await createTenant("Fuzz findings");
  ingest = await startIngestServer();
});

afterAll(async () => {
  await ingest?.close();
  await closeEventsPool();
  await disconnectDb();
});

const createBody = (name: unknown, configuration: Record<string, unknown> = {}) => ({
  element: { key: "campaignmonitor" },
  name,
  configuration: { "oauth.api.key": "key", "oauth.api.secret": "secret", "oauth.callback.url": "https://mycoolapp.com", ...configuration },
});

/** JSON text: JSON.stringify writes NUL and half a surrogate pair as the escapes `\u0000`, `\ud800`. */
const escaped = (value: unknown) => JSON.stringify(value);

describe("instances API: text and values the database cannot store are a 400", () => {
  it.each([
    ["a NUL in the name", createBody("a\u0000b"), "name"],
    ["half a surrogate pair in a tag", { ...createBody("ok"), tags: ["\ud800"] }, "tags"],
    ["a NUL in a known field", createBody("ok", { "oauth.api.key": "k\u0000" }), "oauth.api.key"],
    ["half a surrogate pair in an unknown value", createBody("ok", { note: { list: ["\udc00"] } }), "note"],
    ["an unknown value nested 5000 deep", createBody("ok", { deep: "DEEP" }), "deep"],
  ])("POST with %s", async (_, body, field) => {
    const raw = escaped(body).replace('"DEEP"', "[".repeat(5000) + "]".repeat(5000));
    const res = await call(instancesRoute.POST, { method: "POST", header: acme.header, rawBody: raw });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.fieldErrors)).toEqual([field]);
    expect(res.body.message).toMatch(/^Invalid request: /);
  });

  it("PATCH with a NUL in the name or a value", async () => {
    const created = await call(instancesRoute.POST, { method: "POST", header: acme.header, body: createBody("patch me") });
    expect(created.status).toBe(200);
    const res = await call(instanceRoute.PATCH, {
      method: "PATCH",
      header: acme.header,
      params: { id: String(created.body.id) },
      rawBody: escaped({ name: "x\u0000", configuration: { "events.list.ids": "\ud800" } }),
    });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.fieldErrors).sort()).toEqual(["events.list.ids", "name"]);
  });
});

describe("webhook ingest: normalized fields with half a surrogate pair", () => {
  it("are stored (as U+FFFD in the event summary), not refused by the database with a 500", async () => {
    const instance = await seedInstance(acme, "campaignmonitor", { "event.notification.callback.url": "https://receiver.invalid/hook", "events.list.ids": "x" });
    const body = fixture("campaignmonitor-subscribe.json").toString("utf8").replace('"test@example.org"', '"\\ud800@example.org"');
    const res = await send(ingest.webhookUrl("campaignmonitor", instance.id), body, { "content-type": "application/json" });
    expect(res.status, res.body).toBe(200);
    // Normalizing happens after the 2xx, from the stored request: it must not be refused either.
    await processStoredRequests();
    const [event] = await db().event.findMany({ where: { instanceId: instance.id } });
    expect(event!.summary).toEqual([expect.objectContaining({ objectId: "\ufffd@example.org" })]);
  });
});

describe("next-auth", () => {
  const context = (...nextauth: string[]) => ({ params: Promise.resolve({ nextauth }) });

  it("a callbackUrl that is not a URL goes to the start page instead of throwing", async () => {
    const redirect = authOptions.callbacks!.redirect!;
    const baseUrl = "http://localhost:3000";
    // Relative oddities resolve to a page of this site (lib/auth/callback-url.ts); what is not a URL goes home.
    for (const url of ["\u0000", "xe\u{e125b}", " "]) expect(new URL(await redirect({ url, baseUrl })).origin).toBe(baseUrl);
    expect(await redirect({ url: "http://", baseUrl })).toBe(`${baseUrl}/`);
    expect(await redirect({ url: "/instances", baseUrl })).toBe(`${baseUrl}/instances`);
    expect(await redirect({ url: `${baseUrl}/settings`, baseUrl })).toBe(`${baseUrl}/settings`);
    expect(await redirect({ url: "https://elsewhere.example/", baseUrl })).toBe(`${baseUrl}/`);
  });

  it("a body sent as JSON that is not JSON is a 400 with a message", async () => {
    const request = new NextRequest("http://localhost/api/auth/callback/credentials", { method: "POST", headers: { "content-type": "application/json" }, body: '{"email":' });
    const res = await authRoute.POST(request, context("callback", "credentials"));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/not valid JSON/);
  });

  it("POST _log writes nothing to the server log", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const logs = vi.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      const request = new NextRequest("http://localhost/api/auth/_log", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "level=error&code=FORGED&message=anyone+can+write+this",
      });
      const res = await authRoute.POST(request, context("_log"));
      expect(res.status).toBe(200);
      expect([...errors.mock.calls, ...logs.mock.calls].flat().join(" ")).not.toContain("FORGED");
    } finally {
      vi.restoreAllMocks();
    }
  });

  it("a session cookie that cannot be decrypted is a warning, not an error with a stack", () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      authOptions.logger!.error!("JWT_SESSION_ERROR", new Error("Invalid Compact JWE"));
      authOptions.logger!.error!("SIGNOUT_ERROR", { error: new Error("boom") });
      const [warning, error] = errors.mock.calls.map((call) => JSON.parse(String(call[0])) as Record<string, unknown>);
      expect(warning).toMatchObject({ level: "warn", code: "JWT_SESSION_ERROR", error: "Invalid Compact JWE" });
      expect(error).toMatchObject({ level: "error", code: "SIGNOUT_ERROR", error: "boom" });
    } finally {
      vi.restoreAllMocks();
    }
  });
});
