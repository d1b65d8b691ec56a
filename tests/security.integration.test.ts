// Security checks across the whole surface: organization B reaches none of organization A's instances,
// events or authorizations through any API route or server action (the lists below must name every
// route file and every exported action, so a new one cannot be forgotten), and a callback host that
// resolves to the cloud metadata address is never connected to.
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// Server actions sign in through requireUser(); here it answers with whoever `actingUser` is.
const session = vi.hoisted(() => ({ actingUserId: "" }));
vi.mock("@/lib/auth/session", async () => {
  const { db } = await import("@/lib/db/client");
  return {
    requireUser: async () => db().user.findUniqueOrThrow({ where: { id: session.actingUserId }, include: { organization: true } }),
  };
});
vi.mock("next/cache", () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));
// The metadata-address check: one name resolves to 169.254.169.254, as an attacker's DNS would answer.
vi.mock("node:dns/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:dns/promises")>();
  const lookup = ((hostname: string, options: unknown) =>
    hostname === "metadata.attacker.test"
      ? Promise.resolve([{ address: "169.254.169.254", family: 4 }])
      : real.lookup(hostname, options as never)) as typeof real.lookup;
  return { ...real, default: { ...real, lookup }, lookup };
});

import * as instancesRoute from "@/app/elements/api-v2/instances/route";
import * as instanceRoute from "@/app/elements/api-v2/instances/[id]/route";
import * as instanceEventsRoute from "@/app/elements/api-v2/instances/[id]/events/route";
import * as instanceRedeliverRoute from "@/app/elements/api-v2/instances/[id]/events/redeliver/route";
import * as instanceTestEventRoute from "@/app/elements/api-v2/instances/[id]/events/test/route";
import * as eventRoute from "@/app/elements/api-v2/events/[key]/route";
import * as eventRedeliverRoute from "@/app/elements/api-v2/events/[key]/redeliver/route";
import * as eventsActions from "@/app/(dashboard)/events/actions";
import * as settingsActions from "@/app/(dashboard)/settings/actions";
import * as instanceActions from "@/app/(dashboard)/instances/[id]/actions";
import * as subscriptionActions from "@/app/(dashboard)/instances/[id]/subscription-actions";
import * as editActions from "@/app/(dashboard)/instances/[id]/edit/actions";
import * as newInstanceActions from "@/app/(dashboard)/connectors/[key]/new/actions";
import * as oauthActions from "@/app/oauth/actions";
import * as setupActions from "@/app/(auth)/setup/actions";
import { decrypt } from "@/lib/crypto/secrets";
import { db, disconnectDb } from "@/lib/db/client";
import { closeEventsPool } from "@/lib/events/pg-pool";
import { resetDeliveryQueue } from "@/lib/events/queue";
import { startDeliveryWorker, type DeliveryWorker } from "@/lib/events/worker";
import { beginAuthorization } from "@/lib/oauth/flow";
import { fixture } from "./fixtures/webhooks";
import { call, createTenant, type Tenant } from "./helpers/api";
import { databaseUrl, seedInstance, send, startIngestServer, startReceiver, waitUntil, type Receiver } from "./helpers/events";

let acme: Tenant; // the victim
let globex: Tenant; // the other organization
let acmeInstance: { id: number };
let acmeEventId: string;
let acmeAuthorizationId: string;
let globexInstance: { id: number; token: string };
let ingest: Awaited<ReturnType<typeof startIngestServer>>;
let receiver: Receiver;
let worker: DeliveryWorker;

/** Everything of Acme's that a leak or a write would change, to compare before and after. */
async function acmeState() {
  const [instances, events, attempts, authorizations, org] = await Promise.all([
    db().instance.findMany({ where: { organizationId: acme.organizationId }, orderBy: { id: "asc" } }),
    db().event.findMany({ where: { organizationId: acme.organizationId }, orderBy: { id: "asc" }, select: { id: true, status: true, attempts: true, jobId: true } }),
    db().deliveryAttempt.count({ where: { event: { organizationId: acme.organizationId } } }),
    db().oAuthAuthorization.findMany({ where: { userId: acme.userId }, orderBy: { id: "asc" } }),
    db().organization.findUniqueOrThrow({ where: { id: acme.organizationId } }),
  ]);
  return JSON.stringify({ instances, events, attempts, authorizations, org });
}

beforeAll(async () => {
  acme = await createTenant("Security Acme");
  globex = await createTenant("Security Globex");
  ingest = await startIngestServer();
  receiver = await startReceiver();
  worker = await startDeliveryWorker({ connectionString: databaseUrl(), schedule: [1], pollingIntervalSeconds: 0.5 });
  const seeded = await seedInstance(acme, "campaignmonitor", {
    "event.notification.callback.url": receiver.url,
    "event.notification.signature.key": "acme-signature-key",
    "oauth.api.key": "acme-client",
    "oauth.api.secret": "acme-client-secret",
    "oauth.callback.url": "https://hookline.example/oauth/callback",
  });
  acmeInstance = { id: seeded.id };
  // Through the API, which is where an instance token is handed out.
  const other = await call(instancesRoute.POST, {
    method: "POST",
    header: globex.header,
    body: {
      element: { key: "campaignmonitor" },
      name: "Globex",
      configuration: { "oauth.api.key": "k", "oauth.api.secret": "s", "oauth.callback.url": "https://globex.example/cb" },
    },
  });
  expect(other.status).toBe(200);
  globexInstance = { id: other.body.id, token: other.body.token };
  expect((await send(ingest.webhookUrl("campaignmonitor", acmeInstance.id), fixture("campaignmonitor-subscribe.json"), { "content-type": "application/json" })).status).toBe(200);
  await waitUntil(async () => (await db().event.count({ where: { instanceId: acmeInstance.id, status: "DELIVERED" } })) === 1, 20_000, "Acme's event delivered");
  acmeEventId = (await db().event.findFirstOrThrow({ where: { instanceId: acmeInstance.id } })).id;
  acmeAuthorizationId = (
    await beginAuthorization({ id: acme.userId, organizationId: acme.organizationId }, null, { instanceId: acmeInstance.id })
  ).authorizationId;
});

afterAll(async () => {
  await worker?.stop({ graceMs: 0 });
  await Promise.all([ingest?.close(), receiver?.close()]);
  await closeEventsPool();
  resetDeliveryQueue();
  await disconnectDb();
});

// ---------------------------------------------------------------------------------------------------

const API_DIR = path.resolve(import.meta.dirname, "../app");

/** Route files under app/, relative (e.g. `elements/api-v2/instances/[id]/route.ts`). */
function routeFiles(dir = API_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [path.relative(API_DIR, full)] : [];
  });
}

/** Files with "use server" under app/, relative. */
function actionFiles(dir = API_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return actionFiles(full);
    return entry.name.endsWith(".ts") && /^["']use server["']/m.test(readFileSync(full, "utf8")) ? [path.relative(API_DIR, full)] : [];
  });
}

/** Routes that hold no organization's data, and why; each other route is probed in the test below. */
const NOT_ORGANIZATION_SCOPED: Record<string, string> = {
  "api/auth/[...nextauth]/route.ts": "next-auth's sign-in endpoints",
  "elements/api-v2/elements/route.ts": "the connector catalog (the same for everyone)",
  "elements/api-v2/elements/[key]/route.ts": "one connector of the catalog",
  "elements/api-v2/elements/[key]/oauth/url/route.ts": "builds a consent URL from the caller's own values",
  "elements/api-v2/openapi.json/route.ts": "the API description",
  "elements/api-v2/[...path]/route.ts": "a JSON 404 for paths no endpoint has",
  "elements/api-v2/events/[key]/[id]/route.ts": "the providers' webhook ingest (no account; writes only into the instance's own organization)",
  "(dashboard)/events/stream/route.ts": "organization isolation of the live stream is tested in event-log.integration.test.ts",
};

const PROBED_ROUTES = [
  "elements/api-v2/instances/route.ts",
  "elements/api-v2/instances/[id]/route.ts",
  "elements/api-v2/instances/[id]/events/route.ts",
  "elements/api-v2/instances/[id]/events/redeliver/route.ts",
  "elements/api-v2/instances/[id]/events/test/route.ts",
  "elements/api-v2/events/[key]/route.ts",
  "elements/api-v2/events/[key]/redeliver/route.ts",
];

describe("another organization's data through the REST API", () => {
  it("names every route file: probed below or not organization-scoped, with the reason", () => {
    expect(routeFiles().sort()).toEqual([...PROBED_ROUTES, ...Object.keys(NOT_ORGANIZATION_SCOPED)].sort());
  });

  it("404 for every route and method with Acme's ids, as Globex's users and Globex's instance token", async () => {
    const before = await acmeState();
    const id = String(acmeInstance.id);
    for (const header of [globex.header, `${globex.header}, Element ${globexInstance.token}`]) {
      const answers = {
        "GET instance": await call(instanceRoute.GET, { header, params: { id } }),
        "PATCH instance": await call(instanceRoute.PATCH, { method: "PATCH", header, params: { id }, body: { name: "pwned" } }),
        "DELETE instance": await call(instanceRoute.DELETE, { method: "DELETE", header, params: { id } }),
        "GET instance events": await call(instanceEventsRoute.GET, { header, params: { id } }),
        "POST redeliver failed": await call(instanceRedeliverRoute.POST, { method: "POST", header, params: { id } }),
        "POST test event": await call(instanceTestEventRoute.POST, { method: "POST", header, params: { id } }),
        "GET event": await call(eventRoute.GET, { header, params: { key: acmeEventId } }),
        "POST redeliver event": await call(eventRedeliverRoute.POST, { method: "POST", header, params: { key: acmeEventId } }),
      };
      for (const [what, answer] of Object.entries(answers)) {
        expect([404, 403], `${what} as ${header.includes("Element") ? "Globex's instance token" : "Globex"}: ${answer.status} ${JSON.stringify(answer.body)}`).toContain(answer.status);
        expect(JSON.stringify(answer.body)).not.toContain(acmeEventId);
      }
      const list = await call(instancesRoute.GET, { header });
      expect(list.status).toBe(200);
      expect((list.body as { id: number }[]).map((instance) => instance.id)).not.toContain(acmeInstance.id);
    }
    expect(await acmeState()).toBe(before);
  });
});

describe("another organization's data through the server actions", () => {
  type Probe = (ids: { instance: number; event: string; authorization: string }) => Promise<unknown>;
  // Each exported action, called as Globex with Acme's ids: the result must be a refusal (or Globex's own
  // data), and Acme's rows must be unchanged afterwards.
  const probes: Record<string, Record<string, Probe>> = {
    "(dashboard)/events/actions.ts": {
      loadMoreEventsAction: async (ids) => {
        const page = await eventsActions.loadMoreEventsAction(`instance=${ids.instance}`, "not-a-cursor");
        if (page.ok) expect(page.data.rows).toEqual([]);
      },
      eventDetailAction: async (ids) => expect(await eventsActions.eventDetailAction(ids.event)).toMatchObject({ ok: false }),
      redeliverEventAction: async (ids) => expect(await eventsActions.redeliverEventAction(ids.event)).toMatchObject({ ok: false }),
      curlForEventAction: async (ids) => expect(await eventsActions.curlForEventAction(ids.event)).toMatchObject({ ok: false }),
      sendTestEventAction: async (ids) => expect(await eventsActions.sendTestEventAction(ids.instance)).toMatchObject({ ok: false }),
      eventStatsAction: async (ids) => {
        const stats = await eventsActions.eventStatsAction(ids.instance);
        expect(JSON.stringify(stats)).not.toMatch(/"(total|delivered)":[1-9]/);
      },
    },
    "(dashboard)/settings/actions.ts": {
      revealSecretAction: async () => {
        const acmeOrg = await db().organization.findUniqueOrThrow({ where: { id: acme.organizationId } });
        const revealed = await settingsActions.revealSecretAction("organization");
        expect(revealed.ok && revealed.data.secret).not.toBe(decrypt(acmeOrg.secretEncrypted));
      },
      rotateSecretAction: async () => expect(await settingsActions.rotateSecretAction("organization")).toMatchObject({ ok: true }), // Globex's own
    },
    "(dashboard)/instances/[id]/actions.ts": {
      setEventsEnabledAction: async (ids) => expect(await instanceActions.setEventsEnabledAction(ids.instance, false)).toMatchObject({ ok: false }),
      deleteInstanceAction: async (ids) => expect(await instanceActions.deleteInstanceAction(ids.instance)).toMatchObject({ ok: false }),
    },
    "(dashboard)/instances/[id]/subscription-actions.ts": {
      retrySubscriptionAction: async (ids) => expect(await subscriptionActions.retrySubscriptionAction(ids.instance)).toMatchObject({ ok: false }),
    },
    "(dashboard)/instances/[id]/edit/actions.ts": {
      updateInstanceAction: async (ids) => expect(await editActions.updateInstanceAction(ids.instance, { name: "pwned" })).toMatchObject({ ok: false }),
    },
    "(dashboard)/connectors/[key]/new/actions.ts": {
      createInstanceAction: async () => {
        await newInstanceActions.createInstanceAction("campaignmonitor", { name: "Globex's own" });
        expect(await db().instance.count({ where: { organizationId: acme.organizationId, name: "Globex's own" } })).toBe(0);
      },
    },
    "oauth/actions.ts": {
      startAuthorizationAction: async () => {
        await oauthActions.startAuthorizationAction("campaignmonitor", { name: "Globex's own" });
        expect(await db().oAuthAuthorization.count({ where: { userId: acme.userId, instanceId: null } })).toBe(0);
      },
      reconnectAction: async (ids) => expect(await oauthActions.reconnectAction(ids.instance)).toMatchObject({ ok: false }),
      retryAuthorizationAction: async (ids) => expect(await oauthActions.retryAuthorizationAction(ids.authorization)).toMatchObject({ ok: false }),
    },
    "(auth)/setup/actions.ts": {
      createFirstAdminAction: async () =>
        expect(await setupActions.createFirstAdminAction({ organizationName: "Takeover", email: "x@evil.test", password: "password-123" })).toMatchObject({ ok: false }),
    },
  };
  const modules: Record<string, Record<string, unknown>> = {
    "(dashboard)/events/actions.ts": eventsActions,
    "(dashboard)/settings/actions.ts": settingsActions,
    "(dashboard)/instances/[id]/actions.ts": instanceActions,
    "(dashboard)/instances/[id]/subscription-actions.ts": subscriptionActions,
    "(dashboard)/instances/[id]/edit/actions.ts": editActions,
    "(dashboard)/connectors/[key]/new/actions.ts": newInstanceActions,
    "oauth/actions.ts": oauthActions,
    "(auth)/setup/actions.ts": setupActions,
  };

  it("names every action file and every exported action", () => {
    expect(actionFiles().sort()).toEqual(Object.keys(probes).sort());
    for (const [file, module] of Object.entries(modules)) {
      const exported = Object.entries(module).filter(([, value]) => typeof value === "function").map(([name]) => name);
      expect(exported.sort(), file).toEqual(Object.keys(probes[file]!).sort());
    }
  });

  it("refuses each of them Acme's instance, event and authorization, and leaves Acme's rows as they were", async () => {
    session.actingUserId = globex.userId;
    const before = await acmeState();
    const ids = { instance: acmeInstance.id, event: acmeEventId, authorization: acmeAuthorizationId };
    for (const [file, actions] of Object.entries(probes)) {
      for (const [name, probe] of Object.entries(actions)) {
        await expect(probe(ids), `${file} ${name}`).resolves.not.toThrow();
      }
    }
    expect(await acmeState()).toBe(before);
  });
});

describe("callback URLs aimed at the cloud metadata service", () => {
  const METADATA_URLS = [
    "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:169.254.169.254]/",
    "http://2852039166/",
    "http://0xa9fea9fe/",
    "http://169.254.169.254.:80/",
    "http://metadata.attacker.test/latest/meta-data/",
  ];

  it("never connects to 169.254.169.254, however it is written or resolved: the attempt is refused and recorded", async () => {
    // Stand-in for the metadata service: anything that reaches a local server would show up here.
    let reached = 0;
    const trap = http.createServer((_req, res) => {
      reached += 1;
      res.end("secret-credentials");
    });
    await new Promise<void>((resolve) => trap.listen(0, "127.0.0.1", resolve));
    try {
      for (const url of METADATA_URLS) {
        const instance = await seedInstance(acme, "campaignmonitor", { "event.notification.callback.url": url });
        expect((await send(ingest.webhookUrl("campaignmonitor", instance.id), fixture("campaignmonitor-subscribe.json"), { "content-type": "application/json" })).status).toBe(200);
        await waitUntil(async () => (await db().event.count({ where: { instanceId: instance.id, status: "DEAD" } })) === 1, 20_000, `${url} refused`);
        const attempt = await db().deliveryAttempt.findFirstOrThrow({ where: { event: { instanceId: instance.id } } });
        expect(attempt.statusCode, url).toBeNull();
        expect(attempt.error, url).toMatch(/not allowed|forbidden|link-local|metadata|refused/i);
      }
    } finally {
      await new Promise((resolve) => trap.close(resolve));
    }
    expect(reached).toBe(0);
  });
});
