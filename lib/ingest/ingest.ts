import { getConnector } from "@/lib/connectors";
import { secretApiNames } from "@/lib/connectors/schema";
import type { Connector } from "@/lib/connectors/types";
import { uuidv7 } from "@/lib/events/ids";
import { redactHeaders } from "@/lib/events/redact";
import { ALLOWLIST_PARAMETER, isAllowedAddress, parseAllowList } from "@/lib/ingest/ip-allowlist";
import { ingestPool } from "@/lib/db/pg-pool";
import { providerFetcher } from "@/lib/ingest/provider-fetch";
import { dedupKey } from "@/lib/ingest/dedup";
import { recordRejection } from "@/lib/ingest/rejections";
import { STALE_INSTANCE, storeRequest } from "@/lib/ingest/store";
import type { IncomingWebhook, WebhookContext } from "@/lib/connectors/contract";
import { decryptSecrets } from "@/lib/instances/secrets";
import { bareUrlAcceptance, decodeInstanceId } from "@/lib/instances/webhook-url";
import { BARE_URL_PARAMETER } from "@/lib/connectors/webhook-settings";
import { decrypt, safeEqual } from "@/lib/crypto/secrets";
import { env } from "@/lib/env";
import { log } from "@/lib/log";

/**
 * The ingest hot path: `POST /elements/api-v2/events/{elementKey}/{base64 instance id}?k={URL secret}`.
 *
 * find instance (cached; see below) → verify → ONE statement (lib/ingest/store.ts, shared with webhooks
 * arriving at the same time) storing the raw request → answer 2xx only after it committed. Parsing
 * into events and delivery follow from the stored request (lib/ingest/process-requests.ts). Framework-free
 * (the custom server and the Next route both call it) and it never throws: every outcome is an answer.
 * Unknown connector, bad id, another connector's instance, a wrong or missing URL secret and events
 * disabled all get the same bare 404 (the last two are kept as REJECTED for the instance's owner).
 */

export type IngestRequest = IncomingWebhook & { elementKey: string; encodedId: string; urlSecret: string | null };

export type IngestResponse = { status: number; body: string; headers?: Record<string, string> };

type InstanceRow = {
  id: number;
  organization_id: string;
  element_key: string;
  name: string;
  events_enabled: boolean;
  configuration: Record<string, unknown>;
  secrets_encrypted: string | null;
  webhook_secret_encrypted: string | null;
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
                  webhook_secret_encrypted, xmin::text AS version
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

function senderAllowed(configuration: Record<string, unknown>, remoteAddress: string | undefined): boolean {
  const setting = configuration[ALLOWLIST_PARAMETER];
  if (typeof setting !== "string" || setting.trim() === "") return true;
  return isAllowedAddress(remoteAddress, parseAllowList(setting));
}

async function findInstance(id: number, fresh: boolean): Promise<{ row: InstanceRow | undefined; cached: boolean }> {
  const cached = fresh ? undefined : instanceCache.get(id);
  if (cached) return { row: cached, cached: true };
  const { rows } = await ingestPool().query<InstanceRow>({ ...FIND_INSTANCE, values: [id] });
  const row = rows[0];
  instanceCache.delete(id);
  if (row) {
    if (instanceCache.size >= INSTANCE_CACHE_SIZE) instanceCache.delete(instanceCache.keys().next().value!);
    instanceCache.set(id, row);
  }
  return { row, cached: false };
}

/** Decrypted URL secrets of cached rows (a row object is replaced whenever the instance changes). */
const urlSecrets = new WeakMap<InstanceRow, string>();

/**
 * Why the request's URL does not admit it, or null when it does: the URL must carry the instance's
 * secret (`?k=`), unless the instance accepts its bare URL: its webhooks are verified another way (a
 * provider signature, an IP allow-list), it opted in (`event.webhook.bare.url`), or it was made before
 * URL secrets and has not been given one yet.
 */
function urlRefusal(connector: Connector, row: InstanceRow, given: string | null): string | null {
  const encrypted = row.webhook_secret_encrypted;
  if (given !== null) {
    if (!encrypted) return "The webhook URL carried a secret (?k=) but this instance has none; use the URL on its instance page.";
    let secret = urlSecrets.get(row);
    if (secret === undefined) urlSecrets.set(row, (secret = decrypt(encrypted)));
    return safeEqual(given, secret) ? null : "The webhook URL's secret (?k=) is wrong: it was rotated, or the URL was guessed. The instance page shows the current URL.";
  }
  const bareAccepted = !encrypted || bareUrlAcceptance(connector.events.webhook, row.configuration) !== null;
  return bareAccepted ? null : `The webhook URL had no secret (?k=); this instance accepts only its full URL, shown on its instance page (or set ${BARE_URL_PARAMETER}).`;
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
  if (!instance || instance.element_key !== connector.key) {
    beforeRefusing();
    return NOT_FOUND();
  }
  // Kept to be seen in the log as REJECTED (lib/ingest/rejections.ts), never delivered.
  const reject = (status: number, reason: string) =>
    recordRejection({
      instanceId: instance.id,
      organizationId: instance.organization_id,
      elementKey: connector.key,
      receivedAt,
      status,
      reason,
      contentType: request.contentType,
      headers: request.headers,
      body: request.body,
      remoteAddress: request.remoteAddress ?? null,
    });
  const urlRefused = urlRefusal(connector, instance, request.urlSecret);
  if (urlRefused) {
    beforeRefusing();
    if (request.method === "POST") reject(404, urlRefused);
    return NOT_FOUND();
  }
  if (!instance.events_enabled) {
    beforeRefusing();
    if (request.method === "POST") reject(404, "Events are turned off for this instance.");
    return NOT_FOUND();
  }

  const logFields = { elementKey: connector.key, instanceId, remoteAddress: request.remoteAddress };
  if (!senderAllowed(instance.configuration, request.remoteAddress)) {
    beforeRefusing();
    log("warn", "webhook refused: sender not in the IP allow-list", logFields);
    reject(403, `The sender ${request.remoteAddress ?? "(unknown address)"} is not in event.notification.ip.allowlist.`);
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
    reject(401, `The signature did not verify: ${verified.reason}.`);
    return answer(401, { message: "Unauthorized." });
  }

  // Refused before anything is stored: a batch too large or holding non-events (the sender sees why).
  const admitted = handler.admit?.(request, env().HOOKLINE_MAX_EVENTS_PER_WEBHOOK) ?? { ok: true };
  if (!admitted.ok) {
    log("warn", "webhook refused: batch not accepted", { ...logFields, reason: admitted.message });
    reject(400, admitted.message);
    return answer(400, { message: admitted.message });
  }

  try {
    const stored = await store(request, instance, connector, receivedAt);
    log("info", "webhook received", { ...logFields, requestId: stored.requestId, ms: Math.round(performance.now() - started) });
    return answer(200, { received: true });
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
  const requestId = uuidv7(receivedAt.getTime());
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
    dedupKey: env().HOOKLINE_DEDUP_WINDOW_HOURS > 0 ? dedupKey(connector.events.webhook, request) : null,
  });
  return { requestId };
}

/**
 * A body over the size limit (answered 413 by lib/ingest/http.ts before it was read): recorded as a
 * refused webhook of its instance, without the body, when the URL names one.
 */
export async function recordOversizedWebhook(request: Omit<IngestRequest, "body">, receivedAt = new Date()): Promise<void> {
  const connector = getConnector(request.elementKey);
  const instanceId = decodeInstanceId(request.encodedId);
  if (!connector || instanceId === null || request.method !== "POST") return;
  const { row } = await findInstance(instanceId, false);
  if (!row || row.element_key !== connector.key || urlRefusal(connector, row, request.urlSecret)) return;
  recordRejection({
    instanceId: row.id,
    organizationId: row.organization_id,
    elementKey: connector.key,
    receivedAt,
    status: 413,
    reason: "The body was larger than the 1 MB limit; it was not kept.",
    contentType: request.contentType,
    headers: request.headers,
    body: Buffer.alloc(0),
    remoteAddress: request.remoteAddress ?? null,
  });
}
