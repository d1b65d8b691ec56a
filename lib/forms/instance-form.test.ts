import { zodResolver } from "@hookform/resolvers/zod";
import { describe, expect, it } from "vitest";
import { connectors, getConnector } from "@/lib/connectors";
import type { Connector } from "@/lib/connectors/types";
import {
  formFieldNames,
  formSections,
  formValuesForAction,
  instanceBodyFromForm,
  instanceFormDefaults,
  instanceFormSchema,
} from "@/lib/forms/instance-form";

function mustGet(key: string): Connector {
  const connector = getConnector(key);
  if (!connector) throw new Error(`missing ${key}`);
  return connector;
}

const resolverOptions = { fields: {}, shouldUseNativeValidation: false } as const;
const apiNames = (rows: { apiName: string }[]) => rows.map((row) => row.apiName);

describe("formSections", () => {
  it("puts required rows first, optional ones apart and the events group behind its switch", () => {
    const sections = formSections(mustGet("connectwisecrmrest"));
    expect(apiNames(sections.required)).toEqual([
      "name",
      "helpdesk.connectwise.server.url",
      "company",
      "public.key",
      "private.key",
    ]);
    expect(apiNames(sections.optional)).toEqual(["helpdesk.connectwise.wsdl.path", "filter.response.nulls", "tags"]);
    expect(sections.eventsToggle?.label).toBe("Events Enabled");
    expect(apiNames(sections.events)).toEqual([
      "event.notification.callback.url",
      "event.notification.signature.key",
      "event.notification.max.rate",
      "event.webhook.bare.url",
      "event.vendor.type",
      "event.poller.refresh_interval",
      "event.poller.configuration",
    ]);
  });

  it("shows the delivery rate with the other event settings on every connector", () => {
    for (const connector of connectors) {
      const sections = formSections(connector);
      expect(apiNames(sections.events), connector.key).toContain("event.notification.max.rate");
      expect(formFieldNames(connector), connector.key).toContain("event.notification.max.rate");
    }
  });

  it("leaves out rows a flow fills in (the OAuth code)", () => {
    for (const key of ["campaignmonitor", "hootsuite", "mailchimpv3"]) {
      expect(formFieldNames(mustGet(key))).not.toContain("code");
    }
  });
});

describe("instanceFormSchema", () => {
  const mailchimp = mustGet("mailchimpv3");

  it("reports name, configuration and events problems at once, keyed by API name", async () => {
    const resolver = zodResolver(instanceFormSchema(mailchimp, { mode: "create" }));
    const values = instanceFormDefaults(mailchimp);
    (values.event as { notification: { enabled: boolean } }).notification.enabled = true;
    const result = await resolver(values, undefined, resolverOptions);
    expect(result.errors).toMatchObject({
      name: { message: "Name is required" },
      oauth: { api: { key: { message: "Client ID is required" }, secret: { message: "Client Secret is required" } } },
      event: {
        notification: {
          callback: { url: { message: "Event Notification Callback URL is required when events are enabled" } },
        },
      },
    });
  });

  it("rejects a callback URL that is not a URL", async () => {
    const resolver = zodResolver(instanceFormSchema(mailchimp, { mode: "create" }));
    const values = instanceFormDefaults(mailchimp, {
      name: "x",
      configuration: {
        "oauth.api.key": "id",
        "oauth.api.secret": "s",
        "oauth.callback.url": "https://app.test/cb",
        "event.notification.enabled": true,
        "event.notification.callback.url": "not a url",
      },
    });
    const result = await resolver(values, undefined, resolverOptions);
    expect(result.errors).toEqual({
      event: {
        notification: {
          callback: {
            url: expect.objectContaining({ message: "Event Notification Callback URL must be an http or https URL" }),
          },
        },
      },
    });
  });

  it("passes filled values and returns a flat configuration", async () => {
    const resolver = zodResolver(instanceFormSchema(mailchimp, { mode: "create" }));
    const values = instanceFormDefaults(mailchimp, {
      name: " Newsletter ",
      tags: ["prod"],
      configuration: {
        "oauth.api.key": "id",
        "oauth.api.secret": "s",
        "oauth.callback.url": "https://app.test/cb",
      },
    });
    const result = await resolver(values, undefined, resolverOptions);
    expect(result.errors).toEqual({});
    expect(result.values).toEqual({
      name: "Newsletter",
      tags: ["prod"],
      configuration: {
        "oauth.api.key": "id",
        "oauth.api.secret": "s",
        "oauth.callback.url": "https://app.test/cb",
        "event.notification.enabled": false,
        "event.notification.callback.url": undefined,
        "event.notification.signature.key": undefined,
        "event.notification.max.rate": undefined,
        "event.webhook.bare.url": false,
        "event.vendor.type": "webhook",
      },
    });
  });

  it("turns the typed rate into a number and reports a bad one on its field", async () => {
    const resolver = zodResolver(instanceFormSchema(mailchimp, { mode: "create" }));
    const filled = (rate: string) =>
      instanceFormDefaults(mailchimp, {
        name: "Newsletter",
        configuration: {
          "oauth.api.key": "id",
          "oauth.api.secret": "s",
          "oauth.callback.url": "https://app.test/cb",
          "event.notification.enabled": true,
          "event.notification.callback.url": "https://app.test/events",
          "event.notification.max.rate": rate,
        },
      });
    const passed = await resolver(filled("0.5"), undefined, resolverOptions);
    expect(passed.errors).toEqual({});
    expect(passed.values).toMatchObject({ configuration: { "event.notification.max.rate": 0.5 } });

    for (const rate of ["fast", "0", "-2", "10001", "Infinity"]) {
      const failed = await resolver(filled(rate), undefined, resolverOptions);
      expect(failed.errors, rate).toEqual({
        event: {
          notification: {
            max: {
              rate: expect.objectContaining({
                message: "Event Notification Max Rate must be a number greater than 0 and at most 10000",
              }),
            },
          },
        },
      });
    }
  });

  it("an edit form shows a stored rate as text and keeps it through validation", async () => {
    const values = instanceFormDefaults(mailchimp, {
      name: "x",
      configuration: {
        "oauth.api.key": "id",
        "oauth.api.secret": "",
        "oauth.callback.url": "https://app.test/cb",
        "event.notification.max.rate": 2.5,
      },
    });
    expect(values).toMatchObject({ event: { notification: { max: { rate: "2.5" } } } });
    const resolver = zodResolver(instanceFormSchema(mailchimp, { mode: "update" }));
    const result = await resolver(values, undefined, resolverOptions);
    expect(result.errors).toEqual({});
    expect(result.values).toMatchObject({ configuration: { "event.notification.max.rate": 2.5 } });
  });

  it("in update mode lets secrets stay blank but keeps the other rules", async () => {
    const resolver = zodResolver(instanceFormSchema(mailchimp, { mode: "update" }));
    const values = instanceFormDefaults(mailchimp, {
      name: "x",
      configuration: { "oauth.api.key": "id", "oauth.api.secret": "", "oauth.callback.url": "https://app.test/cb" },
    });
    expect((await resolver(values, undefined, resolverOptions)).errors).toEqual({});

    const cleared = instanceFormDefaults(mailchimp, {
      name: "x",
      configuration: { "oauth.api.key": "", "event.notification.enabled": true },
    });
    expect((await resolver(cleared, undefined, resolverOptions)).errors).toMatchObject({
      oauth: { api: { key: { message: "Client ID is required" } } },
      event: { notification: { callback: { url: expect.anything() } } },
    });
  });

  it("reports a bad tag on the tags field", async () => {
    const resolver = zodResolver(instanceFormSchema(mailchimp, { mode: "update" }));
    const values = instanceFormDefaults(mailchimp, { name: "x", tags: ["ok", "x".repeat(101)] });
    expect((await resolver(values, undefined, resolverOptions)).errors).toMatchObject({
      tags: { message: "A tag must be at most 100 characters" },
    });
  });
});

describe("formValuesForAction", () => {
  const mailchimp = mustGet("mailchimpv3");

  it("sends the rate as a JSON number, a blank one as null (cleared), and other text as typed", () => {
    const values = (rate: string) =>
      instanceFormDefaults(mailchimp, { name: "x", configuration: { "event.notification.max.rate": rate } });
    const sent = (rate: string) => instanceBodyFromForm(formValuesForAction(mailchimp, values(rate))).configuration;
    expect(sent("0.5")["event.notification.max.rate"]).toBe(0.5);
    expect(sent(" 20 ")["event.notification.max.rate"]).toBe(20);
    expect(sent("")["event.notification.max.rate"]).toBeNull();
    expect(sent("fast")["event.notification.max.rate"]).toBe("fast");
  });

  it("leaves every other value as react-hook-form holds it, and the form's own values alone", () => {
    const values = instanceFormDefaults(mailchimp, {
      name: "x",
      tags: ["a"],
      configuration: { "oauth.api.key": "", "event.notification.max.rate": "3" },
    });
    const before = structuredClone(values);
    const sent = instanceBodyFromForm(formValuesForAction(mailchimp, values));
    expect(values).toEqual(before);
    expect(sent).toMatchObject({ name: "x", tags: ["a"], configuration: { "oauth.api.key": "", "event.notification.max.rate": 3 } });
  });
});

describe("instanceBodyFromForm", () => {
  it("splits the body rows from a flat configuration", () => {
    expect(
      instanceBodyFromForm({
        name: "Desk",
        tags: ["a"],
        company: "acme",
        public: { key: "me" },
        event: { notification: { enabled: false, callback: { url: "" } } },
      }),
    ).toEqual({
      name: "Desk",
      tags: ["a"],
      configuration: {
        company: "acme",
        "public.key": "me",
        "event.notification.enabled": false,
        "event.notification.callback.url": "",
      },
    });
  });

  it("gives an empty body for anything that is not an object", () => {
    expect(instanceBodyFromForm("x")).toEqual({ name: undefined, tags: undefined, configuration: {} });
  });
});
