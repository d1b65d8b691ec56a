import { readdirSync, readFileSync } from "node:fs";
import { zodResolver } from "@hookform/resolvers/zod";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { connectors, getConnector } from "@/lib/connectors";
import {
  configurationSchema,
  createInstanceBodySchema,
  normalizeConfiguration,
  parseConfiguration,
  parseCreateInstanceBody,
  parsePatchInstanceBody,
  restoreAliases,
  secretApiNames,
} from "@/lib/connectors/schema";
import {
  configurationFormDefaults,
  configurationFormSchema,
  numberFromFormText,
} from "@/lib/connectors/form-values";
import type { Connector } from "@/lib/connectors/types";

const fixtureDir = new URL("../../tests/fixtures/seeds/", import.meta.url);
const fixtureNames = readdirSync(fixtureDir).filter((name) => name.endsWith(".json"));

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(name, fixtureDir), "utf8")) as Record<string, unknown>;
}

function mustGet(key: string): Connector {
  const connector = getConnector(key);
  if (!connector) throw new Error(`no connector ${key}`);
  return connector;
}

/** A valid MailChimp body to break one field at a time. */
function mailchimpBody(configuration: Record<string, unknown> = {}, rest: Record<string, unknown> = {}) {
  return {
    element: { key: "mailchimpv3" },
    providerData: { code: "abc" },
    configuration: {
      "oauth.api.key": "key",
      "oauth.api.secret": "secret",
      "oauth.callback.url": "https://mycoolapp.com",
      "event.notification.enabled": true,
      "event.notification.callback.url": "https://mycoolapp.com/events",
      ...configuration,
    },
    tags: ["Docs"],
    name: "API Instance",
    ...rest,
  };
}

function errorsOf(json: unknown) {
  const result = parseCreateInstanceBody(json, connectors);
  if (result.ok) throw new Error("expected a validation failure");
  return result;
}

function okOf(json: unknown) {
  const result = parseCreateInstanceBody(json, connectors);
  if (!result.ok) throw new Error(`expected success, got ${result.message}`);
  return result;
}

const RATE_ERROR = "Event Notification Max Rate must be a number greater than 0 and at most 10000";

const expectedConnector: Record<string, string> = {
  campaignmonitor: "campaignmonitor",
  mailchimpv3: "mailchimpv3",
  hootsuite: "hootsuite",
  connectwisehd: "connectwisecrmrest",
};

describe("seed fixtures", () => {
  it("has one fixture per JSON example of the five pages, covering every connector", () => {
    expect(fixtureNames).toHaveLength(10);
    const covered = new Set(fixtureNames.map((name) => expectedConnector[name.split(".")[0] ?? ""]));
    expect([...covered].sort()).toEqual(connectors.map((c) => c.key).sort());
  });

  it.each(fixtureNames)("%s validates and maps to its connector", (name) => {
    const body = fixture(name);
    const result = okOf(body);
    expect(result.connector.key).toBe(expectedConnector[name.split(".")[0] ?? ""]);
    expect(result.value.name).toBe(body.name);
    expect(result.value.tags).toEqual(body.tags);
    expect(result.value.configuration["event.notification.enabled"]).toBe(true);
    expect(result.value.configuration["event.notification.callback.url"]).toMatch(/^https:\/\//);
  });

  it("keeps Campaign Monitor's placeholders and list ids as sent", () => {
    const result = okOf(fixture("campaignmonitor.cloudelements.body.json"));
    expect(result.value.providerData).toEqual({ code: "<AUTHORIZATION_GRANT_CODE>" });
    expect(result.value.configuration["oauth.api.key"]).toBe("<CONSUMER_KEY>");
    expect(result.value.configuration["events.list.ids"]).toBe("<LIST_IDS>");
  });

  it("fills ConnectWise's canonical names from the connectwisehd example's spellings", () => {
    const result = okOf(fixture("connectwisehd.curl.json"));
    expect(result.connector.key).toBe("connectwisecrmrest");
    expect(result.value.element.key).toBe("connectwisehd");
    expect(result.value.configuration).toMatchObject({
      "public.key": "xxxxxxxx",
      "private.key": "xxxxxxxxxxxxxx",
      company: "cloudelements",
      "helpdesk.connectwise.server.url": "http://api-cloudelements.connectwisedev.com",
      "filter.response.nulls": true,
    });
    expect(result.value.configuration).not.toHaveProperty("helpdesk.connectwise.username");
    expect(result.value.configuration).not.toHaveProperty("helpdesk.connectwise.password");
    expect(result.value.configuration).not.toHaveProperty("helpdesk.connectwise.wsdl.path");
    expect(result.sentAs).toEqual({
      "public.key": "helpdesk.connectwise.username",
      "private.key": "helpdesk.connectwise.password",
      company: "helpdesk.connectwise.company",
    });
  });

  it("rejects the MailChimp cURL example as printed: `https;//` is not a redirect URI", () => {
    // The page prints "https;//mycoolapp.com". Cloud Elements may have stored it as an opaque string, but
    // it becomes the OAuth redirect_uri, which must be an absolute URL, so a 400 here is the right answer.
    const body = fixture("mailchimpv3.curl.json");
    const configuration = { ...(body.configuration as object), "oauth.callback.url": "https;//mycoolapp.com" };
    const printed = { ...body, configuration };
    const result = errorsOf(printed);
    expect(Object.keys(result.fieldErrors)).toEqual(["oauth.callback.url"]);
    expect(result.fieldErrors["oauth.callback.url"]).toEqual(["Callback URL must be an http or https URL"]);
  });
});

describe("documented mistakes give 400-style results naming the field", () => {
  it("unknown element key lists the valid keys", () => {
    const result = errorsOf(mailchimpBody({}, { element: { key: "mailchimp" } }));
    const [message] = result.fieldErrors["element.key"] ?? [];
    expect(message).toContain('"mailchimp"');
    for (const key of ["campaignmonitor", "connectwisecrmrest", "connectwisehd", "hootsuite", "mailchimpv3"]) {
      expect(message).toContain(key);
    }
    expect(result.message).toContain("element.key");
  });

  it("missing or malformed element is an element.key error", () => {
    for (const element of [undefined, null, "mailchimpv3", [], { key: 5 }, { id: 3 }]) {
      const result = errorsOf(mailchimpBody({}, { element }));
      expect(Object.keys(result.fieldErrors)).toEqual(["element.key"]);
    }
  });

  it("missing required oauth.api.key", () => {
    const body = mailchimpBody();
    delete (body.configuration as Record<string, unknown>)["oauth.api.key"];
    expect(errorsOf(body).fieldErrors).toEqual({ "oauth.api.key": ["Client ID is required"] });
  });

  it("blank required values count as missing", () => {
    const result = errorsOf(mailchimpBody({ "oauth.api.key": "   ", "oauth.api.secret": "" }));
    expect(result.fieldErrors).toEqual({
      "oauth.api.key": ["Client ID is required"],
      "oauth.api.secret": ["Client Secret is required"],
    });
  });

  it.each(["not a url", "mycoolapp.com/events", "ftp://mycoolapp.com", "javascript:alert(1)", "https://", 42])(
    "bad event.notification.callback.url %j",
    (url) => {
      const result = errorsOf(mailchimpBody({ "event.notification.callback.url": url }));
      expect(Object.keys(result.fieldErrors)).toEqual(["event.notification.callback.url"]);
    },
  );

  // Credentials in a URL would be shown in plain text wherever the URL is (instance page, API answers).
  it.each(["https://user:s3cr3t@mycoolapp.com/events", "https://user@mycoolapp.com/events", "https://:s3cr3t@mycoolapp.com/", "https://us%40er:s3%3Acr3t@mycoolapp.com/"])(
    "refuses a callback URL with credentials %j, naming the field",
    (url) => {
      const result = errorsOf(mailchimpBody({ "event.notification.callback.url": url }));
      expect(result.fieldErrors).toEqual({
        "event.notification.callback.url": ["Event Notification Callback URL must not contain a user name or password (user:pass@): remove them from the URL"],
      });
      expect(JSON.stringify(result)).not.toContain("s3");
    },
  );

  it("refuses a ConnectWise server URL with credentials", () => {
    const body = fixture("connectwisehd.curl.json");
    const configuration = { ...(body.configuration as object), "helpdesk.connectwise.server.url": "https://api:secret@api-na.myconnectwise.net" };
    const result = errorsOf({ ...body, configuration });
    expect(Object.keys(result.fieldErrors)).toEqual(["helpdesk.connectwise.server.url"]);
    expect(result.fieldErrors["helpdesk.connectwise.server.url"]?.[0]).toMatch(/must not contain a user name or password/);
  });

  it("events on without a callback URL", () => {
    for (const url of [undefined, "", "   "]) {
      const result = errorsOf(mailchimpBody({ "event.notification.callback.url": url }));
      expect(result.fieldErrors).toEqual({
        "event.notification.callback.url": ["Event Notification Callback URL is required when events are enabled"],
      });
    }
  });

  it("events off need no callback URL, and events default to off", () => {
    const off = okOf(mailchimpBody({ "event.notification.enabled": false, "event.notification.callback.url": "" }));
    expect(off.value.configuration["event.notification.callback.url"]).toBeUndefined();
    const body = mailchimpBody();
    const configuration = body.configuration as Record<string, unknown>;
    delete configuration["event.notification.enabled"];
    delete configuration["event.notification.callback.url"];
    expect(okOf(body).value.configuration["event.notification.enabled"]).toBe(false);
  });

  it('"event.notification.enabled": "yes" is not a boolean', () => {
    for (const enabled of ["yes", "true", 1, null]) {
      const result = errorsOf(mailchimpBody({ "event.notification.enabled": enabled }));
      expect(result.fieldErrors).toEqual({ "event.notification.enabled": ["Events Enabled must be true or false"] });
    }
  });

  it("tags must be an array of strings", () => {
    for (const tags of ["Docs", [1], ["ok", { a: 1 }], [""], null]) {
      const result = errorsOf(mailchimpBody({}, { tags }));
      expect(Object.keys(result.fieldErrors)).toEqual(["tags"]);
    }
  });

  it("name is required, trimmed, and at most 200 characters", () => {
    const body = mailchimpBody();
    delete (body as Partial<typeof body>).name;
    expect(errorsOf(body).fieldErrors).toEqual({ name: ["Name is required"] });
    expect(errorsOf(mailchimpBody({}, { name: "  " })).fieldErrors).toEqual({ name: ["Name is required"] });
    expect(Object.keys(errorsOf(mailchimpBody({}, { name: 7 })).fieldErrors)).toEqual(["name"]);
    expect(Object.keys(errorsOf(mailchimpBody({}, { name: "x".repeat(201) })).fieldErrors)).toEqual(["name"]);
    expect(okOf(mailchimpBody({}, { name: "  Mine  " })).value.name).toBe("Mine");
  });

  it("reports every problem at once", () => {
    const body = mailchimpBody({ "oauth.api.key": undefined, "event.notification.callback.url": undefined });
    delete (body as Partial<typeof body>).name;
    const result = errorsOf(body);
    expect(Object.keys(result.fieldErrors).sort()).toEqual([
      "event.notification.callback.url",
      "name",
      "oauth.api.key",
    ]);
    expect(result.message).toMatch(/^Invalid request: /);
  });

  it("a missing configuration names every required field", () => {
    const body = mailchimpBody();
    delete (body as Partial<typeof body>).configuration;
    expect(Object.keys(errorsOf(body).fieldErrors).sort()).toEqual([
      "oauth.api.key",
      "oauth.api.secret",
      "oauth.callback.url",
    ]);
    expect(errorsOf(mailchimpBody({}, { configuration: "x" })).fieldErrors).toEqual({
      configuration: ["configuration must be a JSON object"],
    });
  });

  it("errors on an alias name the spelling the client sent", () => {
    const body = fixture("connectwisehd.curl.json");
    const configuration = { ...(body.configuration as object), "helpdesk.connectwise.password": "  " };
    expect(errorsOf({ ...body, configuration }).fieldErrors).toEqual({
      "helpdesk.connectwise.password": ["Password is required"],
    });
  });

  it("ConnectWise without credentials names the canonical fields", () => {
    const result = errorsOf({ element: { key: "connectwisecrmrest" }, configuration: {}, name: "x" });
    expect(Object.keys(result.fieldErrors).sort()).toEqual([
      "company",
      "helpdesk.connectwise.server.url",
      "private.key",
      "public.key",
    ]);
  });
});

describe("values", () => {
  it("trims strings and URLs, normalizes lists, leaves secrets byte for byte", () => {
    const result = okOf({
      element: { key: "campaignmonitor" },
      configuration: {
        "oauth.callback.url": "  https://mycoolapp.com/cb ",
        "oauth.api.key": " id ",
        "oauth.api.secret": " s3cret ",
        "event.notification.enabled": true,
        "event.notification.callback.url": "https://mycoolapp.com/events",
        "events.list.ids": " a, b,,c ",
      },
      name: "x",
    });
    expect(result.value.configuration).toMatchObject({
      "oauth.callback.url": "https://mycoolapp.com/cb",
      "oauth.api.key": "id",
      "oauth.api.secret": " s3cret ",
      "events.list.ids": "a,b,c",
    });
  });

  it("Campaign Monitor needs list ids when events are on", () => {
    const body = fixture("campaignmonitor.cloudelements.curl.json");
    const configuration = { ...(body.configuration as object), "events.list.ids": " , " };
    expect(errorsOf({ ...body, configuration }).fieldErrors).toEqual({
      "events.list.ids": ["List IDs is required when events are enabled"],
    });
  });

  it("keeps unknown configuration keys and ignores unknown top-level keys", () => {
    const result = okOf(mailchimpBody({ "custom.setting": { nested: [1, 2] } }, { disabled: true }));
    expect(result.value.configuration["custom.setting"]).toEqual({ nested: [1, 2] });
    expect(result.value).not.toHaveProperty("disabled");
  });

  it("prefers the canonical name when a body sends both it and an alias", () => {
    const body = fixture("connectwisehd.curl.json");
    const configuration = { ...(body.configuration as object), "public.key": "canonical" };
    const result = okOf({ ...body, configuration });
    expect(result.value.configuration["public.key"]).toBe("canonical");
    expect(result.value.configuration).not.toHaveProperty("helpdesk.connectwise.username");
    expect(result.sentAs).not.toHaveProperty("public.key");
  });

  it("ignores __proto__ keys without polluting prototypes", () => {
    const json = JSON.parse(
      JSON.stringify(mailchimpBody()).replace(
        '"configuration":{',
        '"__proto__":{"polluted":1},"configuration":{"__proto__":{"polluted":2},',
      ),
    ) as unknown;
    const result = okOf(json);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(result.value.configuration)).toBe(Object.prototype);
    expect(Object.keys(result.value.configuration)).not.toContain("__proto__");
    expect((result.value.configuration as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("never throws, whatever the input", () => {
    for (const input of [null, undefined, 0, "", "{}", [], [mailchimpBody()], true, NaN]) {
      const result = parseCreateInstanceBody(input, connectors);
      expect(result).toEqual({ ok: false, message: "The request body must be a JSON object", fieldErrors: {} });
    }
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withObjectString: true }), (input) => {
        expect(typeof parseCreateInstanceBody(input, connectors).ok).toBe("boolean");
      }),
    );
    const keys = fc.constantFrom(...connectors.flatMap((c) => [c.key, ...c.aliases]), "__proto__", "x");
    fc.assert(
      fc.property(
        fc.record({
          element: fc.record({ key: keys }),
          providerData: fc.anything(),
          configuration: fc.dictionary(
            fc.oneof(fc.constantFrom("__proto__", "oauth.api.key", "helpdesk.connectwise.password"), fc.string()),
            fc.anything(),
          ),
          tags: fc.anything(),
          name: fc.anything(),
        }),
        (input) => {
          const result = parseCreateInstanceBody(input, connectors);
          if (!result.ok) expect(Object.keys(result.fieldErrors).length).toBeGreaterThan(0);
        },
      ),
    );
  });
});

describe("update mode and PATCH", () => {
  const mailchimp = mustGet("mailchimpv3");

  it("accepts any subset, applies no defaults, still checks types", () => {
    const schema = configurationSchema(mailchimp, { mode: "update" });
    expect(schema.parse({})).toEqual({});
    expect(schema.parse({ "oauth.api.key": " new " })).toEqual({ "oauth.api.key": "new" });
    expect(schema.safeParse({ "event.notification.enabled": "yes" }).success).toBe(false);
    expect(schema.safeParse({ "event.notification.enabled": true }).success).toBe(true);
  });

  it("parsePatchInstanceBody validates name, tags and configuration", () => {
    expect(parsePatchInstanceBody(mailchimp, {})).toEqual({ ok: true, value: {}, sentAs: {} });
    const ok = parsePatchInstanceBody(mailchimp, { name: " New ", tags: ["a"], element: { key: "x" } });
    expect(ok).toEqual({ ok: true, value: { name: "New", tags: ["a"] }, sentAs: {} });
    const bad = parsePatchInstanceBody(mailchimp, {
      name: "",
      tags: "a",
      configuration: { "event.notification.enabled": "yes", "oauth.callback.url": "https;//x" },
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(Object.keys(bad.fieldErrors).sort()).toEqual([
        "event.notification.enabled",
        "name",
        "oauth.callback.url",
        "tags",
      ]);
    }
    for (const input of [null, [], 3, "x"]) expect(parsePatchInstanceBody(mailchimp, input).ok).toBe(false);
  });

  it("maps aliases in a PATCH, and the merged result is checked with create rules", () => {
    const connectwise = mustGet("connectwisecrmrest");
    const patch = parsePatchInstanceBody(connectwise, {
      configuration: { "helpdesk.connectwise.password": "new", "event.notification.enabled": true },
    });
    expect(patch).toMatchObject({
      ok: true,
      value: { configuration: { "private.key": "new", "event.notification.enabled": true } },
      sentAs: { "private.key": "helpdesk.connectwise.password" },
    });
    const stored = okOf(fixture("connectwisehd.curl.json")).value.configuration;
    delete stored["event.notification.callback.url"];
    const merged = parseConfiguration(
      connectwise,
      { ...stored, ...(patch.ok ? patch.value.configuration : {}) },
      { mode: "create" },
    );
    expect(merged).toMatchObject({
      ok: false,
      fieldErrors: {
        "event.notification.callback.url": ["Event Notification Callback URL is required when events are enabled"],
      },
    });
  });
});

describe("aliases and secrets", () => {
  const connectwise = mustGet("connectwisecrmrest");

  it("normalizeConfiguration and restoreAliases round-trip the caller's spelling", () => {
    const sent = { "helpdesk.connectwise.username": "u", company: "c", other: 1 };
    const { configuration, sentAs } = normalizeConfiguration(connectwise, sent);
    expect(configuration).toEqual({ "public.key": "u", company: "c", other: 1 });
    expect(sentAs).toEqual({ "public.key": "helpdesk.connectwise.username" });
    expect(restoreAliases(configuration as Record<string, unknown>, sentAs)).toEqual(sent);
    expect(normalizeConfiguration(connectwise, "x")).toEqual({ configuration: "x", sentAs: {} });
  });

  it("secretApiNames lists secret rows and their aliases", () => {
    expect(secretApiNames(connectwise).sort()).toEqual([
      "event.notification.signature.key",
      "helpdesk.connectwise.password",
      "private.key",
    ]);
    expect(secretApiNames(mustGet("mailchimpv3")).sort()).toEqual([
      "event.notification.signature.key",
      "oauth.api.secret",
    ]);
  });

  it("createInstanceBodySchema rejects another connector's key", () => {
    const schema = createInstanceBodySchema(mustGet("hootsuite"));
    expect(schema.safeParse(fixture("hootsuite.curl.json")).success).toBe(true);
    expect(schema.safeParse(fixture("mailchimpv3.curl.json")).success).toBe(false);
  });
});

describe("form schema (react-hook-form)", () => {
  const mailchimp = mustGet("mailchimpv3");
  const resolverOptions = { fields: {}, shouldUseNativeValidation: false } as const;

  it("defaults are nested by API name, without hidden rows", () => {
    expect(configurationFormDefaults(mailchimp)).toEqual({
      oauth: { api: { key: "", secret: "" }, callback: { url: "" } },
      event: {
        notification: { enabled: false, callback: { url: "" }, signature: { key: "" }, max: { rate: "" } },
        webhook: { bare: { url: false } },
        // The polling rows: the vendor type at its default, the interval and the JSON textarea empty.
        vendor: { type: "webhook" },
        poller: { refresh_interval: "", configuration: "" },
      },
    });
    // A stored number is shown in its input as text.
    expect(configurationFormDefaults(mailchimp, { "event.notification.max.rate": 0.5 })).toMatchObject({
      event: { notification: { max: { rate: "0.5" } } },
    });
    expect(configurationFormDefaults(mustGet("connectwisecrmrest"), { company: "acme" })).toMatchObject({
      company: "acme",
      filter: { response: { nulls: true } },
    });
  });

  it("validates nested form values and puts errors on the API-name fields", async () => {
    const resolver = zodResolver(configurationFormSchema(mailchimp, { mode: "create" }));
    const values = configurationFormDefaults(mailchimp);
    const event = (values.event as { notification: { enabled: boolean } }).notification;
    event.enabled = true;
    const failed = await resolver(values, undefined, resolverOptions);
    const errors = failed.errors as Record<string, unknown>;
    expect(errors).toMatchObject({
      oauth: { api: { key: { message: "Client ID is required" } } },
      event: {
        notification: {
          callback: { url: { message: "Event Notification Callback URL is required when events are enabled" } },
        },
      },
    });

    const withCredentials = {
      oauth: { api: { key: "id", secret: "s" }, callback: { url: "https://mycoolapp.com" } },
      event: { notification: { enabled: true, callback: { url: "https://u:p@mycoolapp.com/events" }, signature: { key: "" } } },
    };
    const refused = await resolver(withCredentials, undefined, resolverOptions);
    expect(refused.errors).toMatchObject({
      event: { notification: { callback: { url: { message: expect.stringMatching(/must not contain a user name or password/) } } } },
    });

    const filled = {
      oauth: { api: { key: "id", secret: "s" }, callback: { url: "https://mycoolapp.com" } },
      event: {
        notification: {
          enabled: true,
          callback: { url: "https://mycoolapp.com/events" },
          signature: { key: "" },
          max: { rate: "" },
        },
        webhook: { bare: { url: false } },
      },
    };
    const passed = await resolver(filled, undefined, resolverOptions);
    expect(passed.errors).toEqual({});
    expect(passed.values).toEqual({
      "oauth.api.key": "id",
      "oauth.api.secret": "s",
      "oauth.callback.url": "https://mycoolapp.com",
      "event.notification.enabled": true,
      "event.notification.callback.url": "https://mycoolapp.com/events",
      "event.notification.signature.key": undefined,
      "event.notification.max.rate": undefined,
      "event.webhook.bare.url": false,
      "event.vendor.type": "webhook",
    });
  });

  it("turns the rate input's text into a number, and refuses text that is no number in range", async () => {
    const resolver = zodResolver(configurationFormSchema(mailchimp, { mode: "create" }));
    const withRate = (rate: string) => ({
      oauth: { api: { key: "id", secret: "s" }, callback: { url: "https://mycoolapp.com" } },
      event: { notification: { enabled: false, max: { rate } } },
    });
    for (const [text, number] of [["0.5", 0.5], [" 12 ", 12], ["10000", 10000], ["1e3", 1000], [".25", 0.25]] as const) {
      const passed = await resolver(withRate(text), undefined, resolverOptions);
      expect(passed.errors, text).toEqual({});
      expect((passed.values as Record<string, unknown>)["event.notification.max.rate"], text).toBe(number);
    }
    for (const text of ["fast", "0", "-1", "10000.01", "NaN", "Infinity", "1e999", "5 per second", "0x10"]) {
      const failed = await resolver(withRate(text), undefined, resolverOptions);
      expect(failed.errors, text).toEqual({
        event: { notification: { max: { rate: expect.objectContaining({ message: RATE_ERROR }) } } },
      });
    }
  });
});

describe("number rows: event.notification.max.rate", () => {
  const RATE = "event.notification.max.rate";

  it.each(connectors.map((c) => [c.key, c] as const))("%s: create accepts a JSON number in range and stores it as one", (_key, connector) => {
    const schema = configurationSchema(connector, { mode: "update" });
    for (const value of [0.5, 1, 9999.99, 10000]) expect(schema.parse({ [RATE]: value })).toEqual({ [RATE]: value });
  });

  it("create: stored as a JSON number, unset when absent or null", () => {
    expect(okOf(mailchimpBody({ [RATE]: 0.5 })).value.configuration[RATE]).toBe(0.5);
    expect(okOf(mailchimpBody({ [RATE]: 250 })).value.configuration[RATE]).toBe(250);
    expect(okOf(mailchimpBody()).value.configuration[RATE]).toBeUndefined();
    expect(okOf(mailchimpBody({ [RATE]: null })).value.configuration[RATE]).toBeUndefined();
  });

  it("create: refuses strings, zero, negatives, values over the bound and non-finite numbers, naming the field", () => {
    for (const value of ["fast", "5", "", 0, -0.5, -1, 10000.5, 1e6, Number.NaN, Number.POSITIVE_INFINITY, true, [5], { rate: 5 }]) {
      const result = errorsOf(mailchimpBody({ [RATE]: value }));
      expect(result.fieldErrors, String(value)).toEqual({ [RATE]: [RATE_ERROR] });
      expect(result.message).toContain(`${RATE}: ${RATE_ERROR}`);
    }
  });

  it("PATCH: accepts a number or null (clear), refuses the same mistakes as create", () => {
    const connectwise = mustGet("connectwisecrmrest");
    expect(parsePatchInstanceBody(connectwise, { configuration: { [RATE]: 2 } })).toEqual({
      ok: true,
      value: { configuration: { [RATE]: 2 } },
      sentAs: {},
    });
    const cleared = parsePatchInstanceBody(connectwise, { configuration: { [RATE]: null } });
    expect(cleared.ok && cleared.value.configuration).toEqual({ [RATE]: undefined });
    for (const value of ["fast", 0, -3, 10001, "2"]) {
      expect(parsePatchInstanceBody(connectwise, { configuration: { [RATE]: value } }), String(value)).toEqual({
        ok: false,
        message: `Invalid request: ${RATE}: ${RATE_ERROR}`,
        fieldErrors: { [RATE]: [RATE_ERROR] },
      });
    }
  });

  it("numberFromFormText: blank is null, decimals are numbers, other text is left for validation", () => {
    expect(numberFromFormText("")).toBeNull();
    expect(numberFromFormText("   ")).toBeNull();
    expect(numberFromFormText("0.5")).toBe(0.5);
    expect(numberFromFormText("-2")).toBe(-2);
    expect(numberFromFormText("fast")).toBe("fast");
    expect(numberFromFormText("Infinity")).toBe("Infinity");
    expect(numberFromFormText(7)).toBe(7);
    expect(numberFromFormText(undefined)).toBeUndefined();
  });
});
