import type { NormalizedEvent, NormalizedEventType, WebhookHandler } from "@/lib/connectors/contract";
import {
  admitBatch,
  eventTypeFrom,
  isObject,
  jsonFailure,
  normalizedEvent,
  withChangeDate,
  parseJsonBody,
  providerDateToIso,
  stringField,
  unparseable,
} from "@/lib/connectors/webhooks/shared";

/**
 * Campaign Monitor list webhooks: `{ Events: [{ Type, Date, EmailAddress, … }], ListID }`, batched.
 *
 * - Subscribe → CREATED, Update → UPDATED, Deactivate → DELETED. Deactivate covers unsubscribes, bounces,
 *   spam complaints and deletions (its `State` says which); in Cloud Elements terms the subscriber is no
 *   longer an active member of the list, so it is reported as DELETED and `raw` keeps the State.
 * - objectId is the subscriber's current `EmailAddress` (on Update the old one is in `OldEmailAddress`).
 * - `Date` is in the account's time zone with no offset; it is taken as UTC (see providerDateToIso).
 * - Only the JSON payload format is understood: Hookline registers its webhooks with `PayloadFormat: json`.
 *   An XML body becomes one UNKNOWN event with the text kept.
 * - Campaign Monitor does not sign webhooks.
 */

const EVENT_TYPES: ReadonlyMap<string, NormalizedEventType> = new Map([
  ["Subscribe", "CREATED"],
  ["Update", "UPDATED"],
  ["Deactivate", "DELETED"],
]);

const OBJECT_TYPE = "subscriber";

function normalize(item: unknown, receivedAt: Date): NormalizedEvent {
  const eventType = eventTypeFrom(EVENT_TYPES, stringField(item, "Type"));
  const objectId = stringField(item, "EmailAddress") || null;
  const date = isObject(item) ? item.Date : undefined;
  const eventDate = providerDateToIso(date, receivedAt);
  // The subscriber's own date (joined, or unsubscribed), which a poll of the list reads too: reconciliation.
  return withChangeDate(normalizedEvent(eventType, OBJECT_TYPE, objectId, eventDate), date);
}

export const campaignMonitorWebhook: WebhookHandler = {
  async verify() {
    return { ok: true };
  },

  admit(request, maxEvents) {
    const parsed = parseJsonBody(request.body);
    if (!parsed.ok || !isObject(parsed.value) || !Array.isArray(parsed.value.Events)) return { ok: true };
    return admitBatch(parsed.value.Events, "Events", maxEvents);
  },

  parse(request, receivedAt) {
    const parsed = parseJsonBody(request.body);
    if (!parsed.ok || !isObject(parsed.value) || !Array.isArray(parsed.value.Events)) {
      return unparseable(request.body, receivedAt, jsonFailure(parsed) || "The JSON has no Events array, so it is not a Campaign Monitor webhook.");
    }
    const payload = parsed.value;
    const items: unknown[] = payload.Events as unknown[];
    return {
      raw: payload,
      events: items.map((item) => normalize(item, receivedAt)),
      // The same body with only those events: `{ Events: [...], ListID }`.
      sliceRaw: (start, end) => ({ ...payload, Events: items.slice(start, end) }),
    };
  },
};
