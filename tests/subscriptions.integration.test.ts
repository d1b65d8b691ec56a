import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as instanceRoute from "@/app/elements/api-v2/instances/[id]/route";
import * as webhookUrlRotateRoute from "@/app/elements/api-v2/instances/[id]/webhook-url/rotate/route";
import { db } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { createInstance, deleteInstance, setEventsEnabled, updateInstance, type Actor } from "@/lib/instances/service";
import { syncSubscriptions } from "@/lib/instances/subscriptions";
import { ensureWebhookSecrets, rotateWebhookSecret } from "@/lib/instances/webhook-secret";
import { providerWebhookUrl } from "@/lib/instances/webhook-url";
import type { OAuthGrant } from "@/lib/oauth/grant";
import { call, createTenant, type Tenant } from "./helpers/api";
import { fakeCampaignMonitor, fakeConnectWise, fakeMailChimp } from "./helpers/fake-providers";

/*
 * Provider-side webhook registration against fake provider APIs on localhost (tests/helpers/
 * fake-providers.ts): Campaign Monitor and MailChimp reached through their HOOKLINE_<KEY>_API_URL
 * override or the account's api_endpoint, ConnectWise through the instance's own Server URL.
 * OAuth instances are created ACTIVE through the service with a grant, as the OAuth callback does.
 */

const PUBLIC_URL = "http://hookline.test";
const CM_TOKEN = "cm-access-token-0001";
const MC_TOKEN = "mc-access-token-0002";
const CW = { company: "acme", publicKey: "pub-key", privateKey: "private-key-secret-42" };

let tenant: Tenant;
let actor: Actor;
let cm: Awaited<ReturnType<typeof fakeCampaignMonitor>>;
let mc: Awaited<ReturnType<typeof fakeMailChimp>>;
let cw: Awaited<ReturnType<typeof fakeConnectWise>>;

beforeAll(async () => {
  cm = await fakeCampaignMonitor(CM_TOKEN);
  mc = await fakeMailChimp(MC_TOKEN, ["mc-list-1", "mc-list-2"]);
  cw = await fakeConnectWise(CW);
  process.env.HOOKLINE_PUBLIC_URL = PUBLIC_URL;
  process.env.HOOKLINE_CAMPAIGNMONITOR_API_URL = `${cm.provider.url}/api/v3.3`;
  resetEnv();
  tenant = await createTenant("Subscriptions");
  actor = { organizationId: tenant.organizationId, userId: tenant.userId };
});

afterAll(async () => {
  await Promise.all([cm.provider.close(), mc.provider.close(), cw.provider.close()]);
  for (const name of ["HOOKLINE_PUBLIC_URL", "HOOKLINE_CAMPAIGNMONITOR_API_URL", "HOOKLINE_CONNECTWISE_CLIENT_ID"]) delete process.env[name];
  resetEnv();
});

afterEach(() => {
  for (const fake of [cm, mc, cw]) {
    fake.provider.intercept(null);
    fake.provider.requests.length = 0;
  }
});

function grant(accessToken: string, account: Record<string, string> | null = null): OAuthGrant {
  return { accessToken, refreshToken: "refresh-token", expiresAt: new Date(Date.now() + 14 * 24 * 3600 * 1000), account };
}

function campaignMonitorBody(lists: string, enabled = true) {
  return {
    element: { key: "campaignmonitor" },
    name: "CM subscriptions",
    configuration: {
      "oauth.callback.url": `${PUBLIC_URL}/oauth/callback`,
      "oauth.api.key": "cm-client",
      "oauth.api.secret": "cm-client-secret",
      "event.notification.enabled": enabled,
      "event.notification.callback.url": "https://receiver.test/events",
      "events.list.ids": lists,
    },
  };
}

async function createCampaignMonitor(lists = "list-a,list-b") {
  const { instance } = await createInstance(actor, campaignMonitorBody(lists), { grant: grant(CM_TOKEN) });
  return instance;
}

const rowsOf = (instanceId: number) => db().webhookSubscription.findMany({ where: { instanceId }, orderBy: { scope: "asc" } });
const reload = (id: number) => db().instance.findUniqueOrThrow({ where: { id } });

describe("Campaign Monitor", () => {
  it("enabling events registers one webhook per list with the instance's webhook URL", async () => {
    const instance = await createCampaignMonitor();
    const webhookUrl = providerWebhookUrl(instance);
    // The documented path plus the instance's random URL secret: 24 bytes, base64url.
    expect(webhookUrl.startsWith(`${PUBLIC_URL}/elements/api-v2/events/campaignmonitor/${Buffer.from(String(instance.id)).toString("base64")}?k=`)).toBe(true);
    expect(new URL(webhookUrl).searchParams.get("k")).toMatch(/^[A-Za-z0-9_-]{32}$/);

    const posts = cm.provider.requests.filter((r) => r.method === "POST");
    expect(posts.map((r) => r.path).sort()).toEqual(["/api/v3.3/lists/list-a/webhooks.json", "/api/v3.3/lists/list-b/webhooks.json"]);
    for (const post of posts) {
      expect(post.body).toEqual({ Events: ["Subscribe", "Update", "Deactivate"], Url: webhookUrl, PayloadFormat: "json" });
      expect(post.headers.authorization).toBe(`Bearer ${CM_TOKEN}`);
    }
    expect(cm.listOf("list-a").map((hook) => hook.Url)).toEqual([webhookUrl]);

    expect(instance.subscriptionStatus).toBe("ACTIVE");
    const rows = await rowsOf(instance.id);
    expect(rows.map((row) => [row.scope, row.url])).toEqual([["list-a", webhookUrl], ["list-b", webhookUrl]]);
    expect(rows[0]!.providerId).toBe(cm.listOf("list-a")[0]!.WebhookID);

    const api = await call(instanceRoute.GET, { header: tenant.header, params: { id: String(instance.id) } });
    expect(api.body.subscription).toEqual({ status: "ACTIVE" });
  });

  it("is idempotent: a second sync calls nothing, and a webhook the provider already has for the URL is adopted", async () => {
    const instance = await createCampaignMonitor("list-idem");
    const first = await rowsOf(instance.id);
    cm.provider.requests.length = 0;

    expect((await syncSubscriptions(instance.id)).status).toBe("ACTIVE");
    expect(cm.provider.calls()).toEqual([]);

    // As if Hookline had died between the provider's answer and recording it.
    await db().webhookSubscription.deleteMany({ where: { instanceId: instance.id } });
    expect((await syncSubscriptions(instance.id)).status).toBe("ACTIVE");
    expect(cm.provider.calls()).toEqual(["GET /api/v3.3/lists/list-idem/webhooks.json"]);
    expect((await rowsOf(instance.id)).map((row) => row.providerId)).toEqual(first.map((row) => row.providerId));
    expect(cm.listOf("list-idem")).toHaveLength(1);
  });

  it("serializes concurrent syncs of one instance: each webhook is created once", async () => {
    const { instance } = await createInstance(actor, { ...campaignMonitorBody("list-race-1,list-race-2", false) }, { grant: grant(CM_TOKEN) });
    expect(instance.subscriptionStatus).toBe("NONE");
    expect(cm.provider.calls()).toEqual([]);
    await db().instance.update({ where: { id: instance.id }, data: { eventsEnabled: true, configuration: { ...(instance.configuration as object), "event.notification.enabled": true } } });

    const results = await Promise.all([syncSubscriptions(instance.id), syncSubscriptions(instance.id), syncSubscriptions(instance.id)]);
    expect(results.map((r) => r.status)).toEqual(["ACTIVE", "ACTIVE", "ACTIVE"]);
    expect(cm.provider.requests.filter((r) => r.method === "POST")).toHaveLength(2);
    expect(cm.listOf("list-race-1")).toHaveLength(1);
    expect(cm.listOf("list-race-2")).toHaveLength(1);
  });

  it("disabling events removes the webhooks; enabling registers them again", async () => {
    const instance = await createCampaignMonitor("list-c,list-d");
    const ids = (await rowsOf(instance.id)).map((row) => row.providerId);
    cm.provider.requests.length = 0;

    const off = await setEventsEnabled(actor, instance.id, false);
    expect(off.subscriptionStatus).toBe("NONE");
    expect(cm.provider.calls().sort()).toEqual(ids.map((id, i) => `DELETE /api/v3.3/lists/list-${"cd"[i]}/webhooks/${id}.json`).sort());
    expect(await rowsOf(instance.id)).toEqual([]);
    expect(cm.listOf("list-c")).toEqual([]);

    const on = await setEventsEnabled(actor, instance.id, true);
    expect(on.subscriptionStatus).toBe("ACTIVE");
    expect(cm.listOf("list-c")).toHaveLength(1);
    expect(cm.listOf("list-d")).toHaveLength(1);
  });

  it("changing events.list.ids (PATCH) removes the old list's webhook and registers the new list's", async () => {
    const instance = await createCampaignMonitor("list-keep,list-old");
    const kept = cm.listOf("list-keep")[0]!.WebhookID;
    const old = cm.listOf("list-old")[0]!.WebhookID;
    cm.provider.requests.length = 0;

    const res = await call(instanceRoute.PATCH, {
      method: "PATCH",
      header: tenant.header,
      params: { id: String(instance.id) },
      body: { configuration: { "events.list.ids": "list-keep,list-new" } },
    });
    expect(res.status).toBe(200);
    expect(res.body.subscription).toEqual({ status: "ACTIVE" });
    expect(cm.provider.calls()).toEqual([
      "GET /api/v3.3/lists/list-new/webhooks.json",
      "POST /api/v3.3/lists/list-new/webhooks.json",
      `DELETE /api/v3.3/lists/list-old/webhooks/${old}.json`,
    ]);
    expect(cm.listOf("list-old")).toEqual([]);
    expect(cm.listOf("list-keep").map((hook) => hook.WebhookID)).toEqual([kept]);
    expect((await rowsOf(instance.id)).map((row) => row.scope)).toEqual(["list-keep", "list-new"]);
  });

  it("a provider 500 keeps the instance saved, FAILED with the provider's message; retry after recovery makes it ACTIVE", async () => {
    cm.provider.intercept((request) =>
      request.method === "POST" && request.path.includes("list-flaky") ? { status: 500, body: { Code: 500, Message: "Something went wrong on our side" } } : undefined,
    );
    const instance = await createCampaignMonitor("list-fine,list-flaky");

    expect(instance.subscriptionStatus).toBe("FAILED");
    expect(instance.subscriptionError).toBe(
      "Campaign Monitor answered 500 when creating the webhook for list list-flaky: Something went wrong on our side (code 500).",
    );
    expect(instance.subscriptionError).not.toContain(CM_TOKEN);
    const saved = await reload(instance.id);
    expect(saved).toMatchObject({ name: "CM subscriptions", eventsEnabled: true, subscriptionStatus: "FAILED" });
    // What did get created is recorded, so it can be removed later.
    expect((await rowsOf(instance.id)).map((row) => row.scope)).toEqual(["list-fine"]);

    const api = await call(instanceRoute.GET, { header: tenant.header, params: { id: String(instance.id) } });
    expect(api.body.subscription).toEqual({ status: "FAILED", error: instance.subscriptionError });

    cm.provider.intercept(null);
    cm.provider.requests.length = 0;
    const retried = await syncSubscriptions(instance.id);
    expect(retried).toMatchObject({ status: "ACTIVE" });
    expect(retried.error).toBeUndefined();
    expect(cm.provider.calls()).toEqual(["GET /api/v3.3/lists/list-flaky/webhooks.json", "POST /api/v3.3/lists/list-flaky/webhooks.json"]);
    expect(await reload(instance.id)).toMatchObject({ subscriptionStatus: "ACTIVE", subscriptionError: null });
  });

  it("an unreachable provider fails fast with a summary, and the save stands", async () => {
    const started = Date.now();
    process.env.HOOKLINE_CAMPAIGNMONITOR_API_URL = "http://127.0.0.1:9/api/v3.3";
    try {
      const instance = await createCampaignMonitor("list-down");
      expect(instance.subscriptionStatus).toBe("FAILED");
      expect(instance.subscriptionError).toBe("Could not reach Campaign Monitor: connection refused.");
    } finally {
      process.env.HOOKLINE_CAMPAIGNMONITOR_API_URL = `${cm.provider.url}/api/v3.3`;
    }
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("deleting the instance (DELETE) removes its webhooks first", async () => {
    const instance = await createCampaignMonitor("list-gone-1,list-gone-2");
    cm.provider.requests.length = 0;
    const res = await call(instanceRoute.DELETE, { method: "DELETE", header: tenant.header, params: { id: String(instance.id) } });
    expect(res.status).toBe(200);
    expect(cm.provider.calls().filter((c) => c.startsWith("DELETE"))).toHaveLength(2);
    expect(cm.listOf("list-gone-1")).toEqual([]);
    expect(cm.listOf("list-gone-2")).toEqual([]);
    expect(await db().instance.findUnique({ where: { id: instance.id } })).toBeNull();
  });

  it("deletes the instance even when the provider refuses to remove the webhook, and says so", async () => {
    const instance = await createCampaignMonitor("list-stuck");
    cm.provider.intercept((request) => (request.method === "DELETE" ? { status: 500, body: { Code: 500, Message: "Try later" } } : undefined));
    const result = await deleteInstance(actor, instance.id);
    expect(result.warning).toContain("Campaign Monitor answered 500 when removing the webhook of list list-stuck: Try later");
    expect(await db().instance.findUnique({ where: { id: instance.id } })).toBeNull();
    expect(await rowsOf(instance.id)).toEqual([]);
  });

  it("calls nothing for an instance not authorized yet (PENDING): NONE with a note, registered after authorization", async () => {
    const { instance } = await createInstance(actor, campaignMonitorBody("list-pending"));
    expect(instance.status).toBe("PENDING_AUTHORIZATION");
    expect(instance.subscriptionStatus).toBe("NONE");
    expect(cm.provider.calls()).toEqual([]);
    const state = await syncSubscriptions(instance.id);
    expect(state).toMatchObject({ status: "NONE", note: "Registers once the instance is authorized at Campaign Monitor." });
    expect(cm.provider.calls()).toEqual([]);
  });
});

describe("MailChimp", () => {
  async function createMailChimp() {
    const { instance } = await createInstance(
      actor,
      {
        element: { key: "mailchimpv3" },
        name: "MC subscriptions",
        configuration: {
          "oauth.callback.url": `${PUBLIC_URL}/oauth/callback`,
          "oauth.api.key": "mc-client",
          "oauth.api.secret": "mc-client-secret",
          "event.notification.enabled": true,
          "event.notification.callback.url": "https://receiver.test/events",
        },
      },
      // The API host comes from the account lookup's api_endpoint (no /3.0), as after a real authorization.
      { grant: { ...grant(MC_TOKEN, { dc: "us1", api_endpoint: mc.provider.url }), expiresAt: null } },
    );
    return instance;
  }

  it("registers a webhook on each of the account's lists (two lists, two webhooks)", async () => {
    const instance = await createMailChimp();
    const webhookUrl = providerWebhookUrl(instance);
    expect(instance.subscriptionStatus).toBe("ACTIVE");
    expect(mc.provider.requests[0]).toMatchObject({ method: "GET", path: "/3.0/lists" });
    const posts = mc.provider.requests.filter((r) => r.method === "POST");
    expect(posts.map((r) => r.path).sort()).toEqual(["/3.0/lists/mc-list-1/webhooks", "/3.0/lists/mc-list-2/webhooks"]);
    for (const post of posts) {
      expect(post.headers.authorization).toBe(`Bearer ${MC_TOKEN}`);
      expect(post.body).toEqual({
        url: webhookUrl,
        events: { subscribe: true, unsubscribe: true, profile: true, cleaned: true, upemail: true, campaign: true },
        sources: { user: true, admin: true, api: true },
      });
    }
    expect((await rowsOf(instance.id)).map((row) => row.scope)).toEqual(["mc-list-1", "mc-list-2"]);
  });

  it("rotating the webhook URL moves both webhooks to the new URL; the old one is gone at MailChimp", async () => {
    const instance = await createMailChimp();
    const before = providerWebhookUrl(instance);
    const rotated = await rotateWebhookSecret(actor, instance.id);
    const after = providerWebhookUrl(rotated);
    expect(after).not.toBe(before);
    expect(after.split("?")[0]).toBe(before.split("?")[0]);
    expect(rotated.subscriptionStatus).toBe("ACTIVE");
    const hooks = [...mc.webhooks.values()].flat();
    expect(hooks.filter((hook) => hook.url === before)).toEqual([]);
    expect(hooks.filter((hook) => hook.url === after)).toHaveLength(2);
    expect((await rowsOf(instance.id)).map((row) => row.url)).toEqual([after, after]);
  });

  it("POST /instances/{id}/webhook-url/rotate answers the instance with its new webhookUrl, the webhooks moved", async () => {
    const instance = await createMailChimp();
    const before = providerWebhookUrl(instance);
    const res = await call(webhookUrlRotateRoute.POST, { method: "POST", header: tenant.header, params: { id: String(instance.id) } });
    expect(res.status).toBe(200);
    const body = res.body as { webhookUrl: string; subscription: { status: string } };
    expect(body.webhookUrl).not.toBe(before);
    expect(body.webhookUrl).toBe(providerWebhookUrl(await reload(instance.id)));
    expect(body.subscription.status).toBe("ACTIVE");
    const hooks = [...mc.webhooks.values()].flat();
    expect(hooks.filter((hook) => hook.url === before)).toEqual([]);
    expect(hooks.filter((hook) => hook.url === body.webhookUrl)).toHaveLength(2);
  });

  it("an instance made before URL secrets gets one when the worker starts, and its webhooks move to the new URL", async () => {
    const instance = await createMailChimp();
    // As the migration leaves an existing instance: no secret, webhooks registered at the bare URL.
    const legacy = await db().instance.update({ where: { id: instance.id }, data: { webhookSecretEncrypted: null } });
    const bare = providerWebhookUrl(legacy);
    await syncSubscriptions(instance.id);
    expect([...mc.webhooks.values()].flat().filter((hook) => hook.url === bare)).toHaveLength(2);

    expect(await ensureWebhookSecrets()).toBeGreaterThanOrEqual(1);
    const given = await db().instance.findUniqueOrThrow({ where: { id: instance.id } });
    const url = providerWebhookUrl(given);
    expect(url).toMatch(/\?k=[A-Za-z0-9_-]{32}$/);
    const hooks = [...mc.webhooks.values()].flat();
    expect(hooks.filter((hook) => hook.url === bare)).toEqual([]);
    expect(hooks.filter((hook) => hook.url === url)).toHaveLength(2);
    expect(await ensureWebhookSecrets()).toBe(0);
  });

  it("disabling events deletes both webhooks", async () => {
    const instance = await createMailChimp();
    const ids = (await rowsOf(instance.id)).map((row) => `DELETE /3.0/lists/${row.scope}/webhooks/${row.providerId}`);
    mc.provider.requests.length = 0;
    expect((await setEventsEnabled(actor, instance.id, false)).subscriptionStatus).toBe("NONE");
    expect(mc.provider.calls().sort()).toEqual(ids.sort());
    expect([...mc.webhooks.values()].flat().filter((hook) => hook.url === providerWebhookUrl(instance))).toEqual([]);
  });

  it("shows MailChimp's problem title and detail when it refuses, and removes nothing it cannot list", async () => {
    const instance = await createMailChimp();
    mc.provider.intercept((request) =>
      request.path === "/3.0/lists" ? { status: 403, body: { title: "Forbidden", status: 403, detail: "You don't have permission to access this resource." } } : undefined,
    );
    const state = await updateInstance(actor, instance.id, { name: "MC renamed" });
    expect(state).toMatchObject({ name: "MC renamed", subscriptionStatus: "FAILED" });
    expect(state.subscriptionError).toBe(
      "MailChimp answered 403 when listing the account's lists: Forbidden: You don't have permission to access this resource.",
    );
    expect(await rowsOf(instance.id)).toHaveLength(2);
    expect(mc.provider.calls().filter((c) => c.startsWith("DELETE"))).toEqual([]);
  });
});

describe("ConnectWise", () => {
  function connectwiseBody(serverUrl: string, privateKey = CW.privateKey) {
    return {
      element: { key: "connectwisehd" },
      name: "CW subscriptions",
      configuration: {
        "helpdesk.connectwise.server.url": serverUrl,
        "helpdesk.connectwise.company": CW.company,
        "helpdesk.connectwise.username": CW.publicKey,
        "helpdesk.connectwise.password": privateKey,
        "event.notification.enabled": true,
        "event.notification.callback.url": "https://receiver.test/events",
      },
    };
  }

  it("registers a system callback per type with Basic company+public:private and the clientId header; delete removes them", async () => {
    process.env.HOOKLINE_CONNECTWISE_CLIENT_ID = "hookline-client-id";
    resetEnv();
    try {
      const { instance } = await createInstance(actor, connectwiseBody(cw.provider.url));
      const webhookUrl = providerWebhookUrl(instance);
      expect(instance.subscriptionStatus).toBe("ACTIVE");
      const posts = cw.provider.requests.filter((r) => r.method === "POST");
      expect(posts.map((r) => (r.body as { type: string }).type).sort()).toEqual(["company", "contact", "ticket"]);
      for (const post of posts) {
        expect(post.path).toBe("/v4_6_release/apis/3.0/system/callbacks");
        expect(Buffer.from(String(post.headers.authorization).replace(/^Basic /, ""), "base64").toString()).toBe(`acme+pub-key:${CW.privateKey}`);
        expect(post.headers.clientid).toBe("hookline-client-id");
        expect(post.body).toMatchObject({ url: webhookUrl, objectId: 1, level: "owner", inactiveFlag: false, description: expect.stringContaining(String(instance.id)) });
      }
      expect(cw.callbacks.filter((callback) => callback.url === webhookUrl)).toHaveLength(3);

      cw.provider.requests.length = 0;
      await deleteInstance(actor, instance.id);
      expect(cw.provider.calls().filter((c) => c.startsWith("DELETE"))).toHaveLength(3);
      expect(cw.callbacks.filter((callback) => callback.url === webhookUrl)).toEqual([]);
    } finally {
      delete process.env.HOOKLINE_CONNECTWISE_CLIENT_ID;
      resetEnv();
    }
  });

  it("sends no clientId header when none is configured; disabling events removes the callbacks", async () => {
    const { instance } = await createInstance(actor, connectwiseBody(`${cw.provider.url}/`));
    expect(instance.subscriptionStatus).toBe("ACTIVE");
    expect(cw.provider.requests.every((r) => r.headers.clientid === undefined)).toBe(true);
    cw.provider.requests.length = 0;
    expect((await setEventsEnabled(actor, instance.id, false)).subscriptionStatus).toBe("NONE");
    expect(cw.provider.calls().filter((c) => c.startsWith("DELETE"))).toHaveLength(3);
    expect(await rowsOf(instance.id)).toEqual([]);
  });

  // The credentials check before the save lists one callback (`pageSize=1`); registration lists a page of 1000.
  const registrationListing = (request: { method: string; query: URLSearchParams }) => request.method === "GET" && request.query.get("pageSize") === "1000";

  it("never stores a credential the provider echoes back in its message", async () => {
    cw.provider.intercept((request) =>
      registrationListing(request) ? { status: 400, body: { code: "InvalidObject", message: `Bad key ${CW.privateKey} for ${CW.company}` } } : undefined,
    );
    const { instance } = await createInstance(actor, connectwiseBody(cw.provider.url));
    expect(instance.subscriptionError).toBe("ConnectWise answered 400 when listing its callbacks: Bad key •••• for acme.");
  });

  it("summarizes a refusal without the credentials", async () => {
    // Credentials ConnectWise accepted at save time and refuses when registering (changed meanwhile).
    cw.provider.intercept((request) => (registrationListing(request) ? { status: 401, body: { code: "Unauthorized", message: "Authentication failed." } } : undefined));
    const { instance } = await createInstance(actor, connectwiseBody(cw.provider.url));
    expect(instance.subscriptionStatus).toBe("FAILED");
    expect(instance.subscriptionError).toBe("ConnectWise answered 401 when listing its callbacks: Authentication failed.");
    expect(await reload(instance.id)).toMatchObject({ eventsEnabled: true, subscriptionStatus: "FAILED" });
  });

  it("refuses credentials ConnectWise refuses before storing anything, without repeating them", async () => {
    const refused = createInstance(actor, connectwiseBody(cw.provider.url, "wrong-private-key"));
    await expect(refused).rejects.toMatchObject({ code: "bad_request", message: expect.stringMatching(/^ConnectWise answered 401 when checking the credentials: Authentication failed\./) });
    await expect(refused).rejects.not.toMatchObject({ message: expect.stringContaining("wrong-private-key") });
  });
});

describe("Hootsuite", () => {
  it("is MANUAL while events are on and NONE when off, without calling anything", async () => {
    const { instance } = await createInstance(
      actor,
      {
        element: { key: "hootsuite" },
        name: "HS subscriptions",
        configuration: {
          "oauth.callback.url": `${PUBLIC_URL}/oauth/callback`,
          "oauth.api.key": "hs-client",
          "oauth.api.secret": "hs-client-secret",
          "event.notification.enabled": true,
          "event.notification.callback.url": "https://receiver.test/events",
        },
      },
      { grant: grant("hs-token") },
    );
    expect(instance.subscriptionStatus).toBe("MANUAL");
    expect((await setEventsEnabled(actor, instance.id, false)).subscriptionStatus).toBe("NONE");
    expect(await rowsOf(instance.id)).toEqual([]);
  });
});
