import type { NormalizedEvent, NormalizedEventType, WebhookHandler } from "@/lib/connectors/contract";
import {
  decodeNestedForm,
  decodeUtf8,
  eventTypeFrom,
  idField,
  normalizedEvent,
  providerDateToIso,
  stringField,
  unparseable,
} from "@/lib/connectors/webhooks/shared";

/**
 * MailChimp list webhooks: one event per POST, `application/x-www-form-urlencoded` with bracketed keys
 * (`type=subscribe&fired_at=…&data[merges][FNAME]=…`), decoded into a nested object for `raw`.
 *
 * - subscribe → CREATED; profile, upemail → UPDATED; unsubscribe, cleaned → DELETED (member);
 *   campaign (sent or cancelled) → UPDATED (campaign).
 * - objectId: `data[id]` (the member's subscriber hash), else `data[email]`; for upemail the new
 *   member: `data[new_id]`, else `data[new_email]`; for campaign `data[id]`.
 * - `fired_at` is UTC (`YYYY-MM-DD HH:MM:SS`).
 * - A body without a `type` is not a MailChimp webhook → unparseable. A `type` we do not know keeps the
 *   decoded `raw` and yields one UNKNOWN event, so a new MailChimp event type is still delivered.
 * - Unsigned (MailChimp's advice is a secret in the URL); the URL check is a GET that must answer 200.
 */

const EVENT_TYPES: ReadonlyMap<string, NormalizedEventType> = new Map([
  ["subscribe", "CREATED"],
  ["profile", "UPDATED"],
  ["upemail", "UPDATED"],
  ["unsubscribe", "DELETED"],
  ["cleaned", "DELETED"],
  ["campaign", "UPDATED"],
]);

function objectTypeOf(type: string): string {
  if (type === "campaign") return "campaign";
  return EVENT_TYPES.has(type) ? "member" : "unknown";
}

function objectIdOf(type: string, data: unknown): string | undefined {
  if (type === "upemail") return idField(data, "new_id") ?? idField(data, "new_email");
  if (type === "campaign") return idField(data, "id");
  return idField(data, "id") ?? idField(data, "email");
}

function normalize(type: string, payload: Record<string, unknown>, receivedAt: Date): NormalizedEvent {
  return normalizedEvent(
    eventTypeFrom(EVENT_TYPES, type),
    objectTypeOf(type),
    objectIdOf(type, payload.data),
    providerDateToIso(payload.fired_at, receivedAt),
  );
}

export const mailchimpWebhook: WebhookHandler = {
  async verify() {
    return { ok: true };
  },

  parse(request, receivedAt) {
    const text = decodeUtf8(request.body);
    if (!text.ok) return unparseable(request.body, receivedAt, "The body is not UTF-8 text.");
    const payload = decodeNestedForm(text.text);
    const type = stringField(payload, "type");
    if (type === undefined || type === "") return unparseable(request.body, receivedAt, "The form has no type field, so it is not a MailChimp webhook.");
    return { raw: payload, events: [normalize(type, payload, receivedAt)] };
  },

  probeStatus: 200,
};
