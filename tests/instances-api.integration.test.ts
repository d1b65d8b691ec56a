import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { OAuth2Server } from "oauth2-mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as elementRoute from "@/app/elements/api-v2/elements/[key]/route";
import * as elementsRoute from "@/app/elements/api-v2/elements/route";
import * as instanceRoute from "@/app/elements/api-v2/instances/[id]/route";
import * as instancesRoute from "@/app/elements/api-v2/instances/route";
import * as openapiRoute from "@/app/elements/api-v2/openapi.json/route";
import { db } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { call, createTenant, type Tenant } from "./helpers/api";
import { fakeConnectWise } from "./helpers/fake-providers";

const fixturesDir = path.resolve("tests/fixtures/seeds");
const fixtures = readdirSync(fixturesDir)
  .filter((f) => f.endsWith(".json"))
  .map((file) => ({ file, body: JSON.parse(readFileSync(path.join(fixturesDir, file), "utf8")) }));

const hootsuite = () => structuredClone(fixtures.find((f) => f.file === "hootsuite.curl.json")!.body);

type SeedBody = { element: { key: string }; configuration: Record<string, unknown>; tags?: unknown; name?: string };

let acme: Tenant;
let globex: Tenant;

// The seed bodies carry `providerData.code`, which POST /instances exchanges at the provider's token
// URL: a local OAuth 2 server stands in for the providers (lib/oauth has its own tests of that).
const oauthServer = new OAuth2Server();
const overrides = ["CAMPAIGNMONITOR", "HOOTSUITE", "MAILCHIMPV3"].map((key) => `HOOKLINE_${key}_TOKEN_URL`);
// Every seed has events on, so creating it registers webhooks: the providers' APIs (ConnectWise's too,
// whatever its Server URL) point at the local server as well, which answers 404, never the internet.
// ConnectWise's API is a fake that takes any credentials: creating an instance checks them with one call.
const apiOverrides = ["CAMPAIGNMONITOR", "MAILCHIMPV3"].map((key) => `HOOKLINE_${key}_API_URL`);
let connectwise: Awaited<ReturnType<typeof fakeConnectWise>>;

beforeAll(async () => {
  await oauthServer.issuer.keys.generate("RS256");
  await oauthServer.start(0, "127.0.0.1");
  const base = `http://127.0.0.1:${oauthServer.address().port}`;
  for (const name of overrides) process.env[name] = `${base}/token`;
  for (const name of apiOverrides) process.env[name] = `${base}/no-provider-api`;
  connectwise = await fakeConnectWise("any");
  process.env.HOOKLINE_CONNECTWISECRMREST_API_URL = `${connectwise.provider.url}/v4_6_release/apis/3.0`;
  process.env.HOOKLINE_MAILCHIMPV3_METADATA_URL = `${base}/userinfo`;
  oauthServer.service.on("beforeUserinfo", (response: { body: Record<string, unknown> }) => {
    response.body = { dc: "us1", api_endpoint: "https://us1.api.mailchimp.com" };
  });
  resetEnv();
  acme = await createTenant("Acme");
  globex = await createTenant("Globex");
});

afterAll(async () => {
  await oauthServer.stop();
  await connectwise.provider.close();
  for (const name of [...overrides, ...apiOverrides, "HOOKLINE_MAILCHIMPV3_METADATA_URL", "HOOKLINE_CONNECTWISECRMREST_API_URL"]) delete process.env[name];
  resetEnv();
});

describe("POST /elements/api-v2/instances", () => {
  it.each(fixtures)("creates an instance from the seed example $file", async ({ body }) => {
    const res = await call(instancesRoute.POST, { method: "POST", header: acme.header, body });
    expect(res.status).toBe(200);
    expect(Number.isInteger(res.body.id)).toBe(true);
    expect(res.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.body).toMatchObject({ name: body.name, tags: body.tags, eventsEnabled: true, element: { key: body.element.key } });
    expect(res.body.createdDate).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(res.body.webhookUrl).toMatch(new RegExp(`/elements/api-v2/events/\\w+/${Buffer.from(String(res.body.id)).toString("base64")}\\?k=[A-Za-z0-9_-]{32}$`));
    for (const secretKey of ["oauth.api.secret", "helpdesk.connectwise.password", "event.notification.signature.key"]) {
      const sent = body.configuration[secretKey];
      if (sent === undefined) continue;
      expect(res.body.configuration[secretKey]).not.toBe(sent);
      expect(res.body.configuration[secretKey]).toMatch(/^•{8}/);
    }
  });

  it("accepts the ConnectWise JSON example under connectwisehd, stores canonical names and echoes the spelling sent", async () => {
    const body = fixtures.find((f) => f.file === "connectwisehd.curl.json")!.body;
    const res = await call(instancesRoute.POST, { method: "POST", header: acme.header, body });
    expect(res.status).toBe(200);
    expect(res.body.element).toEqual({ key: "connectwisehd", name: "ConnectWise" });
    expect(res.body.status).toBe("ACTIVE");
    expect(res.body.configuration["helpdesk.connectwise.username"]).toBe("xxxxxxxx");
    const row = await db().instance.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(row.elementKey).toBe("connectwisecrmrest");
    expect(row.configuration).toMatchObject({ "public.key": "xxxxxxxx", company: "cloudelements" });
  });

  it("keeps secrets out of the database in plain text", async () => {
    const body = hootsuite();
    body.configuration["oauth.api.secret"] = "plain-text-secret-that-must-not-be-stored";
    const res = await call(instancesRoute.POST, { method: "POST", header: acme.header, body });
    const rows = await db().$queryRawUnsafe<{ row: string }[]>(`SELECT i::text AS row FROM instances i WHERE id = ${Number(res.body.id)}`);
    expect(rows[0]!.row).not.toContain("plain-text-secret-that-must-not-be-stored");
    expect(rows[0]!.row).not.toContain(res.body.token);
  });

  it.each([
    ["unknown element key", (b: SeedBody) => (b.element.key = "nope"), "element.key"],
    ["missing required oauth.api.key", (b: SeedBody) => delete b.configuration["oauth.api.key"], "oauth.api.key"],
    ["bad callback URL", (b: SeedBody) => (b.configuration["event.notification.callback.url"] = "not a url"), "event.notification.callback.url"],
    ["events on without callback URL", (b: SeedBody) => delete b.configuration["event.notification.callback.url"], "event.notification.callback.url"],
    ["a string for a boolean", (b: SeedBody) => (b.configuration["event.notification.enabled"] = "yes"), "event.notification.enabled"],
    ["tags not strings", (b: SeedBody) => (b.tags = [1, 2]), "tags"],
    ["missing name", (b: SeedBody) => delete b.name, "name"],
  ])("answers 400 naming the API name for %s", async (_label, mutate, apiName) => {
    const body = hootsuite();
    mutate(body);
    const res = await call(instancesRoute.POST, { method: "POST", header: acme.header, body });
    expect(res.status).toBe(400);
    expect(typeof res.body.message).toBe("string");
    expect(Object.keys(res.body.fieldErrors).some((k) => k === apiName || k.startsWith(`${apiName}.`))).toBe(true);
  });

  it("answers 401, 415, 413 and 400 for a wrong header, content type, size or JSON", async () => {
    const body = hootsuite();
    expect((await call(instancesRoute.POST, { method: "POST", body })).status).toBe(401);
    expect((await call(instancesRoute.POST, { method: "POST", header: "User nope, Organization nope", body })).status).toBe(401);
    expect((await call(instancesRoute.POST, { method: "POST", header: acme.header, rawBody: "name=x", contentType: "text/plain" })).status).toBe(415);
    const huge = JSON.stringify({ ...body, padding: "x".repeat(1024 * 1024) });
    expect((await call(instancesRoute.POST, { method: "POST", header: acme.header, rawBody: huge })).status).toBe(413);
    const broken = await call(instancesRoute.POST, { method: "POST", header: acme.header, rawBody: "{ not json" });
    expect(broken.status).toBe(400);
    expect(broken.body.message).toMatch(/not valid JSON/);
    for (const weird of [null, [], 42, "text", { __proto__: { polluted: true } }, { element: null }]) {
      const res = await call(instancesRoute.POST, { method: "POST", header: acme.header, rawBody: JSON.stringify(weird) });
      expect(res.status, JSON.stringify(weird)).toBe(400);
    }
  });
});

describe("GET, PATCH, DELETE /elements/api-v2/instances/{id}", () => {
  it("round-trips: create, read, merge a PATCH (the Hootsuite step 7), list, delete", async () => {
    const created = await call(instancesRoute.POST, { method: "POST", header: acme.header, body: hootsuite() });
    const id = String(created.body.id);

    const read = await call(instanceRoute.GET, { header: acme.header, params: { id } });
    expect(read.status).toBe(200);
    expect(read.body.token).toMatch(/^•{8}/);

    const finalUrl = `https://mycoolapp.com/events/${Buffer.from(id).toString("base64")}`;
    const patched = await call(instanceRoute.PATCH, {
      method: "PATCH",
      header: acme.header,
      params: { id },
      body: { name: "Renamed", tags: ["a", "b"], configuration: { "event.notification.callback.url": finalUrl } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: "Renamed", tags: ["a", "b"] });
    expect(patched.body.configuration).toMatchObject({ "event.notification.callback.url": finalUrl, "oauth.api.key": "xxxxxxxxxxxxxxxxxxxx" });
    expect(patched.body.configuration["oauth.api.secret"]).toMatch(/^•{8}/);

    const bad = await call(instanceRoute.PATCH, { method: "PATCH", header: acme.header, params: { id }, body: { configuration: { "event.notification.enabled": "yes" } } });
    expect(bad.status).toBe(400);

    const list = await call(instancesRoute.GET, { header: acme.header, url: "http://localhost/elements/api-v2/instances?elementKey=hootsuite" });
    expect(list.body.map((i: { id: number }) => i.id)).toContain(Number(id));
    expect(list.body.every((i: { element: { key: string } }) => i.element.key === "hootsuite")).toBe(true);

    expect((await call(instanceRoute.DELETE, { method: "DELETE", header: acme.header, params: { id } })).status).toBe(200);
    expect((await call(instanceRoute.GET, { header: acme.header, params: { id } })).status).toBe(404);
  });

  it("hides one organization's instances from another: 404, never a hint", async () => {
    const created = await call(instancesRoute.POST, { method: "POST", header: acme.header, body: hootsuite() });
    const id = String(created.body.id);
    const asGlobex = { header: globex.header, params: { id } };
    const missing = await call(instanceRoute.GET, { header: globex.header, params: { id: "999999" } });
    const foreign = await call(instanceRoute.GET, asGlobex);
    expect(foreign.status).toBe(404);
    expect(foreign.body.message).toBe(missing.body.message);
    expect((await call(instanceRoute.PATCH, { ...asGlobex, method: "PATCH", body: { name: "x" } })).status).toBe(404);
    expect((await call(instanceRoute.DELETE, { ...asGlobex, method: "DELETE" })).status).toBe(404);
    const list = await call(instancesRoute.GET, { header: globex.header });
    expect(list.body.map((i: { id: number }) => i.id)).not.toContain(Number(id));
    expect((await call(instanceRoute.GET, { header: acme.header, params: { id } })).status).toBe(200);
    for (const junk of ["abc", "0", "-1", "1e3", "99999999999"]) {
      expect((await call(instanceRoute.GET, { header: acme.header, params: { id: junk } })).status).toBe(404);
    }
  });

  it("scopes a request with an Element token to that instance", async () => {
    const first = await call(instancesRoute.POST, { method: "POST", header: acme.header, body: hootsuite() });
    const second = await call(instancesRoute.POST, { method: "POST", header: acme.header, body: hootsuite() });
    const header = `${acme.header}, Element ${first.body.token}`;
    const list = await call(instancesRoute.GET, { header });
    expect(list.body.map((i: { id: number }) => i.id)).toEqual([first.body.id]);
    expect((await call(instanceRoute.GET, { header, params: { id: String(second.body.id) } })).status).toBe(404);
    expect((await call(instanceRoute.GET, { header: `${globex.header}, Element ${first.body.token}`, params: { id: String(first.body.id) } })).status).toBe(401);
  });
});

describe("event.notification.max.rate through the REST API", () => {
  const RATE = "event.notification.max.rate";
  const RATE_ERROR = "Event Notification Max Rate must be a number greater than 0 and at most 10000";

  it("stores a rate sent on create as a JSON number and echoes it", async () => {
    const body = hootsuite();
    body.configuration[RATE] = 0.5;
    const res = await call(instancesRoute.POST, { method: "POST", header: acme.header, body });
    expect(res.status).toBe(200);
    expect(res.body.configuration[RATE]).toBe(0.5);
    const rows = await db().$queryRawUnsafe<{ kind: string; rate: number }[]>(
      `SELECT jsonb_typeof(configuration->'${RATE}') AS kind, (configuration->>'${RATE}')::float8 AS rate FROM instances WHERE id = ${Number(res.body.id)}`,
    );
    expect(rows[0]).toEqual({ kind: "number", rate: 0.5 });
  });

  it.each([["fast"], ["5"], [""], [0], [-1], [10000.5], [1e9], [true], [[5]], [{ perSecond: 5 }]])(
    "answers 400 with a field error for %j on create, and creates nothing",
    async (value) => {
      const before = await db().instance.count();
      const body = hootsuite();
      body.configuration[RATE] = value;
      const res = await call(instancesRoute.POST, { method: "POST", header: acme.header, body });
      expect(res.status).toBe(400);
      expect(res.body.fieldErrors).toEqual({ [RATE]: [RATE_ERROR] });
      expect(res.body.message).toContain(RATE_ERROR);
      expect(await db().instance.count()).toBe(before);
    },
  );

  it("PATCH sets, refuses a bad value with 400 (keeping the stored one) and clears with null", async () => {
    const created = await call(instancesRoute.POST, { method: "POST", header: acme.header, body: hootsuite() });
    const id = String(created.body.id);
    expect(created.body.configuration[RATE]).toBeUndefined();
    const patch = (value: unknown) =>
      call(instanceRoute.PATCH, { method: "PATCH", header: acme.header, params: { id }, body: { configuration: { [RATE]: value } } });

    const set = await patch(25);
    expect(set.status).toBe(200);
    expect(set.body.configuration[RATE]).toBe(25);

    for (const value of ["fast", 0, -2, 10001, "25"]) {
      const bad = await patch(value);
      expect(bad.status, String(value)).toBe(400);
      expect(bad.body.fieldErrors, String(value)).toEqual({ [RATE]: [RATE_ERROR] });
    }
    expect((await call(instanceRoute.GET, { header: acme.header, params: { id } })).body.configuration[RATE]).toBe(25);

    const cleared = await patch(null);
    expect(cleared.status).toBe(200);
    expect(cleared.body.configuration).not.toHaveProperty(RATE);
    const row = await db().instance.findUniqueOrThrow({ where: { id: Number(id) } });
    expect(row.configuration).not.toHaveProperty(RATE);
  });

  it("lists the row, with its type and bounds, on every connector", async () => {
    const list = await call(elementsRoute.GET, { header: acme.header });
    for (const element of list.body as { key: string; configuration: { key: string }[] }[]) {
      // The row itself is checked in the catalog test; here, that the API carries its type and bounds.
      const row = element.configuration.find((r) => r.key === RATE);
      expect(row, element.key).toMatchObject({ type: "number", required: false, range: { exclusiveMinimum: 0, maximum: 10000 } });
    }
  });
});

describe("connectors and the OpenAPI document", () => {
  it("lists connectors with their parameter rows, and resolves aliases", async () => {
    const list = await call(elementsRoute.GET, { header: acme.header });
    expect(list.body.map((e: { key: string }) => e.key)).toEqual(["campaignmonitor", "connectwisecrmrest", "hootsuite", "mailchimpv3"]);
    const one = await call(elementRoute.GET, { header: acme.header, params: { key: "connectwisehd" } });
    expect(one.body.key).toBe("connectwisecrmrest");
    const privateKey = one.body.configuration.find((r: { key: string }) => r.key === "private.key");
    expect(privateKey).toMatchObject({ name: "Password", type: "secret", required: true, aliases: ["helpdesk.connectwise.password"] });
    expect((await call(elementRoute.GET, { header: acme.header, params: { key: "nope" } })).status).toBe(404);
  });

  it("describes every connector's create body in OpenAPI 3.1, from the zod schemas", async () => {
    const res = await call(openapiRoute.GET as never);
    expect(res.body.openapi).toBe("3.1.0");
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(["/instances", "/instances/{id}", "/elements", "/elements/{key}"]));
    const cm = res.body.components.schemas.CreateInstance_campaignmonitor;
    expect(cm.properties.configuration.required).toEqual(expect.arrayContaining(["oauth.api.key", "oauth.api.secret"]));
    expect(cm.properties.configuration.properties["event.notification.callback.url"]).toMatchObject({ format: "uri", title: "Event Notification Callback URL" });
    expect(res.body.components.schemas.CreateInstance_connectwisecrmrest.properties.element.properties.key.enum).toEqual(["connectwisecrmrest", "connectwisehd"]);
    expect(cm.properties.configuration.properties["event.notification.max.rate"]).toMatchObject({
      anyOf: [{ type: "number", exclusiveMinimum: 0, maximum: 10000 }, { type: "null" }],
      title: "Event Notification Max Rate",
    });
  });
});
