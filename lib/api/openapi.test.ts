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
