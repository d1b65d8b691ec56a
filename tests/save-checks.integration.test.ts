import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import * as instanceRoute from "@/app/elements/api-v2/instances/[id]/route";
import * as instancesRoute from "@/app/elements/api-v2/instances/route";
import { db, disconnectDb } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { decryptSecrets } from "@/lib/instances/secrets";
import { beginAuthorization } from "@/lib/oauth/flow";
import { call, createTenant, hootsuiteBody, type Tenant } from "./helpers/api";
import { fakeConnectWise } from "./helpers/fake-providers";

// Bad settings refused when saved (issue 15, item 4): URLs the delivery SSRF policy refuses, and
// ConnectWise credentials its server refuses or a server that cannot be reached. Nothing is stored.

// The SSRF guard resolves through node:dns/promises: a name an attacker points at the metadata service.
vi.mock("node:dns/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:dns/promises")>();
  const answers: Record<string, { address: string; family: number }[]> = { "metadata.attacker.test": [{ address: "169.254.169.254", family: 4 }] };
  const lookup = ((hostname: string, options: unknown) => (answers[hostname] ? Promise.resolve(answers[hostname]) : real.lookup(hostname, options as never))) as typeof real.lookup;
  return { ...real, lookup, default: { ...real, lookup } };
});

const CALLBACK = "event.notification.callback.url";
const CW = { company: "acme", publicKey: "api-member", privateKey: "right-password" };

let acme: Tenant;
let cw: Awaited<ReturnType<typeof fakeConnectWise>>;

beforeAll(async () => {
  acme = await createTenant("Save checks");
  cw = await fakeConnectWise(CW);
});

afterEach(() => {
  delete process.env.HOOKLINE_ALLOW_PRIVATE_CALLBACKS;
  resetEnv();
  cw.provider.requests.length = 0;
});

afterAll(async () => {
  await cw.provider.close();
  await disconnectDb();
});

function connectwise(overrides: Record<string, unknown> = {}) {
  return {
    element: { key: "connectwisehd" },
    name: "Service desk",
    configuration: {
      "helpdesk.connectwise.server.url": cw.provider.url,
      "helpdesk.connectwise.company": CW.company,
      "helpdesk.connectwise.username": CW.publicKey,
      "helpdesk.connectwise.password": CW.privateKey,
      ...overrides,
    },
  };
}

const count = () => db().instance.count({ where: { organizationId: acme.organizationId } });
const post = (body: unknown) => call(instancesRoute.POST, { method: "POST", header: acme.header, body });
const patch = (id: number, body: unknown) => call(instanceRoute.PATCH, { method: "PATCH", header: acme.header, params: { id: String(id) }, body });

describe("callback URLs the delivery SSRF policy refuses", () => {
  it.each(["http://169.254.169.254/latest", "http://[::ffff:169.254.169.254]/", "http://metadata.attacker.test/latest/meta-data/"])(
    "%s: 400 with a field error on create, nothing stored",
    async (url) => {
      const before = await count();
      const res = await post(hootsuiteBody(url));
      expect(res.status).toBe(400);
      expect(res.body.fieldErrors[CALLBACK][0]).toMatch(/^Event Notification Callback URL is refused \(.*forbidden address .*\): Hookline does not call link-local and cloud-metadata addresses\.$/);
      expect(res.body.message).toContain(CALLBACK);
      expect(await count()).toBe(before);
    },
  );

  it("is refused by PATCH too, the stored URL kept", async () => {
    const created = await post(hootsuiteBody("https://receiver.example.test/hook"));
    expect(created.status).toBe(200);
    const res = await patch(created.body.id, { configuration: { [CALLBACK]: "http://169.254.169.254/latest" } });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.fieldErrors)).toEqual([CALLBACK]);
    const row = await db().instance.findUniqueOrThrow({ where: { id: created.body.id } });
    expect((row.configuration as Record<string, unknown>)[CALLBACK]).toBe("https://receiver.example.test/hook");
  });

  it("is refused before the browser goes to the provider's consent page, with nothing pending", async () => {
    const user = { id: acme.userId, organizationId: acme.organizationId };
    const started = beginAuthorization(user, hootsuiteBody("http://169.254.169.254/latest"));
    await expect(started).rejects.toMatchObject({ code: "bad_request", fieldErrors: { [CALLBACK]: [expect.stringMatching(/is refused/)] } });
    expect(await db().oAuthAuthorization.count({ where: { userId: acme.userId } })).toBe(0);
  });

  it("refuses loopback only when HOOKLINE_ALLOW_PRIVATE_CALLBACKS is off", async () => {
    expect((await post(hootsuiteBody("http://127.0.0.1:9/hook"))).status).toBe(200);
    process.env.HOOKLINE_ALLOW_PRIVATE_CALLBACKS = "false";
    resetEnv();
    const res = await post(hootsuiteBody("http://127.0.0.1:9/hook"));
    expect(res.status).toBe(400);
    expect(res.body.fieldErrors[CALLBACK][0]).toMatch(/forbidden address 127\.0\.0\.1.*HOOKLINE_ALLOW_PRIVATE_CALLBACKS is off/);
  });
});

describe("ConnectWise settings checked with one provider call", () => {
  it("accepted credentials: created, after exactly one call with them", async () => {
    const res = await post(connectwise());
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe("ACTIVE");
    expect(cw.provider.calls()).toEqual(["GET /v4_6_release/apis/3.0/system/callbacks"]);
  });

  it("rejected credentials: a 400 naming ConnectWise's answer, nothing stored", async () => {
    const before = await count();
    const res = await post(connectwise({ "helpdesk.connectwise.password": "wrong-password" }));
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("ConnectWise answered 401 when checking the credentials: Authentication failed. Check the Company, User Name and Password.");
    expect(JSON.stringify(res.body)).not.toContain("wrong-password");
    expect(await count()).toBe(before);
  });

  it("an unreachable server: a 502 with the reason, nothing stored", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const before = await count();
    const res = await post(connectwise({ "helpdesk.connectwise.server.url": `http://127.0.0.1:${port}` }));
    expect(res.status).toBe(502);
    expect(res.body.message).toBe("Could not reach ConnectWise: connection refused. Check the Server URL, or try again later.");
    expect(await count()).toBe(before);
  });

  it("a Server URL at the metadata service: a 400 field error, and ConnectWise is not called", async () => {
    const res = await post(connectwise({ "helpdesk.connectwise.server.url": "http://169.254.169.254" }));
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.fieldErrors)).toEqual(["helpdesk.connectwise.server.url"]);
    expect(cw.provider.requests).toHaveLength(0);
  });

  it("re-saving with a wrong password is refused and keeps the stored one; a save without authentication fields calls nothing", async () => {
    const created = await post(connectwise());
    cw.provider.requests.length = 0;
    const refused = await patch(created.body.id, { configuration: { "helpdesk.connectwise.password": "changed-wrong" } });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/^ConnectWise answered 401/);
    const row = await db().instance.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(decryptSecrets(row.secretsEncrypted)["private.key"]).toBe(CW.privateKey);

    const renamed = await patch(created.body.id, { name: "Renamed", configuration: { "event.notification.signature.key": "k2" } });
    expect(renamed.status).toBe(200);
    const toggled = await patch(created.body.id, { configuration: { "event.notification.enabled": false } });
    expect(toggled.status).toBe(200);
    expect(cw.provider.requests).toHaveLength(1);
  });
});
