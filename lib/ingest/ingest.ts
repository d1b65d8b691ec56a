import { getConnector } from "@/lib/connectors";
import { secretApiNames } from "@/lib/connectors/schema";
import type { Connector } from "@/lib/connectors/types";
import { unparseable } from "@/lib/connectors/webhooks/shared";
import { buildNotifications, serializeNotification, serializeRaw, type Notification } from "@/lib/events/envelope";
import { uuidv7 } from "@/lib/events/ids";
import { ALLOWLIST_PARAMETER, isAllowedAddress, parseAllowList } from "@/lib/ingest/ip-allowlist";
import { eventsPool } from "@/lib/db/pg-pool";
import { providerFetcher } from "@/lib/ingest/provider-fetch";
import { STALE_INSTANCE, storeRequest, type EventRow } from "@/lib/ingest/store";
import type { NewDeliveryJob } from "@/lib/delivery/queue";
import type { IncomingWebhook, ParseResult, WebhookContext } from "@/lib/connectors/contract";
import { decryptSecrets } from "@/lib/instances/secrets";
import { decodeInstanceId } from "@/lib/instances/webhook-url";
import { log } from "@/lib/log";

/**
 * The ingest hot path: `POST /elements/api-v2/events/{elementKey}/{base64 instance id}`.
 *
 * find instance (cached; see below) → verify → parse → ONE statement (lib/ingest/store.ts, shared
 * with webhooks arriving at the same time): the raw request, its notifications (≤ 20 events each) and
 * their delivery jobs → answer 2xx only after it committed. Framework-free
 * (the custom server and the Next route both call it) and it never throws: every outcome is an answer.
 * Unknown connector, bad id, another connector's instance and events disabled all get the same bare 404.
 */

export type IngestRequest = IncomingWebhook & { elementKey: string; encodedId: string };

export type IngestResponse = { status: number; body: string; headers?: Record<string, string> };

type InstanceRow = {
  id: number;
  organization_id: string;
  element_key: string;
  name: string;
  events_enabled: boolean;
  configuration: Record<string, unknown>;
  secrets_encrypted: string | null;
  delivery_disabled: boolean;
  /** `xmin` of the row: changes with every update. */
  version: string;
};

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

function answer(status: number, body: unknown, headers: Record<string, string> = {}): IngestResponse {
  return { status, body: JSON.stringify(body), headers: { ...JSON_HEADERS, ...headers } };
}

const NOT_FOUND = () => answer(404, { message: "Not found." });

const FIND_INSTANCE = {
  name: "hookline_ingest_instance",
  text: `SELECT id, organization_id, element_key, name, events_enabled, configuration, secrets_encrypted,
                delivery_disabled_at IS NOT NULL AS delivery_disabled, xmin::text AS version
           FROM instances WHERE id = $1`,
};

/**
 * Instance rows by id, so a webhook costs one round trip instead of two. A cached row is only ever
 * trusted together with its `xmin` (the transaction that wrote it): the insert checks it in the same
 * statement, and a row changed or deleted since makes the statement fail with STALE_INSTANCE, after
 * which the request is handled again with a fresh row. Bounded; the oldest entry goes first.
 */
const instanceCache = new Map<number, InstanceRow>();
const INSTANCE_CACHE_SIZE = 10_000;

/** Headers that carry credentials or signatures are kept by name only: a stored request must not be a replayable one. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|x-content-signature)$|signature|secret|token|api[-_]?key|password/i;

export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, SECRET_HEADER.test(name) ? "[redacted]" : value.replace(/\u0000/g, "")]),
  );
}

/**
 * The configuration a webhook handler sees. Secrets are decrypted on first read only: no current handler
 * needs one to verify, and decryption has no business on the hot path unless a handler asks.
 */
function handlerConfiguration(connector: Connector, row: InstanceRow): Record<string, unknown> {
  const configuration: Record<string, unknown> = { ...row.configuration };
  const encrypted = row.secrets_encrypted;
  if (!encrypted) return configuration;
  let secrets: Record<string, string> | undefined;
  for (const name of secretApiNames(connector)) {
    Object.defineProperty(configuration, name, {
      enumerable: true,
      configurable: true,
      get: () => (secrets ??= decryptSecrets(encrypted))[name],
    });
  }
  return configuration;
}

function parseSafely(connector: Connector, request: IncomingWebhook, receivedAt: Date): ParseResult {
  try {
    return connector.events.webhook.parse(request, receivedAt);
  } catch {
    // Handlers promise not to throw; if one does, the authentic body is still kept as UNKNOWN.
    return unparseable(request.body, receivedAt);
  }
}

/**
 * Postgres JSONB refuses `\u0000` and half of a surrogate pair (`\ud800` alone), both of which a JSON
 * body can carry as escapes; normalized fields come from provider data, so NUL is stripped there and a
 * lone surrogate becomes U+FFFD, as a UTF-8 decoder would make it.
 */
function jsonbSafe(value: string): string {
  return value.replace(/\u0000/g, "").replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

function summaryOf(notification: Notification): string {
  return JSON.stringify(
    notification.message.events.map((event) => ({
      eventType: event.eventType,
      objectType: jsonbSafe(event.objectType),
      objectId: event.objectId === null ? null : jsonbSafe(event.objectId),
      eventDate: jsonbSafe(event.eventDate),
      elementKey: event.elementKey,
    })),
  );
}

function senderAllowed(configuration: Record<string, unknown>, remoteAddress: string | undefined): boolean {
  const setting = configuration[ALLOWLIST_PARAMETER];
  if (typeof setting !== "string" || setting.trim() === "") return true;
  return isAllowedAddress(remoteAddress, parseAllowList(setting));
}

async function findInstance(id: number, fresh: boolean): Promise<{ row: InstanceRow | undefined; cached: boolean }> {
  const cached = fresh ? undefined : instanceCache.get(id);
  if (cached) return { row: cached, cached: true };
  const { rows } = await eventsPool().query<InstanceRow>({ ...FIND_INSTANCE, values: [id] });
  const row = rows[0];
  instanceCache.delete(id);
  if (row) {
    if (instanceCache.size >= INSTANCE_CACHE_SIZE) instanceCache.delete(instanceCache.keys().next().value!);
    instanceCache.set(id, row);
  }
  return { row, cached: false };
}

class StaleInstance extends Error {}

export async function ingestWebhook(request: IngestRequest): Promise<IngestResponse> {
  try {
    return await handleWebhook(request, false);
  } catch (error) {
    if (!(error instanceof StaleInstance)) throw error;
    // The instance changed since it was cached (edited, events turned off, deleted): once more, fresh.
    return handleWebhook(request, true);
  }
}

async function handleWebhook(request: IngestRequest, fresh: boolean): Promise<IngestResponse> {
  const started = performance.now();
  const receivedAt = new Date();
  const connector = getConnector(request.elementKey);
  const instanceId = decodeInstanceId(request.encodedId);
  if (!connector || instanceId === null) return NOT_FOUND();

  let found: Awaited<ReturnType<typeof findInstance>>;
  try {
    found = await findInstance(instanceId, fresh);
  } catch (error) {
    log("error", "webhook ingest failed", { elementKey: connector.key, instanceId, error: (error as Error).message });
    return answer(503, { message: "Temporarily unavailable; try again." });
  }
  const instance = found.row;
  // A refusal is never based on a cached row: the row may have changed since (events turned on, a
  // sender added to the allow-list), so it is read again first.
  const beforeRefusing = () => {
    if (found.cached) throw new StaleInstance();
  };
  // Another connector's instance is as unknown here as a missing one: ids must not be probeable.
  if (!instance || instance.element_key !== connector.key || !instance.events_enabled) {
    beforeRefusing();
    return NOT_FOUND();
  }

  const logFields = { elementKey: connector.key, instanceId, remoteAddress: request.remoteAddress };
  if (!senderAllowed(instance.configuration, request.remoteAddress)) {
    beforeRefusing();
    log("warn", "webhook refused: sender not in the IP allow-list", logFields);
    return answer(403, { message: "Forbidden." });
  }

  const handler = connector.events.webhook;
  if (request.method === "GET" || request.method === "HEAD") {
    // MailChimp checks a URL with a GET that must answer 200 before it will save the webhook.
    if (handler.probeStatus) return answer(handler.probeStatus, {});
    return answer(405, { message: "Send webhooks with POST." }, { allow: "POST" });
  }
  if (request.method !== "POST") return answer(405, { message: "Send webhooks with POST." }, { allow: "POST" });

  const configuration = handlerConfiguration(connector, instance);
  const context: WebhookContext = { configuration, fetchFromProvider: providerFetcher(connector, configuration) };
  const verified = await connector.events.webhook.verify(request, context).catch(() => ({ ok: false as const, reason: "verification failed" }));
  if (!verified.ok) {
    beforeRefusing();
    log("warn", "webhook rejected: verification failed", { ...logFields, reason: verified.reason });
    return answer(401, { message: "Unauthorized." });
  }

  try {
    const stored = await store(request, instance, connector, receivedAt);
    log("info", "webhook received", {
      ...logFields,
      requestId: stored.requestId,
      notifications: stored.notifications,
      events: stored.events,
      ms: Math.round(performance.now() - started),
    });
    return answer(200, { received: true, events: stored.events });
  } catch (error) {
    const message = (error as Error).message;
    if (message.includes(STALE_INSTANCE)) {
      instanceCache.delete(instance.id);
      if (!fresh) throw new StaleInstance();
      // Changed again between reading it and storing: a concurrent edit; the provider will retry.
      return answer(503, { message: "Temporarily unavailable; try again." });
    }
    log("error", "webhook ingest failed", { ...logFields, error: message });
    return answer(500, { message: "Could not store the webhook; try again." });
  }
}

async function store(request: IngestRequest, instance: InstanceRow, connector: Connector, receivedAt: Date) {
  const parsed = parseSafely(connector, request, receivedAt);
  const requestId = uuidv7(receivedAt.getTime());
  const notifications = buildNotifications({
    baseEventId: requestId,
    elementKey: connector.key,
    instanceId: instance.id,
    instanceName: instance.name,
    events: parsed.events,
    raw: parsed.raw,
  });
  const rawJson = serializeRaw(parsed.raw);
  // While the receiver has said 410 Gone, events are kept but not sent; "redeliver failed" sends them later.
  const deliver = !instance.delivery_disabled;
  const rows: EventRow[] = notifications.map((notification) => ({
    id: uuidv7(),
    eventId: notification.message.eventId,
    summary: summaryOf(notification),
    count: notification.message.events.length,
    payload: serializeNotification(notification, rawJson),
    jobId: deliver ? uuidv7() : null,
  }));
  const jobs: NewDeliveryJob[] = rows.flatMap((row) => (row.jobId ? [{ id: row.jobId, data: { event: row.id, step: 0 } }] : []));
  await storeRequest({
    id: requestId,
    instanceId: instance.id,
    instanceVersion: instance.version,
    organizationId: instance.organization_id,
    elementKey: connector.key,
    receivedAt,
    contentType: request.contentType,
    headers: JSON.stringify(redactHeaders(request.headers)),
    body: request.body,
    remoteAddress: request.remoteAddress ?? null,
    status: deliver ? "PENDING" : "DISABLED",
    rows,
    jobs,
  });
  return { requestId, notifications: rows.length, events: parsed.events.length };
}
