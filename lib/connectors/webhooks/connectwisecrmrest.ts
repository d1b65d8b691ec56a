import { createHash, createHmac } from "node:crypto";
import type {
  IncomingWebhook,
  NormalizedEvent,
  NormalizedEventType,
  VerifyResult,
  WebhookContext,
  WebhookHandler,
} from "@/lib/connectors/contract";
import {
  eventTypeFrom,
  idField,
  isObject,
  jsonFailure,
  normalizedEvent,
  parseJsonBody,
  providerDateToIso,
  stringField,
  unparseable,
  withChangeDate,
} from "@/lib/connectors/webhooks/shared";
import type { JsonObject } from "@/lib/connectors/webhooks/shared";
import { constantTimeEqual } from "@/lib/delivery/sign";

/**
 * ConnectWise PSA callbacks: one JSON object per POST,
 * `{ MessageId, FromUrl, CompanyId, MemberId, Action, Type, ID, Entity: "<JSON string>" | null, Metadata: { key_url }, … }`.
 *
 * - Action added → CREATED, updated → UPDATED, deleted → DELETED; objectType = Type lower-cased;
 *   objectId = String(ID).
 * - The body has no timestamp; eventDate is the entity's `_info.lastUpdated` when Entity carries one
 *   (it is null on delete), else the time received.
 * - `raw` is the body as sent; Entity stays a JSON string, exactly what the signature covered.
 *
 * Signature: `x-content-signature` = base64(HMAC-SHA256(key = SHA-256(signing_key) raw digest, msg = raw body)),
 * with `signing_key` from `GET Metadata.key_url` → `{ signing_key }`. Confirmed against two independent
 * open-source integrations (a Go PSA client's ValidateWebhook and Nango's ConnectWise PSA handler); they agree.
 * The key is fetched through `context.fetchFromProvider`, which restricts the host to the instance's own
 * ConnectWise server (key_url comes from the unauthenticated body: fetching it freely would be SSRF) and
 * is the place to cache the key, since handlers hold no state.
 */

const SIGNATURE_HEADER = "x-content-signature";

const EVENT_TYPES: ReadonlyMap<string, NormalizedEventType> = new Map([
  ["added", "CREATED"],
  ["updated", "UPDATED"],
  ["deleted", "DELETED"],
]);

/** The `x-content-signature` ConnectWise sends for `body` under `signingKey`. */
export function connectwiseSignature(body: Buffer | string, signingKey: string): string {
  const key = createHash("sha256").update(signingKey, "utf8").digest();
  return createHmac("sha256", key).update(body).digest("base64");
}

function keyUrlOf(body: Buffer): string | undefined {
  const parsed = parseJsonBody(body);
  if (!parsed.ok || !isObject(parsed.value)) return undefined;
  // ConnectWise sends `Metadata`; some clients decode case-insensitively, so accept `metadata` too.
  const metadata = parsed.value.Metadata ?? parsed.value.metadata;
  return stringField(metadata, "key_url") || undefined;
}

async function fetchSigningKey(url: string, context: WebhookContext): Promise<string | VerifyResult> {
  if (!context.fetchFromProvider) return { ok: false, reason: "no provider fetcher to get the signing key" };
  try {
    const response = await context.fetchFromProvider(url);
    const key = stringField(response, "signing_key");
    return key ? key : { ok: false, reason: "signing key response has no signing_key" };
  } catch {
    return { ok: false, reason: "could not fetch the signing key" };
  }
}

async function verify(request: IncomingWebhook, context: WebhookContext): Promise<VerifyResult> {
  const signature = request.headers[SIGNATURE_HEADER]?.trim();
  if (!signature) return { ok: false, reason: `missing ${SIGNATURE_HEADER} header` };
  const keyUrl = keyUrlOf(request.body);
  if (!keyUrl) return { ok: false, reason: "callback has no Metadata.key_url" };
  const key = await fetchSigningKey(keyUrl, context);
  if (typeof key !== "string") return key;
  return constantTimeEqual(connectwiseSignature(request.body, key), signature)
    ? { ok: true }
    : { ok: false, reason: "signature mismatch" };
}

/** `_info.lastUpdated` of the entity, whether Entity arrived as a JSON string or an object. */
function entityLastUpdated(entity: unknown): unknown {
  let value = entity;
  if (typeof entity === "string") {
    try {
      value = JSON.parse(entity) as unknown;
    } catch {
      return undefined;
    }
  }
  return isObject(value) && isObject(value._info) ? value._info.lastUpdated : undefined;
}

function looksLikeCallback(value: unknown): value is JsonObject {
  return isObject(value) && ("Action" in value || "Type" in value || "ID" in value);
}

function normalize(payload: JsonObject, receivedAt: Date): NormalizedEvent {
  const lastUpdated = entityLastUpdated(payload.Entity);
  const event = normalizedEvent(
    eventTypeFrom(EVENT_TYPES, stringField(payload, "Action")?.toLowerCase()),
    stringField(payload, "Type")?.toLowerCase() || "unknown",
    idField(payload, "ID"),
    providerDateToIso(lastUpdated, receivedAt),
  );
  // The entity's own date: what a poll of the same record reads as its updated date (a deleted record is
  // never polled).
  return event.eventType === "DELETED" ? event : withChangeDate(event, lastUpdated);
}

export const connectwiseWebhook: WebhookHandler = {
  verify,
  // verify() refuses a callback without a valid signature under ConnectWise's published key.
  signed: true,

  parse(request, receivedAt) {
    const parsed = parseJsonBody(request.body);
    if (!parsed.ok || !looksLikeCallback(parsed.value)) {
      return unparseable(request.body, receivedAt, jsonFailure(parsed) || "The JSON has none of the fields of a ConnectWise callback (Action, Type, ID).");
    }
    return { raw: parsed.value, events: [normalize(parsed.value, receivedAt)] };
  },

  // Every callback carries a `MessageId` of its own; ConnectWise sends it again when it retries.
  dedupId(request) {
    const parsed = parseJsonBody(request.body);
    return parsed.ok ? (idField(parsed.value, "MessageId") ?? null) : null;
  },
};
