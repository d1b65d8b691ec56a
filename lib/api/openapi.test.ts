import { describe, expect, it } from "vitest";
import { openApiDocument } from "@/lib/api/openapi";
import { connectors } from "@/lib/connectors";
import { MAX_RATE_PARAMETER } from "@/lib/connectors/delivery-settings";

type Schema = { properties?: Record<string, Schema>; required?: string[]; [key: string]: unknown };

const document = openApiDocument("https://hookline.test");
const schemas = document.components.schemas as Record<string, Schema>;

function configurationOf(name: string): Schema {
  const configuration = schemas[name]?.properties?.configuration;
  if (!configuration) throw new Error(`${name} has no configuration`);
  return configuration;
}

describe("OpenAPI document: the delivery rate parameter", () => {
  const rate = {
    anyOf: [{ type: "number", exclusiveMinimum: 0, maximum: 10000 }, { type: "null" }],
    title: "Event Notification Max Rate",
    description: expect.stringContaining("The most deliveries per second Hookline makes to the callback URL"),
  };

  it.each(connectors.map((c) => c.key))("%s: create and PATCH declare it an optional number within its bounds", (key) => {
    for (const name of [`CreateInstance_${key}`, `PatchInstance_${key}`]) {
      const configuration = configurationOf(name);
      expect(configuration.properties?.[MAX_RATE_PARAMETER], name).toEqual(rate);
      expect(configuration.required ?? [], name).not.toContain(MAX_RATE_PARAMETER);
    }
  });

  it("still declares the other types as before (a URL, a secret, a boolean)", () => {
    const configuration = configurationOf("CreateInstance_mailchimpv3").properties ?? {};
    expect(configuration["event.notification.callback.url"]).toMatchObject({ type: "string", format: "uri" });
    expect(configuration["event.notification.signature.key"]).toMatchObject({ type: "string", writeOnly: true });
    expect(configuration["event.notification.enabled"]).toMatchObject({ type: "boolean" });
  });
});

describe("OpenAPI document: the polling parameters", () => {
  const polling = connectors.filter((c) => c.events.polling).map((c) => c.key);

  it.each(polling)("%s: the vendor type is an enum of its choices (null clears it)", (key) => {
    // `both` only where webhooks and polls can be matched (not MailChimp: its webhooks lack last_changed).
    const choices = connectors.find((c) => c.key === key)!.events.polling!.noReconciliation ? ["webhook", "polling"] : ["webhook", "polling", "both"];
    for (const name of [`CreateInstance_${key}`, `PatchInstance_${key}`]) {
      expect(configurationOf(name).properties?.["event.vendor.type"], name).toMatchObject({
        type: ["string", "null"],
        enum: [...choices, null],
        title: "Event Vendor Type",
      });
    }
    expect(configurationOf(`CreateInstance_${key}`).properties?.["event.vendor.type"]?.default).toBe("webhook");
  });

  it.each(polling)("%s: the poller configuration is an object of resources, each described", (key) => {
    for (const name of [`CreateInstance_${key}`, `PatchInstance_${key}`]) {
      const configuration = configurationOf(name);
      const poller = configuration.properties?.["event.poller.configuration"];
      expect(poller, name).toMatchObject({
        type: "object",
        title: "Event Poller Configuration",
        minProperties: 1,
        maxProperties: 20,
        propertyNames: { pattern: "^[A-Za-z0-9_.-]{1,64}$" },
        additionalProperties: {
          type: "object",
          required: ["url", "idField", "datesConfiguration"],
          additionalProperties: false,
          properties: {
            url: { type: "string" },
            idField: { type: "string" },
            datesConfiguration: { type: "object", required: ["updatedDateField", "updatedDateFormat"] },
          },
        },
      });
      expect(String(poller?.description)).toContain("A JSON string holding the same object is accepted too");
      expect(configuration.required ?? [], name).not.toContain("event.poller.configuration");
    }
  });

  it.each(polling)("%s: the refresh interval is a number within its bounds, as number rows are", (key) => {
    expect(configurationOf(`CreateInstance_${key}`).properties?.["event.poller.refresh_interval"]).toMatchObject({
      anyOf: [{ type: "number", exclusiveMinimum: 0, maximum: 1440 }, { type: "null" }],
    });
  });

  it("has no polling parameters for Hootsuite", () => {
    expect(configurationOf("CreateInstance_hootsuite").properties?.["event.vendor.type"]).toBeUndefined();
  });
});
