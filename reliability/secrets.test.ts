// Secrets never leave: a full run against a real server (logging at debug level), then every API
// response, page and delivery, and the whole server log, are searched for every secret used.
//
// The run: instances of all four connectors created through the REST API with a distinctive value in
// every secret parameter (the OAuth ones with a code, so access and refresh tokens are issued too), read,
// edited (new secret values), listed, refused (bodies that fail validation, a code the provider refuses,
// a wrong Authorization header); webhooks posted to their ingest URLs and delivered (signed) to a local
// receiver; the providers' APIs refusing webhook registration with an answer that quotes the request
// they got; a sign-in with a mistyped password, then one through next-auth's credentials endpoint; every
// page of the console fetched, and a few seconds of the live event log stream.
//
// Instance tokens may appear once: in the answer that created them. The settings page shows the API
// secrets masked (they are revealed only through its server action, on request).
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { getConnector } from "@/lib/connectors";
import { fixture } from "@/tests/fixtures/webhooks";
import { startReceiver, waitUntil, type Receiver } from "@/tests/helpers/events";
import { launchHookline, signInCookie, type HooklineProcess } from "@/tests/helpers/hookline-process";
import { providerEnv } from "./provider-env";
import campaignMonitorSeed from "@/tests/fixtures/seeds/campaignmonitor.cloudelements.body.json";
import connectwiseSeed from "@/tests/fixtures/seeds/connectwisehd.body.json";
import hootsuiteSeed from "@/tests/fixtures/seeds/hootsuite.body.json";
import mailchimpSeed from "@/tests/fixtures/seeds/mailchimpv3.body.json";

const marker = (name: string) => `leak-${name.replace(/\W+/g, "-")}-${randomBytes(9).toString("base64url")}`;

/** Every value that must not show up, and what it is. */
const secrets = new Map<string, string>();
const secret = (what: string) => {
  const value = marker(what);
  secrets.set(value, what);
  return value;
};

/**
 * The providers' side, on localhost. The token endpoint issues tokens (each a secret) for any code but
 * `refused-code`, which it refuses quoting the request back; ConnectWise's credentials check passes;
 * every other call (webhook registration, ConnectWise's API) answers 401 with a message quoting the
 * request's Authorization header and body, as a careless API might.
 */
async function startProvider() {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const echo = `${req.headers.authorization ?? ""} ${body}`;
      const reply = (status: number, payload: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(payload));
      if (req.url?.startsWith("/token")) {
        if (body.includes("refused-code")) return reply(400, { error: "invalid_grant", error_description: `bad code in ${echo}` });
        return reply(200, { access_token: secret("access token"), refresh_token: secret("refresh token"), expires_in: 3600, token_type: "bearer" });
      }
      if (req.url?.startsWith("/metadata")) return reply(200, { dc: "us1", role: "owner", accountname: "Leak test", login_url: url, api_endpoint: `${url}/api` });
      // ConnectWise's credentials check before a save (one callback listed) passes, so the instance is stored.
      if (req.method === "GET" && req.url === "/api/system/callbacks?pageSize=1") return reply(200, []);
      return reply(401, { message: `Denied: ${echo}`, errors: [{ message: `Denied: ${echo}` }] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, env: providerEnv(url), close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let hookline: HooklineProcess;
let receiver: Receiver;
let provider: Awaited<ReturnType<typeof startProvider>>;

beforeAll(async () => {
  receiver = await startReceiver();
  provider = await startProvider();
  hookline = await launchHookline({ logFile: true, env: { ...provider.env, HOOKLINE_LOG_LEVEL: "debug" } });
});

afterAll(async () => {
  await hookline?.stop();
  await receiver?.close();
  await provider?.close();
});

it("no secret in any API response, page, delivery or log line", async () => {
  const tokens: string[] = [];
  const responses: { where: string; text: string }[] = [];
  const api = async (method: string, path: string, body?: unknown, authorization = hookline.header) => {
    const response = await fetch(`${hookline.base}${path}`, {
      method,
      headers: { authorization, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
  };
  const keep = <T extends { text: string }>(where: string, answer: T): T => {
    responses.push({ where, text: answer.text });
    return answer;
  };

  // ——— instances: every secret parameter of every connector gets a distinctive value, on create and again on PATCH
  const instances: { id: number; webhookUrl: string; key: string }[] = [];
  let secretParameters = 0;
  for (const seed of [campaignMonitorSeed, mailchimpSeed, hootsuiteSeed, connectwiseSeed] as Record<string, unknown>[]) {
    const key = (seed.element as { key: string }).key;
    const connector = getConnector(key)!;
    const oauth = connector.auth.type === "oauth2";
    const configuration: Record<string, unknown> = {
      ...(seed.configuration as object),
      "event.notification.callback.url": receiver.url,
      "events.list.ids": "list-1",
      // Not in the catalog, but named like a secret: kept encrypted and masked as well.
      "custom.api.token": secret(`${key} custom.api.token`),
    };
    if (key !== "campaignmonitor") delete configuration["events.list.ids"];
    // One value per secret parameter, under the name the seed uses (ConnectWise's `helpdesk.*` aliases).
    const secretNames = connector.parameters
      .filter((row) => row.type === "secret")
      .map((row) => [row.apiName, ...(row.aliases ?? [])].find((name) => name in configuration) ?? row.apiName);
    secretParameters += secretNames.length;
    for (const name of secretNames) configuration[name] = secret(`${key} ${name}`);
    if (key === "connectwisehd") configuration["helpdesk.connectwise.server.url"] = provider.url;

    // An OAuth code the provider refuses (it quotes the client secret back): 400, and nothing of it shown.
    if (oauth) {
      const refused = keep(`POST /instances (${key}, refused code)`, await api("POST", "/elements/api-v2/instances", { element: { key }, name: `Leak ${key}`, configuration, providerData: { code: "refused-code" } }));
      expect(refused.status, refused.text).toBe(400);
    }
    // A body that fails validation, secrets included.
    const invalid = keep(`POST /instances (${key}, invalid)`, await api("POST", "/elements/api-v2/instances", { element: { key }, name: "", configuration: { ...configuration, "event.notification.callback.url": "not a url" } }));
    expect(invalid.status, invalid.text).toBe(400);

    const created = await api("POST", "/elements/api-v2/instances", {
      element: { key },
      name: `Leak ${key}`,
      configuration,
      ...(oauth ? { providerData: { code: `code-for-${key}` } } : {}),
    });
    expect(created.status, created.text).toBe(200);
    const body = created.json() as { id: number; token: string; webhookUrl: string; status: string };
    if (oauth) expect(body.status, `${key} exchanged its code`).toBe("ACTIVE");
    tokens.push(body.token);
    responses.push({ where: `POST /instances (${key}), its token taken out`, text: created.text.replace(body.token, "") });
    instances.push({ id: body.id, webhookUrl: body.webhookUrl, key });

    const changed = Object.fromEntries(secretNames.map((name) => [name, secret(`${key} ${name} (patched)`)]));
    if (key === "connectwisehd") {
      // ConnectWise is called with `Authorization: Basic base64(company+public key:private key)`: that
      // encoding is the private key too.
      for (const privateKey of [configuration["helpdesk.connectwise.password"], changed["helpdesk.connectwise.password"]]) {
        const basic = `${String(configuration["helpdesk.connectwise.company"])}+${String(configuration["helpdesk.connectwise.username"])}:${String(privateKey)}`;
        secrets.set(Buffer.from(basic, "utf8").toString("base64"), "ConnectWise Basic credentials");
      }
    }
    keep(`PATCH /instances/${body.id} (invalid)`, await api("PATCH", `/elements/api-v2/instances/${body.id}`, { configuration: { ...changed, "event.notification.callback.url": "not a url" } }));
    const patched = keep(`PATCH /instances/${body.id}`, await api("PATCH", `/elements/api-v2/instances/${body.id}`, { name: `Leak ${key} (edited)`, configuration: changed }));
    expect(patched.status, patched.text).toBe(200);
    keep(`GET /instances/${body.id}`, await api("GET", `/elements/api-v2/instances/${body.id}`));
    keep(`GET /instances/${body.id} with its token`, await api("GET", `/elements/api-v2/instances/${body.id}`, undefined, `${hookline.header}, Element ${body.token}`));
  }
  expect(secretParameters).toBe(8); // 3 client secrets, 4 signature keys, ConnectWise's private key
  keep("GET /instances", await api("GET", "/elements/api-v2/instances"));
  keep("GET /instances?elementKey=connectwisehd", await api("GET", "/elements/api-v2/instances?elementKey=connectwisehd"));

  // The API flow's consent URL: Cloud Elements clients send the client secret along (it is not used).
  const apiSecret = secret("oauth/url apiSecret");
  const consent = keep("GET /elements/hootsuite/oauth/url", await api("GET", `/elements/api-v2/elements/hootsuite/oauth/url?apiKey=leak-client&apiSecret=${apiSecret}&callbackUrl=${encodeURIComponent("https://app.example/cb")}`));
  expect(consent.status, consent.text).toBe(200);
  // Someone else's (or a mistyped) credentials: 401, and the header is not written down anywhere.
  const wrongOrganization = secret("a wrong organization secret");
  keep("GET /instances, wrong organization secret", await api("GET", "/elements/api-v2/instances", undefined, `User ${hookline.userSecret}, Organization ${wrongOrganization}`));
  keep("GET /instances, wrong instance token", await api("GET", "/elements/api-v2/instances", undefined, `${hookline.header}, Element ${secret("a wrong instance token")}`));

  // ——— webhooks in, deliveries out (signed with the patched signature keys), the event API read back
  const samples: Record<string, [Buffer, string]> = {
    campaignmonitor: [fixture("campaignmonitor-subscribe.json"), "application/json"],
    mailchimpv3: [fixture("mailchimp-subscribe.txt"), "application/x-www-form-urlencoded"],
    hootsuite: [fixture("hootsuite-batch.json"), "application/json"],
  };
  for (const instance of instances) {
    const sample = samples[instance.key];
    if (!sample) continue;
    const answer = await fetch(instance.webhookUrl, { method: "POST", headers: { "content-type": sample[1] }, body: new Uint8Array(sample[0]) });
    responses.push({ where: `POST ${instance.key} webhook`, text: await answer.text() });
    expect(answer.status, instance.key).toBe(200);
  }
  await waitUntil(() => receiver.received.length >= 3, 30_000, "3 deliveries");
  // Refused and repeated webhooks are kept and shown too (REJECTED, DUPLICATE): with secret-bearing
  // headers a sender put on them, which must be kept redacted.
  const campaignMonitor = instances.find((instance) => instance.key === "campaignmonitor")!;
  const connectwise = instances.find((instance) => instance.key === "connectwisehd")!;
  const senderHeaders = () => ({ authorization: `Bearer ${secret("a sender's Authorization header")}`, "x-api-key": secret("a sender's x-api-key header") });
  const refusedPosts: [string, string, Record<string, string>, Buffer][] = [
    ["bare URL (no ?k=)", campaignMonitor.webhookUrl.split("?")[0]!, { "content-type": "application/json", ...senderHeaders() }, samples.campaignmonitor![0]],
    ["forged ConnectWise signature", connectwise.webhookUrl, { "content-type": "application/json", "x-content-signature": secret("a forged ConnectWise signature"), ...senderHeaders() }, fixture("connectwise-ticket-added.json")],
    ["repeated body (DUPLICATE)", campaignMonitor.webhookUrl, { "content-type": "application/json", ...senderHeaders() }, samples.campaignmonitor![0]],
  ];
  for (const [what, url, headers, body] of refusedPosts) {
    const answer = await fetch(url, { method: "POST", headers, body: new Uint8Array(body) });
    responses.push({ where: `POST ${what}`, text: await answer.text() });
  }
  for (const [instance, status] of [[campaignMonitor, "REJECTED"], [connectwise, "REJECTED"], [campaignMonitor, "DUPLICATE"]] as const) {
    const path = `/elements/api-v2/instances/${instance.id}/events?status=${status}`;
    await waitUntil(async () => (JSON.parse((await api("GET", path)).text) as unknown[]).length > 0, 15_000, `a ${status} event of ${instance.key}`);
    for (const event of JSON.parse(keep(`GET ${path}`, await api("GET", path)).text) as { id: string }[]) {
      keep(`GET /events/${event.id} (${status})`, await api("GET", `/elements/api-v2/events/${event.id}`));
    }
  }
  for (const instance of instances) {
    const events = keep(`GET /instances/${instance.id}/events`, await api("GET", `/elements/api-v2/instances/${instance.id}/events`));
    for (const event of (JSON.parse(events.text) as { id: string }[]).slice(0, 2)) {
      keep(`GET /events/${event.id}`, await api("GET", `/elements/api-v2/events/${event.id}`));
    }
    keep(`POST /instances/${instance.id}/events/test`, await api("POST", `/elements/api-v2/instances/${instance.id}/events/test`));
  }
  await waitUntil(() => receiver.received.length >= 3 + instances.length, 30_000, "the test events delivered");
  for (const [index, delivery] of receiver.received.entries()) {
    expect(delivery.headers["elements-webhook-signature"], "deliveries are signed").toMatch(/^sha256=/);
    responses.push({ where: `delivery ${index} to the receiver`, text: `${JSON.stringify(delivery.headers)}\n${delivery.body.toString("utf8")}` });
  }

  // ——— the console: a mistyped password first, then every page signed in as the admin
  const csrf = await fetch(`${hookline.base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfCookie = csrf.headers.getSetCookie().map((line) => line.split(";")[0]).join("; ");
  const mistyped = await fetch(`${hookline.base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie },
    body: new URLSearchParams({ csrfToken, email: hookline.adminEmail, password: secret("a mistyped admin password"), json: "true" }),
  });
  responses.push({ where: "POST /api/auth/callback/credentials (wrong password)", text: `${mistyped.headers.get("location")}\n${await mistyped.text()}` });
  expect(mistyped.headers.getSetCookie().some((line) => line.includes("session-token=") && !line.includes("session-token=;"))).toBe(false);

  const cookie = await signInCookie(hookline.base, hookline.adminEmail, hookline.adminPassword);
  const pages = [
    "/",
    "/connectors",
    "/instances",
    "/events",
    "/settings",
    "/docs",
    "/oauth/callback?state=Hh8FkP2sYq9XwzR3vT6bN1mL4cJ7dG0aE5uI8oWyKpQ&code=stolen",
    ...instances.flatMap((i) => [`/instances/${i.id}`, `/instances/${i.id}/edit`, `/events?instance=${i.id}`, `/connectors/${i.key}/new`]),
    "/events?status=REJECTED",
    "/events?status=DUPLICATE",
  ];
  for (const page of pages) {
    const response = await fetch(`${hookline.base}${page}`, { headers: { cookie } });
    const html = await response.text();
    expect(response.status, page).toBe(200);
    responses.push({ where: `page ${page}`, text: html });
    if (page === "/settings") {
      // The settings page did render the secrets' places, masked.
      for (const value of [hookline.userSecret, hookline.orgSecret]) expect(html).toContain(`••••••••${value.slice(-4)}`);
    }
  }
  // The live event log: a few seconds of it, from the start (every row of the run).
  const stream = new AbortController();
  const live = await fetch(`${hookline.base}/events/stream?since=0`, { headers: { cookie }, signal: stream.signal });
  expect(live.status).toBe(200);
  let streamed = "";
  const reader = live.body!.getReader();
  const stop = setTimeout(() => stream.abort(), 3_000);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      streamed += Buffer.from(value).toString("utf8");
    }
  } catch {
    // aborted: enough read
  } finally {
    clearTimeout(stop);
  }
  expect(streamed).toContain("event: ready");
  responses.push({ where: "GET /events/stream", text: streamed });

  // ——— the search: instance secrets, OAuth tokens, tokens (outside their creation answer), the admin's
  // password and the API secrets, in every response, page, delivery and the whole log
  for (const token of tokens) secrets.set(token, "instance token");
  secrets.set(hookline.adminPassword, "admin password");
  secrets.set(hookline.userSecret, "user API secret");
  secrets.set(hookline.orgSecret, "organization API secret");
  await new Promise((resolve) => setTimeout(resolve, 500)); // the last log lines flushed
  const log = await hookline.readLog();
  const leaks: string[] = [];
  for (const [value, what] of secrets) {
    for (const { where, text } of responses) if (text.includes(value)) leaks.push(`${what} in ${where}`);
    if (log.includes(value)) leaks.push(`${what} in the server log`);
  }
  // Webhook URL secrets are shown to the instance's organization (webhookUrl, the instance page), by
  // design; they are never written to the log.
  for (const instance of instances) {
    const urlSecret = new URL(instance.webhookUrl).searchParams.get("k");
    expect(urlSecret, instance.key).toBeTruthy();
    if (log.includes(urlSecret!)) leaks.push(`the webhook URL secret of ${instance.key} in the server log`);
  }
  const bytes = responses.reduce((sum, r) => sum + Buffer.byteLength(r.text), 0);
  const count = (kind: (where: string) => boolean) => responses.filter((r) => kind(r.where)).length;
  const pagesChecked = count((where) => where.startsWith("page "));
  const deliveries = count((where) => where.startsWith("delivery "));
  console.log(
    `secrets: ${secrets.size} secrets searched in ${responses.length - pagesChecked - deliveries} API responses, ${pagesChecked} pages, ` +
      `${deliveries} deliveries (${(bytes / 1024).toFixed(0)} KB in all) and ${(Buffer.byteLength(log) / 1024).toFixed(1)} KB ` +
      `(${log.split("\n").length} lines) of debug log; leaks: ${leaks.length}`,
  );
  expect(log).toContain('"level":"debug"'); // the log was really written at debug level
  expect(leaks).toEqual([]);
});
