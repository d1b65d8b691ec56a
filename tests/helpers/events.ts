import http from "node:http";
import type { AddressInfo } from "node:net";
import { getConnector } from "@/lib/connectors";
import { decrypt, encrypt, generateSecret, hashSecret } from "@/lib/crypto/secrets";
import { db } from "@/lib/db/client";
import { eventsPool } from "@/lib/db/pg-pool";
import { enqueueDeliveries } from "@/lib/delivery/queue";
import { handleIngestRequest, matchIngestRoute } from "@/lib/ingest/http";
import type { Prisma } from "@/lib/generated/prisma/client";
import { splitSecrets } from "@/lib/instances/secrets";
import { encodeInstanceId, newWebhookSecret } from "@/lib/instances/webhook-url";
import type { Tenant } from "./api";

/** Helpers for the events integration tests: real HTTP servers on ephemeral ports, instances seeded directly. */

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("run the tests through scripts/with-test-db.ts, which sets DATABASE_URL");
  return url;
}

async function listen(server: http.Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

async function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** The custom server's ingest fast path (lib/ingest/http.ts), alone. */
export async function startIngestServer(): Promise<{
  url: string;
  webhookUrl: (key: string, id: number) => string;
  /** Any instance's webhook URL on this server, its URL secret read from the database (API-made instances). */
  instanceWebhookUrl: (id: number) => Promise<string>;
  close: () => Promise<void>;
}> {
  const server = http.createServer((req, res) => {
    const route = matchIngestRoute(req.method, req.url);
    if (route) void handleIngestRequest(req, res, route);
    else res.writeHead(404).end();
  });
  const port = await listen(server);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    // With the URL secret of an instance made by `seedInstance`; bare for any other id.
    webhookUrl: (key, id) => `${url}/elements/api-v2/events/${key}/${encodeInstanceId(id)}${urlSecrets.has(id) ? `?k=${urlSecrets.get(id)}` : ""}`,
    instanceWebhookUrl: async (id) => {
      const instance = await db().instance.findUniqueOrThrow({ where: { id } });
      const secret = instance.webhookSecretEncrypted ? `?k=${decrypt(instance.webhookSecretEncrypted)}` : "";
      return `${url}/elements/api-v2/events/${instance.elementKey}/${encodeInstanceId(id)}${secret}`;
    },
    close: () => close(server),
  };
}

export type Received = { headers: Record<string, string>; body: Buffer; at: number; url: string };

/** What the receiver does with request number `index` (0-based): answer, answer late, or hold until released. */
export type Behaviour = { status?: number; delayMs?: number; hold?: boolean; body?: string };

export type Receiver = {
  url: string;
  port: number;
  received: Received[];
  /** Requests whose answer was sent (a held or aborted one is in `received` but not here). */
  answered: Received[];
  /** The most requests it was answering at the same time. */
  maxConcurrent: () => number;
  behave: (rule: (index: number, request: Received) => Behaviour) => void;
  releaseHeld: () => void;
  /** Stops listening (connections are refused) / listens again on the same port. */
  stop: () => Promise<void>;
  start: () => Promise<void>;
  waitFor: (count: number, timeoutMs?: number) => Promise<Received[]>;
  close: () => Promise<void>;
};

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const answered: Received[] = [];
  let rule: (index: number, request: Received) => Behaviour = () => ({ status: 200 });
  const held = new Set<() => void>();
  let concurrent = 0;
  let maxConcurrent = 0;
  const handler: http.RequestListener = (req, res) => {
    concurrent += 1;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    res.once("close", () => (concurrent -= 1));
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]));
      const request: Received = { headers, body: Buffer.concat(chunks), at: Date.now(), url: req.url ?? "" };
      const behaviour = rule(received.length, request);
      received.push(request);
      const respond = () => {
        if (res.destroyed) return;
        res.writeHead(behaviour.status ?? 200, { "content-type": "text/plain" }).end(behaviour.body ?? "ok");
        answered.push(request);
      };
      if (behaviour.hold) held.add(respond);
      else if (behaviour.delayMs) setTimeout(respond, behaviour.delayMs);
      else respond();
    });
  };
  let server = http.createServer(handler);
  const port = await listen(server);
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    answered,
    maxConcurrent: () => maxConcurrent,
    behave: (next) => {
      rule = next;
    },
    releaseHeld: () => {
      for (const respond of held) respond();
      held.clear();
    },
    stop: () => close(server),
    start: async () => {
      server = http.createServer(handler);
      await listen(server, port);
    },
    waitFor: async (count, timeoutMs = 20_000) => {
      await waitUntil(() => received.length >= count, timeoutMs, `${count} requests at the receiver (got ${received.length})`);
      return received;
    },
    close: () => close(server),
  };
  return receiver;
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * An instance row made the way the instances service stores one (secrets encrypted), without going through
 * its create flow: these tests are about events, not about OAuth or validation.
 */
export async function seedInstance(
  tenant: Tenant,
  elementKey: string,
  configuration: Record<string, unknown>,
  name = `${elementKey} events`,
) {
  const connector = getConnector(elementKey);
  if (!connector) throw new Error(`unknown connector ${elementKey}`);
  const { plain, secretsEncrypted } = splitSecrets(connector, { "event.notification.enabled": true, ...configuration });
  const token = generateSecret();
  const urlSecret = newWebhookSecret();
  const instance = await db().instance.create({
    data: {
      organizationId: tenant.organizationId,
      elementKey: connector.key,
      elementKeySent: elementKey,
      name,
      tags: [],
      configuration: plain as Prisma.InputJsonObject,
      secretsEncrypted,
      eventsEnabled: plain["event.notification.enabled"] === true,
      status: "ACTIVE",
      tokenHash: hashSecret(token),
      tokenEncrypted: encrypt(token),
      webhookSecretEncrypted: urlSecret.encrypted,
    },
  });
  urlSecrets.set(instance.id, urlSecret.secret);
  return instance;
}

/** The URL secrets of instances made by `seedInstance`, for `webhookUrl`. */
const urlSecrets = new Map<number, string>();

/** POSTs (or GETs) raw bytes. */
export async function send(
  url: string,
  body: Buffer | string | null,
  headers: Record<string, string> = {},
  method = "POST",
): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { method, headers, body: body === null ? undefined : new Uint8Array(Buffer.from(body)) });
  return { status: response.status, body: await response.text() };
}

type RouteHandler = (request: Request, context: { params: Promise<never> }) => Promise<Response>;

/** Calls a REST route handler as Next.js would, returning status, headers and the parsed JSON body. */
export async function callRoute(
  handler: RouteHandler,
  options: { method?: string; header?: string; params?: Record<string, string>; url?: string },
): Promise<{ status: number; headers: Headers; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const request = new Request(options.url ?? "http://localhost/elements/api-v2/events", {
    method: options.method ?? "GET",
    headers: options.header ? { authorization: options.header } : {},
  });
  const response = await handler(request, { params: Promise.resolve(options.params ?? {}) as Promise<never> });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/**
 * `count` events of `instanceId` waiting for delivery, written straight to the tables (a backlog of
 * thousands in one statement, not thousands of webhooks). Returns their row ids, oldest first.
 */
export async function queueEvents(instance: { id: number; organizationId: string; elementKey: string }, count: number): Promise<string[]> {
  const { rows } = await eventsPool().query<{ id: string }>(
    `INSERT INTO events (id, event_id, instance_id, organization_id, element_key, summary, event_count, payload, status, created_at)
     SELECT gen_random_uuid(), 'backlog-' || $1::int || '-' || n || '-' || gen_random_uuid(), $1::int, $2::uuid, $3::text, '[]', 1,
            convert_to('{"message":{"n":' || n || '}}', 'UTF8'), 'PENDING', now() + n * interval '1 microsecond'
       FROM generate_series(1, $4) AS n
     RETURNING id`,
    [instance.id, instance.organizationId, instance.elementKey, count],
  );
  await enqueueDeliveries(eventsPool(), rows.map((row) => ({ event: row.id, instanceId: instance.id })));
  return rows.map((row) => row.id);
}
