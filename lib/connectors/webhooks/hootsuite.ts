import type { NormalizedEvent, NormalizedEventType, WebhookHandler } from "@/lib/connectors/contract";
import {
  admitBatch,
  idField,
  isObject,
  jsonFailure,
  normalizedEvent,
  parseJsonBody,
  providerDateToIso,
  stringField,
  unknownEvent,
  unparseable,
} from "@/lib/connectors/webhooks/shared";

/**
 * Hootsuite platform webhooks: a JSON array of `{ seq_no, type, data }`, batched (≤ 100 per POST).
 *
 * - `com.hootsuite.messages.event.v1` → objectType "message", objectId `data.message.id`; the state
 *   decides the event: SCHEDULED / PENDING_APPROVAL (a message came into being) → CREATED, DELETED →
 *   DELETED, any other state (APPROVED, SENT, REJECTED, SEND_FAILED_PERMANENTLY, …) → UPDATED.
 *   `com.hootsuite.comments.event.v1` is handled the same way with `data.comment.id`.
 * - `com.hootsuite.ping.event.v1` carries no object, so it yields no event at all: the request still gets
 *   its 2xx (which is what re-enables a disabled URL) and nothing is delivered downstream.
 * - Any other `com.hootsuite.<name>.event.vN` (e.g. apps) → UNKNOWN with objectType `<name>` singular and
 *   `data.<name>.id` when present; an array item that is not an event object → UNKNOWN/unknown.
 * - eventDate is `data.timestamp` (ISO-8601), else the time received.
 * - Signing is unverified (sources disagree; `X-Hootsuite-Signature` is documented for other callbacks),
 *   so requests are treated as unsigned.
 */

const TYPE_PATTERN = /^com\.hootsuite\.([a-z_]+)\.event\.v\d+$/i;
const PING = "ping";
const STATEFUL = new Set(["messages", "comments"]);

const STATE_EVENT_TYPES: ReadonlyMap<string, NormalizedEventType> = new Map([
  ["SCHEDULED", "CREATED"],
  ["PENDING_APPROVAL", "CREATED"],
  ["DELETED", "DELETED"],
]);

function eventTypeForState(state: string | undefined): NormalizedEventType {
  if (state === undefined || state === "") return "UNKNOWN";
  return STATE_EVENT_TYPES.get(state.toUpperCase()) ?? "UPDATED";
}

function singular(name: string): string {
  return name.length > 1 && name.endsWith("s") ? name.slice(0, -1) : name;
}

/** One array item → its event, or null for a ping. */
function normalize(item: unknown, receivedAt: Date): NormalizedEvent | null {
  const match = TYPE_PATTERN.exec(stringField(item, "type") ?? "");
  const data = isObject(item) ? item.data : undefined;
  if (!match || !isObject(data)) return unknownEvent(receivedAt);
  const name = (match[1] ?? "").toLowerCase();
  if (name === PING) return null;
  const objectType = singular(name);
  const eventType = STATEFUL.has(name) ? eventTypeForState(stringField(data, "state")) : "UNKNOWN";
  return normalizedEvent(
    eventType,
    objectType,
    idField(data[objectType], "id"),
    providerDateToIso(data.timestamp, receivedAt),
  );
}

export const hootsuiteWebhook: WebhookHandler = {
  async verify() {
    return { ok: true };
  },

  admit(request, maxEvents) {
    const parsed = parseJsonBody(request.body);
    if (!parsed.ok || !Array.isArray(parsed.value)) return { ok: true };
    return admitBatch(parsed.value, "the body", maxEvents);
  },

  parse(request, receivedAt) {
    const parsed = parseJsonBody(request.body);
    if (!parsed.ok || !Array.isArray(parsed.value)) {
      return unparseable(request.body, receivedAt, jsonFailure(parsed) || "The JSON is not an array of events, so it is not a Hootsuite webhook.");
    }
    // Pings yield no event, so events and array items are paired here for slicing.
    const pairs = (parsed.value as unknown[])
      .map((item) => ({ item, event: normalize(item, receivedAt) }))
      .filter((pair): pair is { item: unknown; event: NormalizedEvent } => pair.event !== null);
    return {
      raw: parsed.value,
      events: pairs.map((pair) => pair.event),
      sliceRaw: (start, end) => pairs.slice(start, end).map((pair) => pair.item),
    };
  },
};
