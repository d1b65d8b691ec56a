import { DEFAULT_PAGE_SIZE, EVENT_STATUSES, MAX_PAGE_SIZE } from "@/lib/events/schema";
import { EVENT_SOURCES } from "@/lib/live-log/schema";
import { errors, idParam, jsonContent, ref, type JsonSchema } from "@/lib/api/openapi-shared";

/** An event as the API returns it (lib/events/service.ts `toEventView`). */
export const eventSchema: JsonSchema = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    eventId: { type: "string", description: "The id receivers dedupe on (`message.eventId`, `Elements-Webhook-Id`, `webhook-id`)." },
    instanceId: { type: "integer" },
    elementKey: { type: "string" },
    status: {
      type: "string",
      enum: [...EVENT_STATUSES],
      description: "DUPLICATE: a provider's repeat of an earlier webhook, not delivered; REJECTED: a webhook Hookline refused (lastStatusCode and lastError say why), never delivered.",
    },
    attempts: { type: "integer" },
    eventCount: { type: "integer" },
    events: { type: "array", items: { type: "object" }, description: "The normalized events of the notification." },
    test: { type: "boolean" },
    source: {
      type: "string",
      enum: [...EVENT_SOURCES],
      description:
        "How Hookline learned of the event: WEBHOOK (the provider's webhook), POLL (polling the provider's API, event.vendor.type polling or both) or RECOVERED (a reconciliation poll of a `both` instance found a change no webhook reported: a lost webhook).",
    },
    createdDate: { type: "string", format: "date-time" },
    deliveredDate: { type: ["string", "null"], format: "date-time" },
    nextAttemptDate: { type: ["string", "null"], format: "date-time" },
    lastAttemptDate: { type: ["string", "null"], format: "date-time" },
    lastStatusCode: { type: ["integer", "null"] },
    lastError: { type: ["string", "null"] },
    duplicateOf: { type: ["string", "null"], description: "A DUPLICATE's first: the id of the request it repeats." },
  },
};

const accepted = (description: string, schema: unknown) => ({ "202": { description, content: jsonContent(schema) }, "401": errors["401"], "404": errors["404"] });
const eventIdParam = { name: "id", in: "path", required: true, schema: { type: "string" }, description: "The event's `id` or its `eventId`." };

/** The event routes: an instance's events, one event, redelivery, the test event, and the providers' webhook URL. */
export const eventPaths = {
  "/instances/{id}/events": {
    parameters: [idParam],
    get: {
      summary: "The instance's events, newest first; the next page's token is in the `elements-next-page-token` header",
      parameters: [
        { name: "pageSize", in: "query", schema: { type: "integer", minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE } },
        { name: "nextPage", in: "query", schema: { type: "string" } },
        { name: "status", in: "query", schema: { type: "string", enum: [...EVENT_STATUSES] } },
      ],
      responses: { "200": { description: "Events", content: jsonContent({ type: "array", items: ref("Event") }) }, "400": errors["400"], "401": errors["401"], "404": errors["404"] },
    },
  },
  "/instances/{id}/events/redeliver": {
    parameters: [idParam],
    post: { summary: "Send every DEAD or DISABLED event of the instance again (at most 1,000 a call)", responses: accepted("How many were queued", { type: "object", properties: { count: { type: "integer" } } }) },
  },
  "/instances/{id}/events/test": {
    parameters: [idParam],
    post: { summary: "Deliver a test event to the instance's callback URL", responses: accepted("The test event", ref("Event")) },
  },
  "/events/{id}": {
    parameters: [eventIdParam],
    get: {
      summary: "One event with its notification and delivery attempts",
      responses: { "200": { description: "The event", content: jsonContent(ref("Event")) }, "401": errors["401"], "404": errors["404"] },
    },
  },
  "/events/{id}/redeliver": {
    parameters: [eventIdParam],
    post: {
      summary: "Send one event again now (a manual send goes out even while delivery is disabled)",
      responses: { ...accepted("The event", ref("Event")), "409": { description: "A REJECTED or DUPLICATE event, which is never sent", content: jsonContent(ref("Error")) } },
    },
  },
  "/events/{elementKey}/{instanceId}": {
    parameters: [
      { name: "elementKey", in: "path", required: true, schema: { type: "string" } },
      { name: "instanceId", in: "path", required: true, schema: { type: "string" }, description: "The instance id in base64, as in the instance's `webhookUrl`." },
      {
        name: "k",
        in: "query",
        required: false,
        schema: { type: "string" },
        description:
          "The instance's webhook URL secret, as in its `webhookUrl`. Required unless the instance's webhooks are verified another way (a provider signature, event.notification.ip.allowlist) or it sets event.webhook.bare.url.",
      },
    ],
    post: {
      summary: "The provider's webhook: stored, then normalized and delivered (no Authorization; verified per connector)",
      security: [],
      responses: {
        "200": { description: "Stored" },
        "400": { description: "A batch refused (too many events, or items that are not objects)" },
        "401": { description: "The provider signature did not verify" },
        "403": { description: "The sender is outside event.notification.ip.allowlist" },
        "404": { description: "No such instance, a missing or wrong URL secret (k), or its events are off" },
        "413": { description: "Body over 1 MB" },
      },
    },
    get: { summary: "The provider's URL check (MailChimp answers 200; others 405)", security: [], responses: { "200": { description: "Reachable" }, "405": { description: "Send webhooks with POST" } } },
  },
  "/openapi.json": { get: { summary: "This document", security: [], responses: { "200": { description: "OpenAPI 3.1" } } } },
};
