// Security checks across the whole surface, in-process against a real database:
// - organization B reaches none of organization A's instances, events or OAuth authorizations through
//   any API route or server action, and an instance token works only inside its own organization (the
//   route files, their HTTP methods, the action files and their exports are enumerated at run time and
//   must all be named below, so a new one cannot be forgotten);
// - an OAuth `state` is good once, for the person who started the flow;
// - a callback URL (or a ConnectWise server URL) aimed at the cloud metadata address is never
//   connected to, however the address is written or whatever the name resolves to;
// - what actions and routes answer an instance's owner carries none of its secrets;
// - the Overview's figures (lib/overview/query.ts) count and name only the signed-in organization's rows.
// The secrets of a full run over HTTP (pages, responses, the server log) are searched in
// reliability/secrets.test.ts.
import dns from "node:dns";
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// Server actions sign in through requireUser(); here it answers with whoever `actingUserId` names.
const session = vi.hoisted(() => ({ actingUserId: "" }));
vi.mock("@/lib/auth/session", async () => {
  const { db } = await import("@/lib/db/client");
  return {
    requireUser: async () => db().user.findUniqueOrThrow({ where: { id: session.actingUserId }, include: { organization: true } }),
  };
});
vi.mock("next/cache", () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));
// Next's redirect()/notFound() throw to end rendering; so do these, so an action or page loader that
// ends up in one cannot pass for a normal answer.
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw new Error(`NEXT_REDIRECT ${url}`);
  },
  notFound: () => {
    throw new Error("NEXT_NOT_FOUND");
  },
}));
// The DNS the SSRF guard asks (lib/net/ssrf.ts resolves through node:dns/promises): attacker names
// that resolve to the metadata address, as an attacker's DNS would answer.
vi.mock("node:dns/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:dns/promises")>();
  const answers: Record<string, { address: string; family: number }[]> = {
    "metadata.attacker.test": [{ address: "169.254.169.254", family: 4 }],
    "metadata6.attacker.test": [{ address: "fd00:ec2::254", family: 6 }],
    "rebind.attacker.test": [{ address: "127.0.0.1", family: 4 }],
  };
  const lookup = ((hostname: string, options: unknown) => {
    // nip.io: `169.254.169.254.nip.io` and `169-254-169-254.nip.io` resolve to the address they spell.
    const nip = /^(?:.*[.-])?(\d{1,3})[.-](\d{1,3})[.-](\d{1,3})[.-](\d{1,3})\.nip\.io$/.exec(hostname);
    const answer = answers[hostname] ?? (nip ? [{ address: nip.slice(1, 5).join("."), family: 4 }] : undefined);
    return answer ? Promise.resolve(answer) : real.lookup(hostname, options as never);
  }) as typeof real.lookup;
  return { ...real, default: { ...real, lookup }, lookup };
});

import * as instanceActions from "@/app/(dashboard)/instances/[id]/actions";
import * as editActions from "@/app/(dashboard)/instances/[id]/edit/actions";
import { loadInstance } from "@/app/(dashboard)/instances/[id]/load-instance";
import { keptFormEntries } from "@/lib/oauth/kept-draft";
import { loadOverview } from "@/lib/overview/query";
import * as subscriptionActions from "@/app/(dashboard)/instances/[id]/subscription-actions";
import * as signatureKeyActions from "@/app/(dashboard)/instances/[id]/signature-key-actions";
import * as webhookUrlActions from "@/app/(dashboard)/instances/[id]/webhook-url-actions";
import * as newInstanceActions from "@/app/(dashboard)/connectors/[key]/new/actions";
import * as eventsActions from "@/app/(dashboard)/events/actions";
import * as settingsActions from "@/app/(dashboard)/settings/actions";
import * as setupActions from "@/app/(auth)/setup/actions";
import * as catchAllRoute from "@/app/elements/api-v2/[...path]/route";
import * as elementRoute from "@/app/elements/api-v2/elements/[key]/route";
import * as oauthUrlRoute from "@/app/elements/api-v2/elements/[key]/oauth/url/route";
import * as elementsRoute from "@/app/elements/api-v2/elements/route";
import * as ingestRoute from "@/app/elements/api-v2/events/[key]/[id]/route";
import * as eventRedeliverRoute from "@/app/elements/api-v2/events/[key]/redeliver/route";
import * as eventRoute from "@/app/elements/api-v2/events/[key]/route";
import * as instanceRedeliverRoute from "@/app/elements/api-v2/instances/[id]/events/redeliver/route";
import * as instanceEventsRoute from "@/app/elements/api-v2/instances/[id]/events/route";
import * as instanceTestEventRoute from "@/app/elements/api-v2/instances/[id]/events/test/route";
import * as instanceRoute from "@/app/elements/api-v2/instances/[id]/route";
import * as instanceResumeRoute from "@/app/elements/api-v2/instances/[id]/delivery/resume/route";
import * as instancePollRoute from "@/app/elements/api-v2/instances/[id]/poll/route";
import * as instanceWebhookUrlRotateRoute from "@/app/elements/api-v2/instances/[id]/webhook-url/rotate/route";
import * as instancesRoute from "@/app/elements/api-v2/instances/route";
import * as openApiRoute from "@/app/elements/api-v2/openapi.json/route";
import * as oauthActions from "@/app/oauth/actions";
import { hashPassword } from "@/lib/auth/password";
import { decrypt, encrypt, generateSecret, hashSecret } from "@/lib/crypto/secrets";
import { db, disconnectDb } from "@/lib/db/client";
import { cursorFor } from "@/lib/live-log/schema";
import { closeEventsPool } from "@/lib/db/pg-pool";
import { startDeliveryWorker, type DeliveryWorker } from "@/lib/delivery/worker";
import { encodeInstanceId } from "@/lib/instances/webhook-url";
import { completeAuthorization } from "@/lib/oauth/callback";
import { beginAuthorization, type FlowUser } from "@/lib/oauth/flow";
import { fixture } from "./fixtures/webhooks";
import { call, createTenant, type Tenant } from "./helpers/api";
import { databaseUrl, seedInstance, send, startIngestServer, startReceiver, waitUntil, type Receiver } from "./helpers/events";

type Answer = { status: number; body: unknown };

/** One organization's footprint: the ids an attacker would use, and the text that must never reach one. */
type Side = {
  tenant: Tenant;
  user: FlowUser;
  instance: { id: number; name: string; token: string };
  event: { id: string; eventId: string };
  /** A refused webhook (its bare URL, no `?k=`) and a repeated one, kept as REJECTED and DUPLICATE events. */
  rejected: { id: string; eventId: string };
  duplicate: { id: string; eventId: string };
  /** A pending authorization (consent page open) and a failed one that "Try again" could restart. */
  pendingAuthorizationId: string;
  failedAuthorizationIds: string[];
  signatureKey: string;
  clientId: string;
  clientSecret: string;
  callbackUrl: string;
};

let acme: Side;
let globex: Side;
let ingest: Awaited<ReturnType<typeof startIngestServer>>;
let receiver: Receiver;
let worker: DeliveryWorker;
/** Stands in for every provider's token endpoint: a state that got through would show up here. */
let tokenEndpoint: http.Server;
let tokenEndpointCalls = 0;

const OAUTH_CALLBACK = "https://hookline.example/oauth/callback";

async function side(name: string): Promise<Side> {
  const tenant = await createTenant(`Security ${name}`);
  const user = { id: tenant.userId, organizationId: tenant.organizationId };
  const unique = `${name}-${generateSecret().slice(0, 10)}`;
  const signatureKey = `sig-${unique}`;
  const clientSecret = `client-secret-${unique}`;
  const clientId = `client-id-${unique}`;
  const callbackUrl = `${receiver.url}?org=${unique}`;
  const seeded = await seedInstance(
    tenant,
    "campaignmonitor",
    {
      "event.notification.callback.url": callbackUrl,
      "event.notification.signature.key": signatureKey,
      "oauth.api.key": clientId,
      "oauth.api.secret": clientSecret,
      "oauth.callback.url": OAUTH_CALLBACK,
    },
    `${name}'s private instance ${unique}`,
  );
  // A webhook request in, its event delivered (so there are attempts too).
  const ingested = await send(ingest.webhookUrl("campaignmonitor", seeded.id), fixture("campaignmonitor-subscribe.json"), { "content-type": "application/json" });
  expect(ingested.status).toBe(200);
  await waitUntil(async () => (await db().event.count({ where: { instanceId: seeded.id, status: "DELIVERED" } })) === 1, 20_000, `${name}'s event delivered`);
  const event = await db().event.findFirstOrThrow({ where: { instanceId: seeded.id } });
  // The same webhook again (DUPLICATE), and one at the bare URL without the secret (REJECTED).
  expect((await send(ingest.webhookUrl("campaignmonitor", seeded.id), fixture("campaignmonitor-subscribe.json"), { "content-type": "application/json" })).status).toBe(200);
  expect((await send(ingest.webhookUrl("campaignmonitor", seeded.id).split("?")[0]!, fixture("campaignmonitor-subscribe.json"), { "content-type": "application/json" })).status).toBe(404);
  const kept = (status: "REJECTED" | "DUPLICATE") => db().event.findFirst({ where: { instanceId: seeded.id, status } });
  await waitUntil(async () => (await kept("REJECTED")) !== null && (await kept("DUPLICATE")) !== null, 10_000, `${name}'s REJECTED and DUPLICATE events`);
  const [rejected, duplicate] = [(await kept("REJECTED"))!, (await kept("DUPLICATE"))!];
  // OAuth: a Reconnect whose consent page is open, and two failed flows "Try again" could restart (a
  // Reconnect, and a new instance whose draft holds the client secret).
  const pending = await beginAuthorization(user, null, { instanceId: seeded.id });
  const failed = [
    await beginAuthorization(user, null, { instanceId: seeded.id }),
    await beginAuthorization(user, {
      element: { key: "campaignmonitor" },
      name: `${name}'s draft ${unique}`,
      configuration: { "oauth.api.key": clientId, "oauth.api.secret": clientSecret, "oauth.callback.url": OAUTH_CALLBACK },
    }),
  ];
  for (const flow of failed) {
    const state = new URL(flow.redirectUrl).searchParams.get("state")!;
    expect(await completeAuthorization(user, { state, error: "access_denied" })).toMatchObject({ ok: false, reason: "access_denied", retryId: flow.authorizationId });
  }
  return {
    tenant,
    user,
    instance: { id: seeded.id, name: seeded.name, token: decrypt(seeded.tokenEncrypted) },
    event: { id: event.id, eventId: event.eventId },
    rejected: { id: rejected.id, eventId: rejected.eventId },
    duplicate: { id: duplicate.id, eventId: duplicate.eventId },
    pendingAuthorizationId: pending.authorizationId,
    failedAuthorizationIds: failed.map((flow) => flow.authorizationId),
    signatureKey,
    clientId,
    clientSecret,
    callbackUrl,
  };
}

/** Text of `victim`'s that must not appear in anything another organization is answered. */
function markers(victim: Side): string[] {
  return [
    victim.instance.name,
    victim.instance.token,
    victim.event.id,
    victim.event.eventId,
    victim.rejected.id,
    victim.rejected.eventId,
    victim.duplicate.id,
    victim.duplicate.eventId,
    victim.pendingAuthorizationId,
    ...victim.failedAuthorizationIds,
    victim.signatureKey,
    victim.clientId,
    victim.clientSecret,
    victim.callbackUrl,
  ];
}

function leaked(victim: Side, answer: unknown): string[] {
  const text = JSON.stringify(answer) ?? "";
  return markers(victim).filter((marker) => text.includes(marker));
}

/** Everything of an organization's that a leak or a write would change, to compare before and after. */
async function footprint(victim: Side): Promise<string> {
  const organizationId = victim.tenant.organizationId;
  const [instances, events, attempts, requests, authorizations, org, users] = await Promise.all([
    db().instance.findMany({ where: { organizationId }, orderBy: { id: "asc" } }),
    db().event.findMany({ where: { organizationId }, orderBy: { id: "asc" }, select: { id: true, status: true, attempts: true, instanceId: true } }),
    db().deliveryAttempt.count({ where: { event: { organizationId } } }),
    db().webhookRequest.count({ where: { organizationId } }),
    db().oAuthAuthorization.findMany({ where: { organizationId }, orderBy: { id: "asc" } }),
    db().organization.findUniqueOrThrow({ where: { id: organizationId } }),
    db().user.findMany({ where: { organizationId }, orderBy: { id: "asc" } }),
  ]);
  return JSON.stringify({ instances, events, attempts, requests, authorizations, org, users });
}

/** The tenant's Authorization header from the database (a probe below rotates Globex's own secrets). */
async function freshHeader(tenant: Tenant): Promise<string> {
  const user = await db().user.findUniqueOrThrow({ where: { id: tenant.userId }, include: { organization: true } });
  return `User ${decrypt(user.secretEncrypted)}, Organization ${decrypt(user.organization.secretEncrypted)}`;
}

beforeAll(async () => {
  tokenEndpoint = http.createServer((_req, res) => {
    tokenEndpointCalls += 1;
    res.writeHead(400, { "content-type": "application/json" }).end('{"error":"invalid_grant"}');
  });
  await new Promise<void>((resolve) => tokenEndpoint.listen(0, "127.0.0.1", resolve));
  process.env.HOOKLINE_CAMPAIGNMONITOR_TOKEN_URL = `http://127.0.0.1:${(tokenEndpoint.address() as net.AddressInfo).port}/token`;
  ingest = await startIngestServer();
  receiver = await startReceiver();
  worker = await startDeliveryWorker({ connectionString: databaseUrl(), schedule: [1], pollingIntervalSeconds: 0.5 });
  acme = await side("acme");
  globex = await side("globex");
});

afterAll(async () => {
  await worker?.stop({ graceMs: 0 });
  await Promise.all([ingest?.close(), receiver?.close(), new Promise((resolve) => tokenEndpoint?.close(resolve))]);
  delete process.env.HOOKLINE_CAMPAIGNMONITOR_TOKEN_URL;
  await closeEventsPool();
  await disconnectDb();
});

// ---------------------------------------------------------------------------------------------------
// Enumerating what exists, so that a new route, method, action file or action fails the test until it
// is named here.

const APP_DIR = path.resolve(import.meta.dirname, "../app");
const API_DIR = path.join(APP_DIR, "elements/api-v2");
const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

function filesUnder(dir: string, keep: (name: string, full: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full, keep);
    return keep(entry.name, full) ? [full] : [];
  });
}

const routeFiles = (dir: string) => filesUnder(dir, (name) => /^route\.(ts|tsx|js)$/.test(name)).map((full) => path.relative(dir, full)).sort();
const actionFiles = () =>
  filesUnder(APP_DIR, (name, full) => /\.(ts|tsx)$/.test(name) && /^\s*["']use server["']/m.test(readFileSync(full, "utf8")))
    .map((full) => path.relative(APP_DIR, full))
    .sort();

async function exportedMethods(file: string): Promise<string[]> {
  const loaded = (await import(/* @vite-ignore */ path.join(API_DIR, file))) as Record<string, unknown>;
  return HTTP_METHODS.filter((method) => typeof loaded[method] === "function");
}

// ---------------------------------------------------------------------------------------------------

type Target = { instance: string; event: string; eventId: string; elementKey: string };
type RouteProbe = {
  /** `refused`: 401/403/404 and nothing else; `own`: any answer (it is about the caller's own data or nobody's), but none of the victim's. */
  expect: "refused" | "own";
  run: (header: string, target: Target) => Promise<Answer | Answer[]>;
};

/** Every method of every route file under app/elements/api-v2, called with the victim's ids. */
const API_PROBES: Record<string, Record<string, RouteProbe>> = {
  "instances/route.ts": {
    GET: { expect: "own", run: (header) => call(instancesRoute.GET, { header }) },
    POST: {
      expect: "own",
      run: (header) =>
        call(instancesRoute.POST, {
          method: "POST",
          header,
          body: { element: { key: "campaignmonitor" }, name: "Attacker's own", configuration: { "oauth.api.key": "k", "oauth.api.secret": "s", "oauth.callback.url": OAUTH_CALLBACK } },
        }),
    },
  },
  "instances/[id]/route.ts": {
    GET: { expect: "refused", run: (header, t) => call(instanceRoute.GET, { header, params: { id: t.instance } }) },
    PATCH: {
      expect: "refused",
      run: (header, t) =>
        call(instanceRoute.PATCH, {
          method: "PATCH",
          header,
          params: { id: t.instance },
          body: { name: "pwned", configuration: { "event.notification.callback.url": "https://attacker.example/steal" } },
        }),
    },
    DELETE: { expect: "refused", run: (header, t) => call(instanceRoute.DELETE, { method: "DELETE", header, params: { id: t.instance } }) },
  },
  "instances/[id]/events/route.ts": {
    GET: { expect: "refused", run: (header, t) => call(instanceEventsRoute.GET, { header, params: { id: t.instance } }) },
  },
  "instances/[id]/events/redeliver/route.ts": {
    POST: { expect: "refused", run: (header, t) => call(instanceRedeliverRoute.POST, { method: "POST", header, params: { id: t.instance } }) },
  },
  "instances/[id]/delivery/resume/route.ts": {
    POST: { expect: "refused", run: (header, t) => call(instanceResumeRoute.POST, { method: "POST", header, params: { id: t.instance } }) },
  },
  "instances/[id]/poll/route.ts": {
    POST: { expect: "refused", run: (header, t) => call(instancePollRoute.POST, { method: "POST", header, params: { id: t.instance } }) },
  },
  "instances/[id]/webhook-url/rotate/route.ts": {
    POST: { expect: "refused", run: (header, t) => call(instanceWebhookUrlRotateRoute.POST, { method: "POST", header, params: { id: t.instance } }) },
  },
  "instances/[id]/events/test/route.ts": {
    POST: { expect: "refused", run: (header, t) => call(instanceTestEventRoute.POST, { method: "POST", header, params: { id: t.instance } }) },
  },
  "events/[key]/route.ts": {
    // By id and by the envelope's eventId: the route takes either.
    GET: {
      expect: "refused",
      run: async (header, t) => [await call(eventRoute.GET, { header, params: { key: t.event } }), await call(eventRoute.GET, { header, params: { key: t.eventId } })],
    },
  },
  "events/[key]/redeliver/route.ts": {
    POST: { expect: "refused", run: (header, t) => call(eventRedeliverRoute.POST, { method: "POST", header, params: { key: t.event } }) },
  },
  // The providers' ingest endpoint takes no credentials by design (the instance's webhook URL is what the
  // provider knows). Its answers must say nothing about the instance: a GET is MailChimp's URL check,
  // and a POST under another connector's key is as unknown as a missing instance.
  "events/[key]/[id]/route.ts": {
    GET: { expect: "own", run: (header, t) => call(ingestRoute.GET, { header, params: { key: t.elementKey, id: encodeInstanceId(Number(t.instance)) } }) },
    POST: {
      expect: "refused",
      run: (header, t) =>
        call(ingestRoute.POST, { method: "POST", header, params: { key: "mailchimpv3", id: encodeInstanceId(Number(t.instance)) }, rawBody: "type=subscribe", contentType: "application/x-www-form-urlencoded" }),
    },
  },
  // The catalog, the consent-URL builder and the API description hold no organization's data.
  "elements/route.ts": { GET: { expect: "own", run: (header) => call(elementsRoute.GET, { header }) } },
  "elements/[key]/route.ts": {
    GET: { expect: "refused", run: (header, t) => call(elementRoute.GET, { header, params: { key: t.instance } }) },
  },
  "elements/[key]/oauth/url/route.ts": {
    GET: {
      expect: "own",
      run: (header, t) =>
        call(oauthUrlRoute.GET, {
          header,
          params: { key: t.elementKey },
          url: `http://localhost/elements/api-v2/elements/${t.elementKey}/oauth/url?apiKey=attacker&callbackUrl=https%3A%2F%2Fattacker.example%2Fcb&state=${t.instance}`,
        }),
    },
  },
  "openapi.json/route.ts": { GET: { expect: "own", run: () => call(openApiRoute.GET as never) } },
  "[...path]/route.ts": Object.fromEntries(
    ["GET", "POST", "PUT", "PATCH", "DELETE"].map((method) => [
      method,
      {
        expect: "refused" as const,
        run: (header: string, t: Target) =>
          call((catchAllRoute as unknown as Record<string, Parameters<typeof call>[0]>)[method]!, {
            method,
            header,
            url: `http://localhost/elements/api-v2/instances/${t.instance}/secrets`,
            ...(method === "GET" || method === "DELETE" ? {} : { body: {} }),
          }),
      },
    ]),
  ),
};

/** Route files outside the REST API, and where their isolation is checked. */
const OTHER_ROUTES: Record<string, string> = {
  "api/auth/[...nextauth]/route.ts": "next-auth's sign-in endpoints: no organization data",
  "(dashboard)/events/rows/route.ts": "the log's JSON pages: organization from the session only (listEventLogFor scopes every statement to it, as the page does); limits in live-log-limits.integration.test.ts",
  "(dashboard)/events/stream/route.ts": "the live log stream: organization isolation in event-log.integration.test.ts (a session cookie of org B, filtered to A's instance, gets nothing)",
};

describe("another organization's data through the REST API", () => {
  it("names every route file and every HTTP method it exports", async () => {
    expect(routeFiles(API_DIR)).toEqual(Object.keys(API_PROBES).sort());
    for (const file of Object.keys(API_PROBES)) {
      expect(await exportedMethods(file), file).toEqual(Object.keys(API_PROBES[file]!).sort((a, b) => HTTP_METHODS.indexOf(a) - HTTP_METHODS.indexOf(b)));
    }
    const elsewhere = routeFiles(APP_DIR).filter((file) => !file.startsWith("elements/api-v2/"));
    expect(elsewhere).toEqual(Object.keys(OTHER_ROUTES).sort());
  });

  const target = (victim: Side, event = victim.event): Target => ({
    instance: String(victim.instance.id),
    event: event.id,
    eventId: event.eventId,
    elementKey: "campaignmonitor",
  });

  async function probeAll(attacker: string, header: string, victim: Side, refusedWith: number[], event = victim.event) {
    const before = await footprint(victim);
    const problems: string[] = [];
    let probes = 0;
    for (const [file, methods] of Object.entries(API_PROBES)) {
      for (const [method, probe] of Object.entries(methods)) {
        probes += 1;
        const where = `${method} ${file} as ${attacker}`;
        for (const answer of [await probe.run(header, target(victim, event))].flat()) {
          if (probe.expect === "refused" && !refusedWith.includes(answer.status)) problems.push(`${where}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
          const found = leaked(victim, answer.body);
          if (found.length) problems.push(`${where}: the answer holds ${found.join(", ")}`);
          if (file === "instances/route.ts" && method === "GET" && Array.isArray(answer.body)) {
            if ((answer.body as { id: number }[]).some((instance) => instance.id === victim.instance.id)) problems.push(`${where}: lists the victim's instance`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(await footprint(victim)).toBe(before);
    return probes;
  }

  it("404 for every route and method with Acme's ids, as Globex (with and without Globex's instance token)", async () => {
    const header = await freshHeader(globex.tenant);
    await probeAll("Globex", header, acme, [403, 404]);
    const probes = await probeAll("Globex with its instance token", `${header}, Element ${globex.instance.token}`, acme, [403, 404]);
    expect(probes).toBeGreaterThanOrEqual(20);
    // The same for Acme's refused and repeated webhooks' events.
    await probeAll("Globex, at Acme's REJECTED event", header, acme, [403, 404], acme.rejected);
    await probeAll("Globex, at Acme's DUPLICATE event", header, acme, [403, 404], acme.duplicate);
  });

  it("an instance token works only in its own organization: Acme's token with Globex's secrets is refused", async () => {
    const header = `${await freshHeader(globex.tenant)}, Element ${acme.instance.token}`;
    // 401 from every route behind authentication; the unauthenticated ones (ingest, unknown paths) 404.
    await probeAll("Globex with Acme's instance token", header, acme, [401, 404]);
    // Every route behind authentication refuses the header as such, whatever the path.
    const list = await call(instancesRoute.GET, { header });
    expect(list.status).toBe(401);
  });

  it("Acme's own instance token does not reach Globex's instances, events or list entries", async () => {
    await probeAll("Acme with its instance token", `${await freshHeader(acme.tenant)}, Element ${acme.instance.token}`, globex, [403, 404]);
  });
});

// ---------------------------------------------------------------------------------------------------

describe("another organization's data through the server actions", () => {
  type Ids = { instance: number; event: string; authorizations: string[] };
  type ActionProbe = (ids: Ids) => Promise<unknown>;
  // The answer for "not yours" is the answer for "does not exist", and not some other failure (a
  // validation error would pass for a refusal while proving nothing).
  const NOT_FOUND = /no longer exists|^No (event|instance) with that id|can no longer be retried/;
  const refused = (result: unknown, reason = NOT_FOUND) => {
    expect(result).toMatchObject({ ok: false, message: expect.stringMatching(reason) });
    return result;
  };
  const FUTURE_CURSOR = cursorFor({ createdAt: "2999-01-01T00:00:00.000Z", id: "ffffffff-ffff-7fff-bfff-ffffffffffff" });

  // Each exported action, called as Globex with Acme's ids. It must refuse, or answer with Globex's own
  // data only; every answer is searched for Acme's text, and Acme's rows must be unchanged afterwards.
  const probes: Record<string, Record<string, ActionProbe>> = {
    "(dashboard)/events/actions.ts": {
      loadMoreEventsAction: async (ids) => {
        const results = [await eventsActions.loadMoreEventsAction(`instance=${ids.instance}`, FUTURE_CURSOR), await eventsActions.loadMoreEventsAction("", FUTURE_CURSOR)];
        for (const page of results) {
          if (!page.ok) throw new Error(`the log refused a valid cursor: ${page.message}`);
          expect(page.data.rows.filter((row) => row.instanceId === ids.instance)).toEqual([]);
        }
        return results;
      },
      eventDetailAction: async (ids) => refused(await eventsActions.eventDetailAction(ids.event)),
      redeliverEventAction: async (ids) => refused(await eventsActions.redeliverEventAction(ids.event)),
      curlForEventAction: async (ids) => refused(await eventsActions.curlForEventAction(ids.event)),
      sendTestEventAction: async (ids) => refused(await eventsActions.sendTestEventAction(ids.instance)),
      eventStatsAction: async (ids) => {
        const stats = await eventsActions.eventStatsAction(ids.instance);
        expect(stats).toMatchObject({ ok: true, data: { total: 0, delivered: 0, failed: 0 } });
        return stats;
      },
    },
    "(dashboard)/settings/actions.ts": {
      revealSecretAction: async () => {
        const results = [await settingsActions.revealSecretAction("user"), await settingsActions.revealSecretAction("organization")];
        const acmeUser = await db().user.findUniqueOrThrow({ where: { id: acme.tenant.userId }, include: { organization: true } });
        const acmeSecrets = [decrypt(acmeUser.secretEncrypted), decrypt(acmeUser.organization.secretEncrypted)];
        for (const result of results) expect(acmeSecrets).not.toContain(result.ok && result.data.secret);
        return results;
      },
      // Rotates Globex's own secrets; Acme's (in the footprint) must not change.
      rotateSecretAction: async () => [await settingsActions.rotateSecretAction("user"), await settingsActions.rotateSecretAction("organization")],
    },
    "(dashboard)/instances/[id]/actions.ts": {
      setEventsEnabledAction: async (ids) => refused(await instanceActions.setEventsEnabledAction(ids.instance, false)),
      deleteInstanceAction: async (ids) => refused(await instanceActions.deleteInstanceAction(ids.instance)),
      resumeDeliveryAction: async (ids) => refused(await instanceActions.resumeDeliveryAction(ids.instance)),
      pollNowAction: async (ids) => refused(await instanceActions.pollNowAction(ids.instance)),
    },
    "(dashboard)/instances/[id]/signature-key-actions.ts": {
      revealSignatureKeyAction: async (ids) => refused(await signatureKeyActions.revealSignatureKeyAction(ids.instance)),
      rotateSignatureKeyAction: async (ids) => refused(await signatureKeyActions.rotateSignatureKeyAction(ids.instance)),
    },
    "(dashboard)/instances/[id]/webhook-url-actions.ts": {
      rotateWebhookUrlAction: async (ids) => refused(await webhookUrlActions.rotateWebhookUrlAction(ids.instance)),
    },
    "(dashboard)/instances/[id]/subscription-actions.ts": {
      retrySubscriptionAction: async (ids) => refused(await subscriptionActions.retrySubscriptionAction(ids.instance)),
    },
    "(dashboard)/instances/[id]/edit/actions.ts": {
      updateInstanceAction: async (ids) =>
        refused(await editActions.updateInstanceAction(ids.instance, { name: "pwned", event: { notification: { callback: { url: "https://attacker.example/steal" } } } })),
    },
    "(dashboard)/connectors/[key]/new/actions.ts": {
      // Creates an instance of Globex's own: it must land in Globex's organization.
      createInstanceAction: async () => {
        const result = await newInstanceActions.createInstanceAction("campaignmonitor", {
          name: "Globex's own",
          oauth: { api: { key: "k", secret: "s" }, callback: { url: OAUTH_CALLBACK } },
        });
        if (!result.ok) throw new Error(`createInstanceAction: ${result.message}`);
        expect((await db().instance.findUniqueOrThrow({ where: { id: result.data.id } })).organizationId).toBe(globex.tenant.organizationId);
        return result;
      },
    },
    "oauth/actions.ts": {
      startAuthorizationAction: async () => {
        const result = await oauthActions.startAuthorizationAction("campaignmonitor", {
          name: "Globex's own",
          oauth: { api: { key: "k", secret: "s" }, callback: { url: OAUTH_CALLBACK } },
        });
        if (!result.ok) throw new Error(`startAuthorizationAction: ${result.message}`);
        return result;
      },
      reconnectAction: async (ids) => refused(await oauthActions.reconnectAction(ids.instance)),
      // The form restored from a kept authorization, sent with its secret blank: Acme's kept secret must not fill it.
      resumeAuthorizationAction: async (ids) => {
        const results = [];
        for (const id of ids.authorizations) {
          const values = { name: "Globex's resumed", oauth: { api: { key: "k", secret: "" }, callback: { url: OAUTH_CALLBACK } } };
          results.push(refused(await oauthActions.resumeAuthorizationAction("campaignmonitor", id, values), /no longer kept/));
        }
        return results;
      },
      // Acme's failed authorizations are ones their owner could retry; the pending one, once it expires.
      retryAuthorizationAction: async (ids) => {
        const results = [];
        for (const id of ids.authorizations) results.push(refused(await oauthActions.retryAuthorizationAction(id)));
        return results;
      },
    },
    "(auth)/setup/actions.ts": {
      // Open to anyone only while no account exists.
      createFirstAdminAction: async () => refused(await setupActions.createFirstAdminAction({ organizationName: "Takeover", email: "x@evil.test", password: "password-123" }), /already set up/),
    },
  };
  it("names every action file and every exported action", async () => {
    expect(actionFiles()).toEqual(Object.keys(probes).sort());
    for (const file of actionFiles()) {
      const loaded = (await import(/* @vite-ignore */ path.join(APP_DIR, file))) as Record<string, unknown>;
      const exported = Object.entries(loaded).filter(([, value]) => typeof value === "function").map(([name]) => name);
      expect(exported.sort(), file).toEqual(Object.keys(probes[file]!).sort());
    }
  });

  it("refuses each of them Acme's instance, event and authorizations, and leaves Acme's rows as they were", async () => {
    session.actingUserId = globex.tenant.userId;
    const before = await footprint(acme);
    const ids = { instance: acme.instance.id, event: acme.event.id, authorizations: [...acme.failedAuthorizationIds, acme.pendingAuthorizationId] };
    const problems: string[] = [];
    for (const [file, actions] of Object.entries(probes)) {
      for (const [name, probe] of Object.entries(actions)) {
        try {
          const found = leaked(acme, await probe(ids));
          if (found.length) problems.push(`${file} ${name} answered with ${found.join(", ")}`);
        } catch (error) {
          problems.push(`${file} ${name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(await footprint(acme)).toBe(before);
  });

  it("the instance pages' loader answers 404 for Acme's instance to Globex", async () => {
    const globexUser = await db().user.findUniqueOrThrow({ where: { id: globex.tenant.userId }, include: { organization: true } });
    await expect(loadInstance(globexUser, String(acme.instance.id))).rejects.toThrow("NEXT_NOT_FOUND");
    await expect(loadInstance(globexUser, String(globex.instance.id))).resolves.toMatchObject({ instance: { id: globex.instance.id } });
  });

  it("the new-instance form restores kept entries only for the person who made them, and never their secrets", async () => {
    for (const id of [...acme.failedAuthorizationIds, acme.pendingAuthorizationId]) {
      expect(await keptFormEntries(globex.user, "campaignmonitor", id)).toBeNull();
    }
    // Acme's own draft (the failed new-instance flow) comes back to Acme, without the client secret.
    const own = await keptFormEntries(acme.user, "campaignmonitor", acme.failedAuthorizationIds[1]);
    expect(own).toMatchObject({ configuration: { "oauth.api.key": acme.clientId }, keptSecrets: ["oauth.api.secret"] });
    expect(JSON.stringify(own)).not.toContain(acme.clientSecret);
  });

  it("the Overview's figures count only Globex's own instances, events and problems", async () => {
    // A problem of each kind on Acme's side, so an unscoped statement would show it to Globex.
    const instanceBefore = await db().instance.findUniqueOrThrow({ where: { id: acme.instance.id } });
    const eventBefore = await db().event.findUniqueOrThrow({ where: { id: acme.event.id } });
    await db().instance.update({ where: { id: acme.instance.id }, data: { subscriptionStatus: "FAILED", subscriptionError: acme.callbackUrl } });
    await db().event.update({ where: { id: acme.event.id }, data: { status: "DEAD" } });
    try {
      const overview = await loadOverview({ organizationId: globex.tenant.organizationId });
      expect(leaked(acme, overview)).toEqual([]);
      expect(overview.instances.total).toBe(await db().instance.count({ where: { organizationId: globex.tenant.organizationId } }));
      // Refused webhooks are not traffic; they are counted apart, as needing attention.
      expect(overview.traffic?.events).toBe(await db().event.count({ where: { organizationId: globex.tenant.organizationId, status: { not: "REJECTED" } } }));
      expect(overview.attention.filter((item) => item.kind === "dead" || item.kind === "subscription")).toEqual([]);
      // The same statements do find Acme's problems for Acme.
      const own = await loadOverview({ organizationId: acme.tenant.organizationId });
      expect(own.attention.map((item) => item.kind)).toEqual(expect.arrayContaining(["dead", "subscription"]));
    } finally {
      const { subscriptionStatus, subscriptionError, updatedAt } = instanceBefore;
      await db().instance.update({ where: { id: acme.instance.id }, data: { subscriptionStatus, subscriptionError, updatedAt } });
      await db().event.update({ where: { id: acme.event.id }, data: { status: eventBefore.status } });
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Replay and theft of a `state`. tests/oauth.integration.test.ts covers a replay after success, two
// simultaneous callbacks, forged/missing/expired states and another organization's user; these are the
// cases it leaves out.

describe("OAuth state: once, and only for the person who started the flow", () => {
  const stateOf = (redirectUrl: string) => new URL(redirectUrl).searchParams.get("state")!;

  it("refuses a state replayed after its first use failed: no token request, nothing created", async () => {
    const begun = await beginAuthorization(acme.user, null, { instanceId: acme.instance.id });
    const state = stateOf(begun.redirectUrl);
    expect(await completeAuthorization(acme.user, { state, error: "access_denied" })).toMatchObject({ ok: false, reason: "access_denied" });
    const used = await db().oAuthAuthorization.findUniqueOrThrow({ where: { id: begun.authorizationId } });
    const calls = tokenEndpointCalls;
    expect(await completeAuthorization(acme.user, { state, code: "a-code-the-attacker-got" })).toMatchObject({ ok: false, reason: "already_used" });
    expect(tokenEndpointCalls).toBe(calls);
    expect(await db().oAuthAuthorization.findUniqueOrThrow({ where: { id: begun.authorizationId } })).toEqual(used);
  });

  it("refuses a colleague's state (same organization, another user) without touching it", async () => {
    const secret = generateSecret();
    const colleague = await db().user.create({
      data: {
        organizationId: acme.tenant.organizationId,
        email: `colleague-${secret.slice(0, 8)}@test.local`,
        passwordHash: await hashPassword("password-for-tests"),
        secretHash: hashSecret(secret),
        secretEncrypted: encrypt(secret),
      },
    });
    const begun = await beginAuthorization(acme.user, null, { instanceId: acme.instance.id });
    const calls = tokenEndpointCalls;
    const result = await completeAuthorization({ id: colleague.id, organizationId: colleague.organizationId }, { state: stateOf(begun.redirectUrl), code: "stolen-code" });
    expect(result).toEqual({ ok: false, reason: "foreign_state" });
    expect(tokenEndpointCalls).toBe(calls);
    expect(await db().oAuthAuthorization.findUniqueOrThrow({ where: { id: begun.authorizationId } })).toMatchObject({ usedAt: null, lastError: null });
  });

  it("answers another organization's used state as foreign, naming neither its instance nor a retry", async () => {
    const begun = await beginAuthorization(acme.user, null, { instanceId: acme.instance.id });
    const state = stateOf(begun.redirectUrl);
    await completeAuthorization(acme.user, { state, error: "access_denied" });
    expect(await completeAuthorization(globex.user, { state, code: "x" })).toEqual({ ok: false, reason: "foreign_state" });
  });
});

// ---------------------------------------------------------------------------------------------------

describe("callback URLs aimed at the cloud metadata service", () => {
  // Names the attacker controls. The SSRF guard's DNS (node:dns/promises, mocked above) answers what the
  // attacker wants checked; a resolver asked again at connect time (node:dns, patched here) can answer
  // something else, as a rebinding DNS server does.
  const ATTACKER_NAME = /(\.attacker\.test|\.nip\.io)\.?$/;

  function answerAtConnect(address: string): () => void {
    const realLookup = dns.lookup;
    dns.lookup = ((hostname: string, options: unknown, callback?: unknown) => {
      const done = (typeof options === "function" ? options : callback) as (...a: unknown[]) => void;
      if (!ATTACKER_NAME.test(hostname)) return (realLookup as (...a: unknown[]) => void)(hostname, options, callback);
      const family = net.isIP(address);
      if (typeof options === "object" && options !== null && (options as { all?: boolean }).all) done(null, [{ address, family }]);
      else done(null, address, family);
    }) as typeof dns.lookup;
    return () => {
      dns.lookup = realLookup;
    };
  }

  /** Records every socket opened towards `port`, whatever its address. */
  function watchConnects(port: number): { connects: string[]; restore: () => void } {
    const connects: string[] = [];
    const realConnect = net.Socket.prototype.connect;
    net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
      const first = args[0];
      const options = (Array.isArray(first) ? first[0] : first) as { host?: string; port?: number | string } | undefined;
      if (options && typeof options === "object" && Number(options.port) === port) connects.push(`${options.host}:${options.port}`);
      return (realConnect as (...a: unknown[]) => net.Socket).apply(this, args);
    } as typeof realConnect;
    return {
      connects,
      restore: () => {
        net.Socket.prototype.connect = realConnect;
      },
    };
  }

  /** Stand-in for the metadata service on 127.0.0.1: what reaches it is counted. */
  async function startTrap() {
    const requests: { host: string | undefined; url: string | undefined }[] = [];
    const server = http.createServer((req, res) => {
      requests.push({ host: req.headers.host, url: req.url });
      res.end("iam-credentials");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
      port: (server.address() as net.AddressInfo).port,
      requests,
      close: () => new Promise((resolve) => server.close(resolve)),
    };
  }

  const campaignMonitorConfiguration = (callback: string) => ({
    "oauth.api.key": "k",
    "oauth.api.secret": "s",
    "oauth.callback.url": OAUTH_CALLBACK,
    "event.notification.enabled": true,
    "events.list.ids": "list-1",
    "event.notification.callback.url": callback,
  });

  /** Sends one webhook to the instance and returns its event once a delivery attempt is recorded. */
  async function deliverOnce(id: number, timeoutMs = 20_000) {
    expect((await send(await ingest.instanceWebhookUrl(id), fixture("campaignmonitor-subscribe.json"), { "content-type": "application/json" })).status).toBe(200);
    await waitUntil(async () => (await db().event.count({ where: { instanceId: id, status: { in: ["DEAD", "DELIVERED", "RETRYING"] } } })) === 1, timeoutMs, `instance ${id} tried`);
    const event = await db().event.findFirstOrThrow({ where: { instanceId: id } });
    const attempt = await db().deliveryAttempt.findFirstOrThrow({ where: { event: { id: event.id } } });
    return { event, attempt };
  }

  it("never connects: the delivery attempt is recorded as refused, for every spelling and resolution of 169.254.169.254", async () => {
    const trap = await startTrap();
    const port = trap.port;
    const urls = [
      `http://169.254.169.254:${port}/latest/meta-data/`,
      `http://[::ffff:169.254.169.254]:${port}/`,
      `http://[::ffff:a9fe:a9fe]:${port}/`,
      `http://2852039166:${port}/`,
      `http://0xa9fea9fe:${port}/`,
      `http://0251.0376.0251.0376:${port}/`,
      `http://169.254.169.254.:${port}/`,
      `http://[fd00:ec2::254]:${port}/`,
      `http://169.254.169.254.nip.io:${port}/latest/meta-data/`,
      `http://169-254-169-254.nip.io:${port}/`,
      `http://metadata.attacker.test:${port}/latest/meta-data/`,
      `http://metadata6.attacker.test:${port}/`,
    ];
    // A second lookup at connect time would answer the trap: checking one answer and connecting by
    // name again would show up there.
    const restoreLookup = answerAtConnect("127.0.0.1");
    const { connects, restore } = watchConnects(port);
    const header = await freshHeader(acme.tenant);
    const problems: string[] = [];
    try {
      for (const [index, url] of urls.entries()) {
        // Half through POST /instances, half set afterwards through PATCH.
        const viaPatch = index % 2 === 1;
        const created = await call(instancesRoute.POST, {
          method: "POST",
          header,
          body: { element: { key: "campaignmonitor" }, name: `SSRF ${index}`, configuration: campaignMonitorConfiguration(viaPatch ? receiver.url : url) },
        });
        let saved = created;
        if (viaPatch && created.status === 200) {
          saved = await call(instanceRoute.PATCH, { method: "PATCH", header, params: { id: String(created.body.id) }, body: { configuration: { "event.notification.callback.url": url } } });
        }
        // Refusing the URL when it is saved would do too; accepted, it must be refused when delivering.
        if (saved.status === 400 && saved.body.fieldErrors?.["event.notification.callback.url"]) continue;
        expect(saved.status, `${url}: ${JSON.stringify(saved.body)}`).toBe(200);
        const { event, attempt } = await deliverOnce(created.body.id as number);
        if (event.status !== "DEAD" || attempt.statusCode !== null || !/^refused: .*forbidden address/.test(attempt.error ?? "")) {
          problems.push(`${url}: ${event.status}, attempt ${attempt.statusCode} ${attempt.error}`);
        }
      }

      // A ConnectWise instance's Server URL is called to register webhooks: the same guard applies.
      const connectwise = await call(instancesRoute.POST, {
        method: "POST",
        header,
        body: {
          element: { key: "connectwisecrmrest" },
          name: "SSRF ConnectWise",
          configuration: {
            "helpdesk.connectwise.server.url": `http://metadata.attacker.test:${port}`,
            company: "acme",
            "public.key": "public",
            "private.key": "private-key-value",
            "event.notification.enabled": true,
            "event.notification.callback.url": receiver.url,
          },
        },
      });
      if (connectwise.status === 200) {
        expect(connectwise.body.subscription, JSON.stringify(connectwise.body)).toMatchObject({ status: "FAILED", error: expect.stringMatching(/forbidden address 169\.254\.169\.254/) });
      } else {
        expect(connectwise.status).toBe(400);
      }
    } finally {
      restore();
      restoreLookup();
      await trap.close();
    }
    expect(problems).toEqual([]);
    expect(connects).toEqual([]);
    expect(trap.requests).toEqual([]);
  });

  it("connects to the address it checked, not to what a second lookup would answer (DNS rebinding)", async () => {
    // The guard's DNS says 127.0.0.1 (allowed here); asked again, the name would be the metadata address.
    const trap = await startTrap();
    const restoreLookup = answerAtConnect("169.254.169.254");
    const { connects, restore } = watchConnects(trap.port);
    try {
      const url = `http://rebind.attacker.test:${trap.port}/hooks`;
      const created = await call(instancesRoute.POST, {
        method: "POST",
        header: await freshHeader(acme.tenant),
        body: { element: { key: "campaignmonitor" }, name: "Rebinding", configuration: campaignMonitorConfiguration(url) },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const { event, attempt } = await deliverOnce(created.body.id as number);
      expect({ status: event.status, code: attempt.statusCode, error: attempt.error }).toEqual({ status: "DELIVERED", code: 200, error: null });
      // Delivered to the checked address, under the name in the URL (Host header).
      expect(trap.requests).toEqual([{ host: `rebind.attacker.test:${trap.port}`, url: "/hooks" }]);
      expect(connects).toHaveLength(1);
    } finally {
      restore();
      restoreLookup();
      await trap.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------------

describe("secrets in what an instance's owner is answered", () => {
  it("no signature key, client secret or full token in the owner's event detail, cURL, log pages, stats or instance", async () => {
    session.actingUserId = acme.tenant.userId;
    const header = await freshHeader(acme.tenant);
    const answers: Record<string, unknown> = {
      eventDetailAction: await eventsActions.eventDetailAction(acme.event.id),
      curlForEventAction: await eventsActions.curlForEventAction(acme.event.id),
      loadMoreEventsAction: await eventsActions.loadMoreEventsAction(`instance=${acme.instance.id}`, cursorFor({ createdAt: "2999-01-01T00:00:00.000Z", id: "ffffffff-ffff-7fff-bfff-ffffffffffff" })),
      eventStatsAction: await eventsActions.eventStatsAction(acme.instance.id),
      "GET instance": await call(instanceRoute.GET, { header, params: { id: String(acme.instance.id) } }),
      "GET instances": await call(instancesRoute.GET, { header }),
      "GET instance events": await call(instanceEventsRoute.GET, { header, params: { id: String(acme.instance.id) } }),
      "GET event": await call(eventRoute.GET, { header, params: { key: acme.event.id } }),
    };
    // They did answer with the owner's data (the event, signed), so the search below means something.
    expect(answers.eventDetailAction).toMatchObject({ ok: true });
    expect(answers.curlForEventAction).toMatchObject({ ok: true, data: { curl: expect.stringContaining("elements-webhook-signature: sha256=") } });
    expect((answers["GET instance"] as Answer).status).toBe(200);
    for (const [what, answer] of Object.entries(answers)) {
      const text = JSON.stringify(answer);
      for (const secret of [acme.signatureKey, acme.clientSecret, acme.instance.token]) expect(text.includes(secret), `${what} holds a secret`).toBe(false);
    }
  });
});
