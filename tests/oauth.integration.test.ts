import { createHash } from "node:crypto";
import http, { type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { OAuth2Server } from "oauth2-mock-server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as oauthUrlRoute from "@/app/elements/api-v2/elements/[key]/oauth/url/route";
import * as instancesRoute from "@/app/elements/api-v2/instances/route";
import { getConnector } from "@/lib/connectors";
import type { OAuth2Config } from "@/lib/connectors/types";
import { decrypt } from "@/lib/crypto/secrets";
import { db } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { refreshDueTokens } from "@/lib/oauth/background-refresh";
import { completeAuthorization } from "@/lib/oauth/callback";
import { beginAuthorization, retryAuthorization, type AuthorizationResult, type FlowUser } from "@/lib/oauth/flow";
import { accessTokenFor, refreshInstanceTokens } from "@/lib/oauth/refresh";
import { call, createTenant, type Tenant } from "./helpers/api";

/*
 * The OAuth flows against a real OAuth 2 authorization server (oauth2-mock-server) on localhost: its
 * /authorize really redirects with a code, its /token really issues (and, with PKCE, verifies) tokens.
 * The connectors are pointed at it with the HOOKLINE_<KEY>_<NAME>_URL overrides.
 */

const PUBLIC_URL = "http://hookline.test";
const CALLBACK = `${PUBLIC_URL}/oauth/callback`;
const SECRET = "cm-client-secret-value-0042";

type TokenRequest = { body: Record<string, string>; headers: IncomingHttpHeaders; status: number; response: Record<string, unknown> };
type MutableResponse = { statusCode: number; body: Record<string, unknown> | "" };

let server: OAuth2Server;
let base: string;
let tokenRequests: TokenRequest[] = [];
let metadataRequests: IncomingHttpHeaders[] = [];
let acme: Tenant;
let globex: Tenant;
let acmeUser: FlowUser;
let globexUser: FlowUser;

const OVERRIDES = ["CAMPAIGNMONITOR", "HOOTSUITE", "MAILCHIMPV3"].flatMap((key) => [`HOOKLINE_${key}_AUTHORIZE_URL`, `HOOKLINE_${key}_TOKEN_URL`]);

beforeAll(async () => {
  server = new OAuth2Server();
  await server.issuer.keys.generate("RS256");
  await server.start(0, "127.0.0.1");
  base = `http://127.0.0.1:${server.address().port}`;
  // Registered first, so it sees what the per-test `once` hooks changed.
  server.service.on("beforeResponse", (response: MutableResponse, req: http.IncomingMessage & { body: Record<string, string> }) => {
    queueMicrotask(() =>
      tokenRequests.push({ body: { ...req.body }, headers: req.headers, status: response.statusCode, response: response.body === "" ? {} : { ...response.body } }),
    );
  });
  // MailChimp's /oauth2/metadata is played by the server's userinfo endpoint.
  server.service.on("beforeUserinfo", (response: MutableResponse, req: http.IncomingMessage) => {
    metadataRequests.push(req.headers);
    response.body = { dc: "us21", role: "owner", accountname: "Acme", user_id: 42, login_url: "https://login.mailchimp.com", api_endpoint: "https://us21.api.mailchimp.com" };
  });
  for (const key of ["CAMPAIGNMONITOR", "HOOTSUITE", "MAILCHIMPV3"]) {
    process.env[`HOOKLINE_${key}_AUTHORIZE_URL`] = `${base}/authorize`;
    process.env[`HOOKLINE_${key}_TOKEN_URL`] = `${base}/token`;
  }
  process.env.HOOKLINE_MAILCHIMPV3_METADATA_URL = `${base}/userinfo`;
  process.env.HOOKLINE_PUBLIC_URL = PUBLIC_URL;
  resetEnv();

  acme = await createTenant("Acme OAuth");
  globex = await createTenant("Globex OAuth");
  acmeUser = { id: acme.userId, organizationId: acme.organizationId };
  globexUser = { id: globex.userId, organizationId: globex.organizationId };
});

afterAll(async () => {
  await server.stop();
  for (const name of [...OVERRIDES, "HOOKLINE_MAILCHIMPV3_METADATA_URL", "HOOKLINE_PUBLIC_URL"]) delete process.env[name];
  resetEnv();
});

afterEach(() => {
  tokenRequests = [];
  metadataRequests = [];
  server.service.removeAllListeners("beforeAuthorizeRedirect");
});

function body(key: string, name: string, callbackUrl = CALLBACK) {
  return {
    element: { key },
    name,
    tags: ["oauth"],
    configuration: {
      "oauth.callback.url": callbackUrl,
      "oauth.api.key": `${key}-client`,
      "oauth.api.secret": SECRET,
      "event.notification.enabled": false,
    },
  };
}

/** The browser at the consent page: the server redirects back with `code` and `state` (or an error). */
async function consent(redirectUrl: string): Promise<URL> {
  const response = await fetch(redirectUrl, { redirect: "manual" });
  expect(response.status).toBe(302);
  return new URL(response.headers.get("location")!);
}

/** What the callback page receives. */
function callbackParams(location: URL) {
  return Object.fromEntries(location.searchParams);
}

async function start(key: string, name: string) {
  const begun = await beginAuthorization(acmeUser, body(key, name));
  const location = await consent(begun.redirectUrl);
  return { begun, location, params: callbackParams(location) };
}

const count = (name: string) => db().instance.count({ where: { name } });
const tokenCalls = (grantType: string) => tokenRequests.filter((r) => r.body.grant_type === grantType);
const respondOnce = (change: (response: MutableResponse) => void) => server.service.once("beforeResponse", change);

function failed(result: AuthorizationResult) {
  if (result.ok) throw new Error(`expected a failure, got instance ${result.instanceId}`);
  // Nothing secret is ever part of what the page is built from.
  expect(JSON.stringify(result)).not.toContain(SECRET);
  return result;
}

function succeeded(result: AuthorizationResult) {
  if (!result.ok) throw new Error(`expected success, got ${result.reason}`);
  return result;
}

describe("browser flow", () => {
  it("redirects to the consent page, then the callback exchanges the code and creates an ACTIVE instance with encrypted tokens", async () => {
    const { begun, location, params } = await start("campaignmonitor", "CM browser");
    const consentUrl = new URL(begun.redirectUrl);
    expect(`${consentUrl.origin}${consentUrl.pathname}`).toBe(`${base}/authorize`);
    expect(Object.fromEntries(consentUrl.searchParams)).toMatchObject({
      type: "web_server",
      response_type: "code",
      client_id: "campaignmonitor-client",
      redirect_uri: CALLBACK,
      scope: "ManageLists,ImportSubscribers",
    });
    expect(consentUrl.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);

    const stored = await db().oAuthAuthorization.findUniqueOrThrow({ where: { id: begun.authorizationId } });
    expect(stored.stateHash).not.toBe(params.state);
    expect(stored.draftEncrypted).not.toContain(SECRET);
    expect(await count("CM browser")).toBe(0);

    const result = succeeded(await completeAuthorization(acmeUser, params));
    expect(result.providerName).toBe("Campaign Monitor");

    const [exchange] = tokenCalls("authorization_code");
    expect(exchange?.body).toMatchObject({ code: params.code, redirect_uri: CALLBACK, client_id: "campaignmonitor-client", client_secret: SECRET });
    expect(exchange?.body.code_verifier).toBeUndefined();

    const instance = await db().instance.findUniqueOrThrow({ where: { id: result.instanceId } });
    expect(instance).toMatchObject({ status: "ACTIVE", name: "CM browser", organizationId: acme.organizationId, createdById: acme.userId, authError: null });
    expect(instance.accessTokenEncrypted).toMatch(/^v1:/);
    expect(decrypt(instance.accessTokenEncrypted!)).toBe(exchange?.response.access_token);
    expect(decrypt(instance.refreshTokenEncrypted!)).toBe(exchange?.response.refresh_token);
    expect(Math.abs(instance.tokenExpiresAt!.getTime() - (Date.now() + 3600_000))).toBeLessThan(60_000);
    const [raw] = await db().$queryRawUnsafe<{ row: string }[]>(`SELECT i::text AS row FROM instances i WHERE id = ${result.instanceId}`);
    expect(raw!.row).not.toContain(String(exchange?.response.access_token));
    expect(raw!.row).not.toContain(String(exchange?.response.refresh_token));
    expect(raw!.row).not.toContain(SECRET);

    const after = await db().oAuthAuthorization.findUniqueOrThrow({ where: { id: begun.authorizationId } });
    expect(after).toMatchObject({ instanceId: result.instanceId, draftEncrypted: null, lastError: null });
    expect(after.usedAt).not.toBeNull();
    expect(after.completedAt).not.toBeNull();
  });

  it("sends a PKCE S256 challenge when the connector allows it, and the server verifies the verifier", async () => {
    const auth = getConnector("campaignmonitor")!.auth as OAuth2Config;
    auth.pkce = true;
    try {
      const { begun, params } = await start("campaignmonitor", "CM pkce");
      const consentUrl = new URL(begun.redirectUrl);
      const challenge = consentUrl.searchParams.get("code_challenge");
      expect(consentUrl.searchParams.get("code_challenge_method")).toBe("S256");
      const row = await db().oAuthAuthorization.findUniqueOrThrow({ where: { id: begun.authorizationId } });
      expect(row.codeVerifierEncrypted).toMatch(/^v1:/);

      succeeded(await completeAuthorization(acmeUser, params));
      const verifier = tokenCalls("authorization_code")[0]?.body.code_verifier;
      expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(createHash("sha256").update(verifier!).digest("base64url")).toBe(challenge);

      // A verifier that does not match the challenge is refused by the server: nothing is created.
      const second = await start("campaignmonitor", "CM pkce wrong verifier");
      const { encrypt } = await import("@/lib/crypto/secrets");
      await db().oAuthAuthorization.update({ where: { id: second.begun.authorizationId }, data: { codeVerifierEncrypted: encrypt("x".repeat(43)) } });
      expect(failed(await completeAuthorization(acmeUser, second.params)).reason).toBe("token_rejected");
      expect(await count("CM pkce wrong verifier")).toBe(0);
    } finally {
      auth.pkce = false;
    }
  });

  it("refuses a replayed callback: the error, and still exactly one instance", async () => {
    const { params } = await start("campaignmonitor", "CM replay");
    const first = succeeded(await completeAuthorization(acmeUser, params));
    const replay = failed(await completeAuthorization(acmeUser, params));
    expect(replay).toMatchObject({ reason: "already_used", instanceId: first.instanceId });
    expect(replay.retryId).toBeUndefined();
    expect(tokenCalls("authorization_code")).toHaveLength(1);
    expect(await count("CM replay")).toBe(1);
  });

  it("lets exactly one of two simultaneous callbacks with the same state through", async () => {
    const { params } = await start("campaignmonitor", "CM race");
    const results = await Promise.all([completeAuthorization(acmeUser, params), completeAuthorization(acmeUser, params)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await count("CM race")).toBe(1);
  });

  it("refuses a forged state and a missing one", async () => {
    const before = await db().instance.count();
    await start("campaignmonitor", "CM forged");
    expect(failed(await completeAuthorization(acmeUser, { code: "abc", state: "A".repeat(43) })).reason).toBe("unknown_state");
    expect(failed(await completeAuthorization(acmeUser, { code: "abc", state: "<script>" })).reason).toBe("unknown_state");
    expect(failed(await completeAuthorization(acmeUser, { code: "abc" })).reason).toBe("missing_state");
    expect(tokenCalls("authorization_code")).toHaveLength(0);
    expect(await db().instance.count()).toBe(before);
  });

  it("refuses an expired state (11 minutes old), keeps the draft, and Try again completes from it", async () => {
    const { begun, params } = await start("campaignmonitor", "CM expired");
    await db().oAuthAuthorization.update({ where: { id: begun.authorizationId }, data: { createdAt: new Date(Date.now() - 11 * 60 * 1000) } });
    const result = failed(await completeAuthorization(acmeUser, params));
    expect(result).toMatchObject({ reason: "expired", retryId: begun.authorizationId, elementKey: "campaignmonitor" });
    expect(tokenCalls("authorization_code")).toHaveLength(0);
    expect(await count("CM expired")).toBe(0);

    // Another person cannot retry it; its owner can, without retyping anything.
    await expect(retryAuthorization(globexUser, begun.authorizationId)).rejects.toMatchObject({ code: "not_found" });
    const retried = await retryAuthorization(acmeUser, begun.authorizationId);
    expect(new URL(retried.redirectUrl).searchParams.get("state")).not.toBe(params.state);
    const again = succeeded(await completeAuthorization(acmeUser, callbackParams(await consent(retried.redirectUrl))));
    const instance = await db().instance.findUniqueOrThrow({ where: { id: again.instanceId } });
    expect(instance).toMatchObject({ name: "CM expired", tags: ["oauth"], status: "ACTIVE" });
    expect(await count("CM expired")).toBe(1);
  });

  it("refuses another user's state without touching it; its owner can still complete it", async () => {
    const { params } = await start("campaignmonitor", "CM foreign");
    const result = failed(await completeAuthorization(globexUser, params));
    expect(result.reason).toBe("foreign_state");
    expect(result.elementKey).toBeUndefined();
    expect(await count("CM foreign")).toBe(0);
    succeeded(await completeAuthorization(acmeUser, params));
    expect(await count("CM foreign")).toBe(1);
  });

  it("shows access_denied from the provider, creates nothing and keeps the draft", async () => {
    server.service.once("beforeAuthorizeRedirect", ({ url }: { url: URL }) => {
      url.searchParams.delete("code");
      url.searchParams.set("error", "access_denied");
      url.searchParams.set("error_description", `The user denied access; secret ${SECRET}`);
    });
    const { begun, params } = await start("campaignmonitor", "CM denied");
    expect(params.error).toBe("access_denied");
    const result = failed(await completeAuthorization(acmeUser, params));
    expect(result).toMatchObject({ reason: "access_denied", retryId: begun.authorizationId, providerName: "Campaign Monitor" });
    expect(tokenCalls("authorization_code")).toHaveLength(0);
    expect(await count("CM denied")).toBe(0);
    const row = await db().oAuthAuthorization.findUniqueOrThrow({ where: { id: begun.authorizationId } });
    expect(row).toMatchObject({ lastError: "access_denied" });
    expect(row.draftEncrypted).not.toBeNull();
  });

  it("reports a token endpoint answering 500, creates nothing, and a retry then succeeds", async () => {
    respondOnce((response) => {
      response.statusCode = 500;
      response.body = { error: "server_error", error_description: `stack trace with ${SECRET}` };
    });
    const { begun, params } = await start("campaignmonitor", "CM token 500");
    const result = failed(await completeAuthorization(acmeUser, params));
    expect(result).toMatchObject({ reason: "token_unavailable", retryId: begun.authorizationId });
    expect(result.detail).toMatch(/HTTP 500/);
    expect(await count("CM token 500")).toBe(0);

    const retried = await retryAuthorization(acmeUser, begun.authorizationId);
    succeeded(await completeAuthorization(acmeUser, callbackParams(await consent(retried.redirectUrl))));
    expect(await count("CM token 500")).toBe(1);
  });

  it("reports a token endpoint refusing the code (invalid_grant)", async () => {
    respondOnce((response) => {
      response.statusCode = 400;
      response.body = { error: "invalid_grant", error_description: "Code expired" };
    });
    const { params } = await start("campaignmonitor", "CM token 400");
    const result = failed(await completeAuthorization(acmeUser, params));
    expect(result.reason).toBe("token_rejected");
    expect(result.detail).toContain("invalid_grant");
    expect(result.detail).not.toContain("Code expired");
    expect(await count("CM token 400")).toBe(0);
  });

  it("gives up on a token endpoint that never answers", async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    process.env.HOOKLINE_CAMPAIGNMONITOR_TOKEN_URL = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/token`;
    process.env.HOOKLINE_OAUTH_TIMEOUT_MS = "300";
    resetEnv();
    try {
      const { params } = await start("campaignmonitor", "CM timeout");
      const started = Date.now();
      const result = failed(await completeAuthorization(acmeUser, params));
      expect(result.reason).toBe("token_timeout");
      expect(result.retryId).toBeDefined();
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await count("CM timeout")).toBe(0);
    } finally {
      process.env.HOOKLINE_CAMPAIGNMONITOR_TOKEN_URL = `${base}/token`;
      delete process.env.HOOKLINE_OAUTH_TIMEOUT_MS;
      resetEnv();
      silent.closeAllConnections();
      silent.close();
    }
  });

  it("hootsuite: scope=offline, client credentials in HTTP Basic rather than the body", async () => {
    const { begun, params } = await start("hootsuite", "HS basic");
    expect(new URL(begun.redirectUrl).searchParams.get("scope")).toBe("offline");
    succeeded(await completeAuthorization(acmeUser, params));
    const [exchange] = tokenCalls("authorization_code");
    expect(exchange?.headers.authorization).toBe(`Basic ${Buffer.from(`hootsuite-client:${SECRET}`).toString("base64")}`);
    expect(exchange?.body.client_secret).toBeUndefined();
    expect(exchange?.body.client_id).toBeUndefined();
  });

  it("mailchimpv3: reads the account's data center from the metadata endpoint and stores it; tokens never expire", async () => {
    const { begun, params } = await start("mailchimpv3", "MC metadata");
    expect(new URL(begun.redirectUrl).searchParams.has("scope")).toBe(false);
    const result = succeeded(await completeAuthorization(acmeUser, params));
    const access = tokenCalls("authorization_code")[0]?.response.access_token;
    expect(metadataRequests[0]?.authorization).toBe(`OAuth ${access}`);
    const instance = await db().instance.findUniqueOrThrow({ where: { id: result.instanceId } });
    expect(instance.providerAccount).toEqual({ dc: "us21", api_endpoint: "https://us21.api.mailchimp.com", accountname: "Acme", user_id: "42", login_url: "https://login.mailchimp.com" });
    expect(instance.tokenExpiresAt).toBeNull();
    expect(instance.status).toBe("ACTIVE");
  });

  it("honours a Callback URL of another app: the consent redirects there, without PKCE", async () => {
    const auth = getConnector("campaignmonitor")!.auth as OAuth2Config;
    auth.pkce = true;
    try {
      const begun = await beginAuthorization(acmeUser, body("campaignmonitor", "CM elsewhere", "https://mycoolapp.com/cb"));
      const url = new URL(begun.redirectUrl);
      expect(url.searchParams.get("redirect_uri")).toBe("https://mycoolapp.com/cb");
      expect(url.searchParams.has("code_challenge")).toBe(false);
      const location = await consent(begun.redirectUrl);
      expect(`${location.origin}${location.pathname}`).toBe("https://mycoolapp.com/cb");
    } finally {
      auth.pkce = false;
    }
  });

  it("validates the form's body like the API does and refuses a non-OAuth connector", async () => {
    const bad = body("campaignmonitor", "CM invalid");
    delete (bad.configuration as Record<string, unknown>)["oauth.api.key"];
    await expect(beginAuthorization(acmeUser, bad)).rejects.toMatchObject({ code: "bad_request", fieldErrors: { "oauth.api.key": expect.any(Array) } });
    await expect(
      beginAuthorization(acmeUser, { element: { key: "connectwisecrmrest" }, name: "CW", configuration: {} }),
    ).rejects.toMatchObject({ code: "bad_request" });
    expect(await db().oAuthAuthorization.count({ where: { userId: acme.userId, elementKey: "connectwisecrmrest" } })).toBe(0);
  });
});

describe("API flow (Cloud Elements compatible)", () => {
  const urlFor = (key: string, query: Record<string, string>) =>
    `http://localhost/elements/api-v2/elements/${key}/oauth/url?${new URLSearchParams(query)}`;

  it("GET oauth/url returns a consent URL that works, then POST /instances with the code creates an ACTIVE instance", async () => {
    const res = await call(oauthUrlRoute.GET, {
      header: acme.header,
      params: { key: "campaignmonitor" },
      url: urlFor("campaignmonitor", { apiKey: "api-client", apiSecret: SECRET, callbackUrl: "https://mycoolapp.com", state: "my-state" }),
    });
    expect(res.status).toBe(200);
    expect(res.body.element).toBe("campaignmonitor");
    expect(res.body.oauthUrl).not.toContain(SECRET);
    const location = await consent(res.body.oauthUrl);
    expect(location.origin).toBe("https://mycoolapp.com");
    expect(location.searchParams.get("state")).toBe("my-state");
    const code = location.searchParams.get("code")!;

    const created = await call(instancesRoute.POST, {
      method: "POST",
      header: acme.header,
      body: {
        element: { key: "campaignmonitor" },
        providerData: { code },
        configuration: { "oauth.callback.url": "https://mycoolapp.com", "oauth.api.key": "api-client", "oauth.api.secret": SECRET },
        name: "CM api",
      },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ name: "CM api", status: "ACTIVE", valid: true });
    expect(tokenCalls("authorization_code")[0]?.body).toMatchObject({ code, redirect_uri: "https://mycoolapp.com", client_id: "api-client", client_secret: SECRET });
    const instance = await db().instance.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(instance.accessTokenEncrypted).toMatch(/^v1:/);
    expect(decrypt(instance.accessTokenEncrypted!)).toBe(tokenCalls("authorization_code")[0]?.response.access_token);
    expect(JSON.stringify(created.body)).not.toContain(String(tokenCalls("authorization_code")[0]?.response.access_token));
  });

  it("answers 400 with field errors without apiKey or callbackUrl, 400 for a non-OAuth connector, 404 for an unknown one", async () => {
    const missing = await call(oauthUrlRoute.GET, { header: acme.header, params: { key: "hootsuite" }, url: urlFor("hootsuite", { apiSecret: "x" }) });
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body.fieldErrors).sort()).toEqual(["apiKey", "callbackUrl"]);
    const badUrl = await call(oauthUrlRoute.GET, { header: acme.header, params: { key: "hootsuite" }, url: urlFor("hootsuite", { apiKey: "k", callbackUrl: "javascript:alert(1)" }) });
    expect(badUrl.status).toBe(400);
    const credentials = await call(oauthUrlRoute.GET, { header: acme.header, params: { key: "connectwisehd" }, url: urlFor("connectwisehd", { apiKey: "k", callbackUrl: "https://x.test" }) });
    expect(credentials.status).toBe(400);
    const unknown = await call(oauthUrlRoute.GET, { header: acme.header, params: { key: "nope" }, url: urlFor("nope", { apiKey: "k", callbackUrl: "https://x.test" }) });
    expect(unknown.status).toBe(404);
    const anonymous = await call(oauthUrlRoute.GET, { params: { key: "hootsuite" }, url: urlFor("hootsuite", { apiKey: "k", callbackUrl: "https://x.test" }) });
    expect(anonymous.status).toBe(401);
  });

  it("answers 400 with the provider's (redacted) message when the code is refused, 502 when the endpoint fails; no instance", async () => {
    const post = (name: string) =>
      call(instancesRoute.POST, {
        method: "POST",
        header: acme.header,
        body: {
          element: { key: "hootsuite" },
          providerData: { code: "the-code-1234" },
          configuration: { "oauth.callback.url": "https://mycoolapp.com", "oauth.api.key": "k", "oauth.api.secret": SECRET },
          name,
        },
      });

    respondOnce((response) => {
      response.statusCode = 400;
      response.body = { error: "invalid_grant", error_description: `code the-code-1234 for secret ${SECRET} is expired` };
    });
    const refused = await post("HS refused");
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/Hootsuite rejected the request \(invalid_grant\)/);
    expect(refused.body.message).toContain("is expired");
    expect(refused.body.message).not.toContain(SECRET);
    expect(refused.body.message).not.toContain("the-code-1234");
    expect(await count("HS refused")).toBe(0);

    respondOnce((response) => {
      response.statusCode = 503;
      response.body = { error: "temporarily_unavailable" };
    });
    const failing = await post("HS failing");
    expect(failing.status).toBe(502);
    expect(await count("HS failing")).toBe(0);
  });

  it("still creates a PENDING_AUTHORIZATION instance when no code is sent", async () => {
    const created = await call(instancesRoute.POST, { method: "POST", header: acme.header, body: body("hootsuite", "HS no code") });
    expect(created.status).toBe(200);
    expect(created.body.status).toBe("PENDING_AUTHORIZATION");
    expect(tokenRequests).toHaveLength(0);
  });
});

describe("refresh", () => {
  async function connected(key: string, name: string) {
    const { params } = await start(key, name);
    const { instanceId } = succeeded(await completeAuthorization(acmeUser, params));
    tokenRequests = [];
    return instanceId;
  }
  const expire = (id: number) => db().instance.update({ where: { id }, data: { tokenExpiresAt: new Date(Date.now() - 1000) } });

  it("refreshes an expired access token once, however many uses arrive at the same time, and stores the new refresh token", async () => {
    const id = await connected("hootsuite", "HS refresh");
    const before = await db().instance.findUniqueOrThrow({ where: { id } });
    await expire(id);

    const tokens = await Promise.all([accessTokenFor(id), accessTokenFor(id), accessTokenFor(id)]);
    const refreshes = tokenCalls("refresh_token");
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]?.body.refresh_token).toBe(decrypt(before.refreshTokenEncrypted!));
    expect(refreshes[0]?.headers.authorization).toMatch(/^Basic /);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).toBe(refreshes[0]?.response.access_token);

    const after = await db().instance.findUniqueOrThrow({ where: { id } });
    expect(decrypt(after.refreshTokenEncrypted!)).toBe(refreshes[0]?.response.refresh_token);
    expect(after.refreshTokenEncrypted).not.toBe(before.refreshTokenEncrypted);
    expect(after.tokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 30 * 60 * 1000);
    // Fresh now: no further refresh.
    expect(await accessTokenFor(id)).toBe(tokens[0]);
    expect(tokenCalls("refresh_token")).toHaveLength(1);
  });

  it("leaves the instance alone when the provider is down, and marks it NEEDS_REAUTHORIZATION when the refresh is refused", async () => {
    const id = await connected("campaignmonitor", "CM refresh refused");
    await expire(id);

    respondOnce((response) => {
      response.statusCode = 500;
      response.body = { error: "server_error" };
    });
    await expect(accessTokenFor(id)).rejects.toMatchObject({ code: "bad_gateway" });
    expect((await db().instance.findUniqueOrThrow({ where: { id } })).status).toBe("ACTIVE");

    respondOnce((response) => {
      response.statusCode = 400;
      response.body = { error: "invalid_grant", error_description: "Refresh token revoked" };
    });
    await expect(accessTokenFor(id)).rejects.toMatchObject({ code: "conflict" });
    const instance = await db().instance.findUniqueOrThrow({ where: { id } });
    expect(instance.status).toBe("NEEDS_REAUTHORIZATION");
    expect(instance.authError).toContain("invalid_grant");
    expect(instance.authError).not.toContain("revoked");
    // No more calls to the provider for it until it is reconnected.
    await expect(accessTokenFor(id)).rejects.toMatchObject({ code: "conflict" });
    expect(tokenCalls("refresh_token")).toHaveLength(2);

    // Reconnect: the browser flow again, for the same instance.
    const begun = await beginAuthorization(acmeUser, null, { instanceId: id });
    const result = succeeded(await completeAuthorization(acmeUser, callbackParams(await consent(begun.redirectUrl))));
    expect(result).toMatchObject({ instanceId: id, reconnected: true });
    const reconnected = await db().instance.findUniqueOrThrow({ where: { id } });
    expect(reconnected).toMatchObject({ status: "ACTIVE", authError: null });
    expect(decrypt(reconnected.accessTokenEncrypted!)).toBe(tokenCalls("authorization_code")[0]?.response.access_token);
    expect(await count("CM refresh refused")).toBe(1);
    // Another organization cannot reconnect it.
    await expect(beginAuthorization(globexUser, null, { instanceId: id })).rejects.toMatchObject({ code: "not_found" });
  });

  it("refreshes due tokens in the background and prunes stale authorizations", async () => {
    const id = await connected("hootsuite", "HS background");
    const before = await db().instance.findUniqueOrThrow({ where: { id } });
    await expire(id);
    const stale = await beginAuthorization(acmeUser, body("hootsuite", "HS stale"));
    await db().oAuthAuthorization.update({ where: { id: stale.authorizationId }, data: { createdAt: new Date(Date.now() - 25 * 60 * 60 * 1000) } });

    const result = await refreshDueTokens();
    expect(result.refreshed).toBeGreaterThanOrEqual(1);
    expect(result.prunedAuthorizations).toBeGreaterThanOrEqual(1);
    const after = await db().instance.findUniqueOrThrow({ where: { id } });
    expect(after.accessTokenEncrypted).not.toBe(before.accessTokenEncrypted);
    expect(await db().oAuthAuthorization.count({ where: { id: stale.authorizationId } })).toBe(0);
    expect((await refreshInstanceTokens(id)).kind).toBe("fresh");
  });
});
