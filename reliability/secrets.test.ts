// Secrets never leave: a full run against a real server (instances of all four connectors created,
// read, edited and listed through the API, webhooks received and delivered, every page of the console
// fetched signed in, the server logging at debug level), then every response, page and the whole log
// are searched for every secret used. Instance tokens may appear once: in the answer that created them.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { getConnector } from "@/lib/connectors";
import { fixture } from "@/tests/fixtures/webhooks";
import { startReceiver, waitUntil, type Receiver } from "@/tests/helpers/events";
import { launchHookline, signInCookie, type HooklineProcess } from "@/tests/helpers/hookline-process";
import { startRefusingProvider } from "./refusing-provider";
import campaignMonitorSeed from "@/tests/fixtures/seeds/campaignmonitor.cloudelements.body.json";
import connectwiseSeed from "@/tests/fixtures/seeds/connectwisehd.body.json";
import hootsuiteSeed from "@/tests/fixtures/seeds/hootsuite.body.json";
import mailchimpSeed from "@/tests/fixtures/seeds/mailchimpv3.body.json";

let hookline: HooklineProcess;
let receiver: Receiver;
let provider: Awaited<ReturnType<typeof startRefusingProvider>>;

beforeAll(async () => {
  receiver = await startReceiver();
  // The providers' APIs (webhook registration, token exchange) answer 401 from here.
  provider = await startRefusingProvider(401, '{"message":"no"}');
  hookline = await launchHookline({ logFile: true, env: { ...provider.env, HOOKLINE_LOG_LEVEL: "debug" } });
});

afterAll(async () => {
  await hookline?.stop();
  await receiver?.close();
  await provider?.close();
});

const marker = (name: string) => `leak-${name.replace(/\W+/g, "-")}-${randomBytes(9).toString("base64url")}`;

it("no secret in any API response, page or log line", async () => {
  const secrets = new Map<string, string>(); // value → what it is
  const tokens: string[] = [];
  const responses: { where: string; text: string }[] = [];
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${hookline.base}${path}`, {
      method,
      headers: { authorization: hookline.header, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
  };

  // Every secret parameter of every connector gets a distinctive value, on create and again on PATCH.
  const instances: { id: number; webhookUrl: string; key: string }[] = [];
  for (const seed of [campaignMonitorSeed, mailchimpSeed, hootsuiteSeed, connectwiseSeed] as Record<string, unknown>[]) {
    const key = (seed.element as { key: string }).key;
    const connector = getConnector(key)!;
    const configuration: Record<string, unknown> = { ...(seed.configuration as object), "event.notification.callback.url": receiver.url };
    // One value per secret parameter, under the name the seed uses (ConnectWise's `helpdesk.*` aliases).
    const secretNames = connector.parameters
      .filter((row) => row.type === "secret")
      .map((row) => [row.apiName, ...(row.aliases ?? [])].find((name) => name in configuration) ?? row.apiName);
    for (const name of secretNames) {
      configuration[name] = marker(`${key}-${name}`);
      secrets.set(configuration[name] as string, `${key} ${name}`);
    }
    if (key === "connectwisehd") configuration["helpdesk.connectwise.server.url"] = provider.url;
    const created = await api("POST", "/elements/api-v2/instances", { element: { key }, name: `Leak ${key}`, configuration });
    expect(created.status, created.text).toBe(200);
    const body = created.json() as { id: number; token: string; webhookUrl: string };
    tokens.push(body.token);
    responses.push({ where: `POST /instances (${key}), token excluded`, text: created.text.replace(body.token, "") });
    instances.push({ id: body.id, webhookUrl: body.webhookUrl, key });

    const changed = Object.fromEntries(secretNames.map((name) => [name, marker(`${key}-${name}-patched`)]));
    for (const [name, value] of Object.entries(changed)) secrets.set(value, `${key} ${name} (patched)`);
    const patched = await api("PATCH", `/elements/api-v2/instances/${body.id}`, { name: `Leak ${key} (edited)`, configuration: changed });
    expect(patched.status, patched.text).toBe(200);
    responses.push({ where: `PATCH /instances/${body.id}`, text: patched.text });
    responses.push({ where: `GET /instances/${body.id}`, text: (await api("GET", `/elements/api-v2/instances/${body.id}`)).text });
  }
  expect(secrets.size).toBeGreaterThanOrEqual(10);
  responses.push({ where: "GET /instances", text: (await api("GET", "/elements/api-v2/instances")).text });

  // Webhooks in, deliveries out (signed with the patched signature keys), the event API read back.
  const samples: Record<string, [Buffer, string]> = {
    campaignmonitor: [fixture("campaignmonitor-subscribe.json"), "application/json"],
    mailchimpv3: [fixture("mailchimp-subscribe.txt"), "application/x-www-form-urlencoded"],
    hootsuite: [fixture("hootsuite-batch.json"), "application/json"],
  };
  for (const instance of instances) {
    const sample = samples[instance.key];
    if (!sample) continue;
    const answer = await fetch(instance.webhookUrl, { method: "POST", headers: { "content-type": sample[1] }, body: new Uint8Array(sample[0]) });
    expect(answer.status, instance.key).toBe(200);
  }
  await waitUntil(() => receiver.received.length >= 3, 30_000, "3 deliveries");
  for (const instance of instances) {
    const events = await api("GET", `/elements/api-v2/instances/${instance.id}/events`);
    responses.push({ where: `GET /instances/${instance.id}/events`, text: events.text });
    for (const event of (JSON.parse(events.text) as { id: string }[]).slice(0, 2)) {
      responses.push({ where: `GET /events/${event.id}`, text: (await api("GET", `/elements/api-v2/events/${event.id}`)).text });
    }
  }

  // Every page of the console, signed in as the admin.
  const cookie = await signInCookie(hookline.base, hookline.adminEmail, hookline.adminPassword);
  const pages = ["/", "/connectors", "/instances", "/events", "/settings", "/docs", ...instances.flatMap((i) => [`/instances/${i.id}`, `/instances/${i.id}/edit`, `/events?instance=${i.id}`])];
  for (const page of pages) {
    const response = await fetch(`${hookline.base}${page}`, { headers: { cookie } });
    expect(response.status, page).toBe(200);
    responses.push({ where: `page ${page}`, text: await response.text() });
  }

  // What must not be anywhere: instance secrets, tokens (outside their creation answer), the admin's
  // password and the API secrets (the settings page shows them masked and reveals them on request only).
  for (const token of tokens) secrets.set(token, "instance token");
  secrets.set(hookline.adminPassword, "admin password");
  secrets.set(hookline.userSecret, "user API secret");
  secrets.set(hookline.orgSecret, "organization API secret");
  const log = await hookline.readLog();
  const leaks: string[] = [];
  for (const [value, what] of secrets) {
    for (const { where, text } of responses) if (text.includes(value)) leaks.push(`${what} in ${where}`);
    if (log.includes(value)) leaks.push(`${what} in the server log`);
  }
  const bytes = responses.reduce((sum, r) => sum + r.text.length, 0);
  console.log(
    `secrets: ${secrets.size} secrets searched in ${responses.length} responses and pages (${(bytes / 1024).toFixed(0)} KB) and ${(log.length / 1024).toFixed(0)} KB of debug log; leaks: ${leaks.length}`,
  );
  expect(log.length).toBeGreaterThan(1000); // the log was really written at debug level
  expect(leaks).toEqual([]);
});
