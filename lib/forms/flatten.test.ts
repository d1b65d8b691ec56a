import { describe, expect, it } from "vitest";
import {
  configurationFormDefaults,
} from "@/lib/connectors/form-values";
import { getConnector } from "@/lib/connectors";
import { flattenFormValues } from "@/lib/forms/flatten";

describe("flattenFormValues", () => {
  it("joins nested keys with dots and keeps arrays and scalars as leaves", () => {
    expect(
      flattenFormValues({
        name: "Acme",
        tags: ["a", "b"],
        oauth: { api: { key: "id", secret: "" }, callback: { url: "https://x.test" } },
        event: { notification: { enabled: true } },
        company: "acme",
      }),
    ).toEqual({
      name: "Acme",
      tags: ["a", "b"],
      "oauth.api.key": "id",
      "oauth.api.secret": "",
      "oauth.callback.url": "https://x.test",
      "event.notification.enabled": true,
      company: "acme",
    });
  });

  it("is the inverse of the form defaults for every connector", () => {
    for (const key of ["campaignmonitor", "connectwisecrmrest", "hootsuite", "mailchimpv3"]) {
      const connector = getConnector(key);
      if (!connector) throw new Error(`missing ${key}`);
      const flat = flattenFormValues(configurationFormDefaults(connector));
      const visible = connector.parameters.filter((r) => r.location === "configuration" && !r.hiddenInForm);
      expect(Object.keys(flat).sort()).toEqual(visible.map((r) => r.apiName).sort());
    }
  });

  it("drops __proto__, ignores empty objects and non-object input", () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": 1}, "a": {"__proto__": 2, "b": 3}, "e": {}}') as unknown;
    const flat = flattenFormValues(hostile);
    expect(flat).toEqual({ "a.b": 3 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(flattenFormValues(null)).toEqual({});
    expect(flattenFormValues(["x"])).toEqual({});
    expect(flattenFormValues("x")).toEqual({});
  });

  it("keeps a Date as a leaf", () => {
    const date = new Date(0);
    expect(flattenFormValues({ a: { at: date } })).toEqual({ "a.at": date });
  });
});
