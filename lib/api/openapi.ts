import { z } from "zod";
import { connectors } from "@/lib/connectors";
import { createInstanceBodySchema, patchInstanceBodySchema } from "@/lib/connectors/schema";
import type { Connector } from "@/lib/connectors/types";

import { eventPaths, eventSchema } from "@/lib/api/openapi-events";
import { jsonRowSchema } from "@/lib/api/openapi-json-rows";
import { errors, idParam, jsonContent, ref, type JsonSchema } from "@/lib/api/openapi-shared";

function toJsonSchema(schema: z.ZodType): JsonSchema {
  const result = { ...(z.toJSONSchema(schema, { unrepresentable: "any", io: "input" }) as JsonSchema) };
  delete result.$schema; // the document declares the dialect once
  return result;
}

/**
 * Adds what the Parameters table says (label, description, URL format, choices, key enum) to the
 * zod-derived schema; a `json` row's schema is replaced by the object it holds (see `jsonRowSchema`).
 */
function annotate(schema: JsonSchema, connector: Connector): JsonSchema {
  const configuration = schema.properties?.configuration;
  for (const row of connector.parameters) {
    const target = row.location === "configuration" ? configuration?.properties?.[row.apiName] : schema.properties?.[row.apiName];
    if (!target) continue;
    if (row.type === "json" && configuration?.properties) {
      configuration.properties[row.apiName] = jsonRowSchema(row);
      continue;
    }
    target.title = row.label;
    target.description = row.description + (row.requiredWhenEventsEnabled ? " Required when events are enabled." : "");
    if (row.type === "url") target.format = "uri";
    if (row.type === "secret") target.writeOnly = true;
    // null (like "") leaves the value unset, as the schema's own `type: ["string", "null"]` says.
    if (row.type === "choice") target.enum = [...(row.choices ?? []), null];
  }
  const element = schema.properties?.element?.properties?.key;
  if (element) element.enum = [connector.key, ...connector.aliases];
  return schema;
}

const instanceSchema: JsonSchema = {
  type: "object",
  properties: {
    id: { type: "integer" },
    name: { type: "string" },
    token: { type: "string", description: "In full only in the POST response; masked afterwards." },
    element: { type: "object", properties: { key: { type: "string" }, name: { type: "string" } } },
    configuration: { type: "object", description: "Secrets masked (last 4 characters shown)." },
    tags: { type: "array", items: { type: "string" } },
    eventsEnabled: { type: "boolean" },
    status: { type: "string", enum: ["ACTIVE", "PENDING_AUTHORIZATION", "NEEDS_REAUTHORIZATION"] },
    webhookUrl: {
      type: "string",
      format: "uri",
      description: "Where the provider posts this instance's webhooks: /elements/api-v2/events/{key}/{base64 id}?k={URL secret}. A webhook without the secret is refused (404).",
    },
    subscription: {
      type: "object",
      description: "Whether Hookline registered webhookUrl at the provider; `error` summarizes the provider's answer when FAILED.",
      properties: { status: { type: "string", enum: ["NONE", "ACTIVE", "FAILED", "MANUAL"] }, error: { type: "string" } },
    },
    delivery: {
      type: "object",
      description:
        "Where delivery to event.notification.callback.url stands: ACTIVE; PAUSED after consecutive failures (the circuit breaker; one probe delivery every HOOKLINE_BREAKER_PROBE_SECONDS, events keep their place); DISABLED after the receiver answered 410 Gone. POST /instances/{id}/delivery/resume resumes at once.",
      properties: {
        state: { type: "string", enum: ["ACTIVE", "PAUSED", "DISABLED"] },
        reason: { type: ["string", "null"] },
        since: { type: ["string", "null"], format: "date-time" },
      },
    },
    polling: {
      type: "object",
      description:
        "Only for an instance that polls (event.vendor.type polling or both): the next poll, each resource's last poll and high-water mark, and recoveredLast24h, the events a poll found that no webhook had reported (lost webhooks).",
      properties: {
        vendorType: { type: "string", enum: ["polling", "both"] },
        refreshIntervalMinutes: { type: "number" },
        nextPollAt: { type: ["string", "null"], format: "date-time" },
        running: { type: "boolean" },
        consecutiveFailures: { type: "integer" },
        resources: {
          type: "array",
          items: {
            type: "object",
            properties: {
              resource: { type: "string" },
              lastPolledAt: { type: ["string", "null"], format: "date-time" },
              result: { type: ["string", "null"], enum: ["OK", "FAILED", "RATE_LIMITED", null] },
              message: { type: ["string", "null"] },
              records: { type: "integer" },
              changes: { type: "integer" },
              highWaterMark: { type: "string", format: "date-time" },
            },
          },
        },
        recoveredLast24h: { type: "integer" },
      },
    },
    createdDate: { type: "string", format: "date-time" },
    updatedDate: { type: "string", format: "date-time" },
  },
};

const errorSchema: JsonSchema = {
  type: "object",
  required: ["message"],
  properties: {
    message: { type: "string" },
    fieldErrors: { type: "object", additionalProperties: { type: "array", items: { type: "string" } }, description: "Keyed by API name." },
    requestId: { type: "string" },
  },
};

/** The OpenAPI 3.1 document of the REST API, generated from the same zod schemas the server validates with. */
export function openApiDocument(serverUrl: string) {
  const schemas: Record<string, JsonSchema> = { Instance: instanceSchema, Event: eventSchema, Error: errorSchema };
  for (const connector of connectors) {
    schemas[`CreateInstance_${connector.key}`] = annotate(toJsonSchema(createInstanceBodySchema(connector)), connector);
    schemas[`PatchInstance_${connector.key}`] = annotate(toJsonSchema(patchInstanceBodySchema(connector)), connector);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Hookline API",
      version: "2.0.0",
      description: "Cloud Elements compatible connector-instance API. Authenticate with `Authorization: User <user secret>, Organization <organization secret>` (Settings page); add `, Element <instance token>` to act on one instance.",
    },
    servers: [{ url: `${serverUrl}/elements/api-v2` }],
    security: [{ CloudElements: [] }],
    components: {
      securitySchemes: { CloudElements: { type: "apiKey", in: "header", name: "Authorization" } },
      schemas,
    },
    paths: {
      "/instances": {
        get: {
          summary: "List instances",
          parameters: [
            { name: "elementKey", in: "query", schema: { type: "string" } },
            { name: "tags[]", in: "query", schema: { type: "string" } },
          ],
          responses: { "200": { description: "Instances", content: jsonContent({ type: "array", items: ref("Instance") }) }, "401": errors["401"] },
        },
        post: {
          summary: "Create an instance",
          requestBody: { required: true, content: jsonContent({ oneOf: connectors.map((c) => ref(`CreateInstance_${c.key}`)) }) },
          responses: { "200": { description: "The new instance, with its token", content: jsonContent(ref("Instance")) }, ...errors },
        },
      },
      "/instances/{id}": {
        parameters: [idParam],
        get: { summary: "Get an instance", responses: { "200": { description: "The instance", content: jsonContent(ref("Instance")) }, "401": errors["401"], "404": errors["404"] } },
        patch: {
          summary: "Update an instance (configuration merges)",
          requestBody: { required: true, content: jsonContent({ oneOf: connectors.map((c) => ref(`PatchInstance_${c.key}`)) }) },
          responses: { "200": { description: "The updated instance", content: jsonContent(ref("Instance")) }, ...errors },
        },
        delete: { summary: "Delete an instance", responses: { "200": { description: "Deleted" }, "401": errors["401"], "404": errors["404"] } },
      },
      "/instances/{id}/delivery/resume": {
        parameters: [idParam],
        post: {
          summary: "Resume delivery now: close the circuit breaker (or a 410's pause); what waited behind it goes out at once",
          responses: { "200": { description: "The instance", content: jsonContent(ref("Instance")) }, "401": errors["401"], "404": errors["404"] },
        },
      },
      "/instances/{id}/poll": {
        parameters: [idParam],
        post: {
          summary: "Poll now (event.vendor.type polling or both): the next poll is due at once; a worker runs it and polling.resources shows how it went",
          requestBody: {
            required: false,
            description: "Optional. History: every resource's high-water mark goes back to since (at most 366 days), so the poll reads the changes made since then.",
            content: jsonContent({ type: "object", additionalProperties: false, properties: { since: { type: "string", format: "date-time" } } }),
          },
          responses: {
            "202": { description: "The instance, with its polling state", content: jsonContent(ref("Instance")) },
            "401": errors["401"],
            "404": errors["404"],
            "400": errors["400"],
            "409": { description: "The instance does not poll", content: jsonContent(ref("Error")) },
          },
        },
      },
      "/instances/{id}/webhook-url/rotate": {
        parameters: [idParam],
        post: {
          summary: "A new webhook URL secret (?k=): the old webhookUrl is refused (404) at once; webhooks registered at the provider move to the new one",
          responses: { "200": { description: "The instance, with its new webhookUrl and subscription", content: jsonContent(ref("Instance")) }, "401": errors["401"], "404": errors["404"] },
        },
      },
      "/elements": { get: { summary: "List connectors and their parameters", responses: { "200": { description: "Connectors" } } } },
      "/elements/{key}/oauth/url": {
        parameters: [{ name: "key", in: "path", required: true, schema: { type: "string" } }],
        get: {
          summary: "The provider's OAuth 2.0 authorize URL to send a person to",
          parameters: ["apiKey", "apiSecret", "callbackUrl", "state", "scope"].map((name) => ({
            name,
            in: "query",
            required: name === "apiKey" || name === "callbackUrl",
            schema: { type: "string" },
          })),
          responses: {
            "200": { description: "`{ oauthUrl, element }`", content: jsonContent({ type: "object", properties: { oauthUrl: { type: "string", format: "uri" }, element: { type: "string" } } }) },
            "400": errors["400"],
            "404": errors["404"],
          },
        },
      },
      "/elements/{key}": {
        parameters: [{ name: "key", in: "path", required: true, schema: { type: "string" } }],
        get: { summary: "One connector and its parameters", responses: { "200": { description: "The connector" }, "404": errors["404"] } },
      },
      ...eventPaths,
    },
  };
}
