import { describe, expect, it } from "vitest";
import { connectorKeys, connectors, getConnector } from "@/lib/connectors";
import { MAX_RATE_PARAMETER } from "@/lib/connectors/delivery-settings";
import { jsonValueKind } from "@/lib/connectors/json-values";
import { hooklineEventRows, pollingRows, tagsRow } from "@/lib/connectors/shared-rows";
import type { Connector, ParameterRow } from "@/lib/connectors/types";
import {
  POLLER_CONFIGURATION_PARAMETER,
  REFRESH_INTERVAL_PARAMETER,
  VENDOR_TYPE_PARAMETER,
  VENDOR_TYPES,
} from "@/lib/polling/config";

function row(connector: Connector, apiName: string): ParameterRow {
  const found = connector.parameters.find((r) => r.apiName === apiName);
  if (!found) throw new Error(`${connector.key} has no ${apiName} row`);
  return found;
}

function mustGet(key: string): Connector {
  const connector = getConnector(key);
  if (!connector) throw new Error(`no connector ${key}`);
  return connector;
}

describe("registry", () => {
  it("lists the four connectors in a stable order", () => {
    expect(connectors.map((c) => c.key)).toEqual([
      "campaignmonitor",
      "connectwisecrmrest",
      "hootsuite",
      "mailchimpv3",
    ]);
    expect(connectorKeys).toEqual(connectors.map((c) => c.key));
  });

  it("resolves keys and the connectwisehd alias, case-sensitively", () => {
    expect(getConnector("mailchimpv3")?.name).toBe("MailChimp");
    expect(getConnector("connectwisehd")).toBe(getConnector("connectwisecrmrest"));
    expect(getConnector("connectwisehd")?.name).toBe("ConnectWise");
    expect(getConnector("MailChimpV3")).toBeUndefined();
    expect(getConnector("ConnectWiseHD")).toBeUndefined();
    expect(getConnector("")).toBeUndefined();
  });

  it("does not resolve object-prototype names", () => {
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      expect(getConnector(name)).toBeUndefined();
    }
  });

  it("has no key or alias claimed twice", () => {
    const all = connectors.flatMap((c) => [c.key, ...c.aliases]);
    expect(new Set(all).size).toBe(all.length);
  });
});

describe.each(connectors.map((c) => [c.key, c] as const))("catalog invariants: %s", (_key, connector) => {
  it("has a name row and a tags row in the body", () => {
    expect(row(connector, "name")).toMatchObject({ location: "body", required: true, type: "string" });
    expect(row(connector, "tags")).toMatchObject({ location: "body", required: false, type: "list" });
  });

  it("has unique API names, aliases included", () => {
    const names = connector.parameters.flatMap((r) => [r.apiName, ...(r.aliases ?? [])]);
    expect(new Set(names).size).toBe(names.length);
  });

  it("gives every row a label, description, data type, group and location", () => {
    for (const r of connector.parameters) {
      expect(r.label.trim(), r.apiName).not.toBe("");
      expect(r.description.trim(), r.apiName).not.toBe("");
      expect(r.dataType.trim(), r.apiName).not.toBe("");
      expect(["authentication", "events", "general"], r.apiName).toContain(r.group);
      expect(["configuration", "providerData", "body"], r.apiName).toContain(r.location);
      expect(["string", "url", "secret", "boolean", "list", "number", "choice", "json"], r.apiName).toContain(r.type);
    }
  });

  it("keeps defaults of the row's own type", () => {
    for (const r of connector.parameters) {
      if (r.default === undefined) continue;
      expect(typeof r.default, r.apiName).toBe(r.type === "boolean" ? "boolean" : "string");
      expect(r.required, `${r.apiName} has a default, so it cannot be required`).toBe(false);
    }
  });

  it("never nests one configuration name inside another (form field names split on dots)", () => {
    const names = connector.parameters.filter((r) => r.location === "configuration").map((r) => r.apiName);
    for (const a of names) {
      for (const b of names) expect(b.startsWith(`${a}.`), `${a} / ${b}`).toBe(false);
    }
  });

  it("has the Cloud Elements event rows", () => {
    expect(row(connector, "event.notification.enabled")).toMatchObject({
      type: "boolean",
      required: false,
      default: false,
      group: "events",
      location: "configuration",
    });
    expect(row(connector, "event.notification.callback.url")).toMatchObject({
      type: "url",
      required: false,
      requiredWhenEventsEnabled: true,
      location: "configuration",
    });
    expect(row(connector, "event.notification.signature.key")).toMatchObject({
      type: "secret",
      required: false,
    });
  });

  it("has Hookline's shared event rows, as the one helper writes them", () => {
    const shared = hooklineEventRows();
    for (const sharedRow of shared) expect(row(connector, sharedRow.apiName)).toEqual(sharedRow);
    expect(row(connector, "tags")).toEqual(tagsRow());
    // The shared rows sit together in the events group, after the seed's own event rows.
    const names = connector.parameters.map((r) => r.apiName);
    const start = names.indexOf(shared[0]!.apiName);
    expect(names.slice(start, start + shared.length)).toEqual(shared.map((r) => r.apiName));
    expect(connector.parameters.slice(0, start).filter((r) => r.group === "events").length).toBeGreaterThan(0);
  });

  it("has the per-instance delivery rate row: an optional number in the events group", () => {
    expect(row(connector, MAX_RATE_PARAMETER)).toEqual({
      apiName: "event.notification.max.rate",
      label: "Event Notification Max Rate",
      description: expect.stringMatching(/^The most deliveries per second Hookline makes to the callback URL of this instance; unset means no limit \(the per-instance concurrency cap still applies\)\./),
      dataType: "number",
      type: "number",
      required: false,
      group: "events",
      location: "configuration",
      range: { exclusiveMinimum: 0, maximum: 10000 },
    });
  });

  it("gives every number row a range, and only number rows", () => {
    for (const r of connector.parameters) {
      expect(r.range !== undefined, r.apiName).toBe(r.type === "number");
      if (r.range) expect(r.range.maximum, r.apiName).toBeGreaterThan(r.range.exclusiveMinimum);
    }
  });

  it("gives choices to choice rows only, each a non-empty list holding the row's default", () => {
    for (const r of connector.parameters) {
      expect(r.choices !== undefined, r.apiName).toBe(r.type === "choice");
      if (!r.choices) continue;
      expect(r.choices.length, r.apiName).toBeGreaterThan(0);
      expect(new Set(r.choices).size, r.apiName).toBe(r.choices.length);
      if (r.default !== undefined) expect(r.choices, r.apiName).toContain(r.default);
    }
  });

  it("names a known JSON value on json rows only, and keeps them in the configuration", () => {
    for (const r of connector.parameters) {
      expect(r.jsonValue !== undefined, r.apiName).toBe(r.type === "json");
      if (r.type !== "json") continue;
      expect(() => jsonValueKind(r), r.apiName).not.toThrow();
      expect(r.location, r.apiName).toBe("configuration");
    }
  });

  it("has the polling rows exactly when it has polling defaults, right after Hookline's shared event rows", () => {
    const names = connector.parameters.map((r) => r.apiName);
    const polling = connector.events.polling;
    if (!polling) {
      for (const name of [VENDOR_TYPE_PARAMETER, REFRESH_INTERVAL_PARAMETER, POLLER_CONFIGURATION_PARAMETER]) {
        expect(names).not.toContain(name);
      }
      return;
    }
    const rows = pollingRows(polling.resources, polling.noReconciliation);
    for (const pollingRow of rows) expect(row(connector, pollingRow.apiName)).toEqual(pollingRow);
    const afterShared = names.indexOf(hooklineEventRows().at(-1)!.apiName) + 1;
    expect(names.slice(afterShared, afterShared + rows.length)).toEqual(rows.map((r) => r.apiName));
    // The description names the resources an instance polls when its own configuration is empty.
    for (const resource of Object.keys(polling.resources)) {
      expect(row(connector, POLLER_CONFIGURATION_PARAMETER).description).toContain(resource);
    }
  });

  it("marks passwords, client secrets and signature keys as secrets", () => {
    for (const r of connector.parameters) {
      const secretish = /secret|password|private|signature/i.test(`${r.apiName} ${r.label}`);
      expect(r.type === "secret", r.apiName).toBe(secretish);
    }
  });

  it("has a two-letter monogram and a hex colour", () => {
    expect(connector.tile.monogram).toMatch(/^[A-Z]{2}$/);
    expect(connector.tile.color).toMatch(/^#[0-9A-Fa-f]{6}$/);
  });

  it("has a webhook handler", () => {
    expect(typeof connector.events.webhook.verify).toBe("function");
    expect(typeof connector.events.webhook.parse).toBe("function");
  });

  it("uses https default URLs when it is OAuth 2, with an authorization code row", () => {
    if (connector.auth.type !== "oauth2") return;
    for (const url of Object.values(connector.auth.urls)) {
      expect(new URL(url).protocol, url).toBe("https:");
    }
    expect(row(connector, "code")).toMatchObject({ location: "providerData", hiddenInForm: true, required: false });
    expect(row(connector, "oauth.callback.url")).toMatchObject({ type: "url", required: true });
    expect(row(connector, "oauth.api.key")).toMatchObject({ type: "string", required: true });
    expect(row(connector, "oauth.api.secret")).toMatchObject({ type: "secret", required: true });
  });
});

describe("shared rows", () => {
  it("are fresh objects on every call, so no connector can change another's", () => {
    const [first] = hooklineEventRows();
    const [again] = hooklineEventRows();
    expect(first).toEqual(again);
    expect(first).not.toBe(again);
    const rates = connectors.map((c) => row(c, MAX_RATE_PARAMETER));
    expect(new Set(rates).size).toBe(connectors.length);
    expect(new Set(rates.map((r) => r.range)).size).toBe(connectors.length);
  });
});

describe("polling rows", () => {
  const rows = pollingRows({
    tickets: { url: "/t", idField: "id", datesConfiguration: { updatedDateField: "u", updatedDateFormat: "iso8601" } },
  });
  const byName = (apiName: string) => rows.find((r) => r.apiName === apiName);

  it("are the vendor type (a choice, webhook by default), the refresh interval and the JSON configuration", () => {
    expect(byName(VENDOR_TYPE_PARAMETER)).toMatchObject({
      label: "Event Vendor Type",
      type: "choice",
      choices: [...VENDOR_TYPES],
      default: "webhook",
      required: false,
      group: "events",
      location: "configuration",
    });
    expect(byName(REFRESH_INTERVAL_PARAMETER)).toMatchObject({
      label: "Event Poller Refresh Interval",
      type: "number",
      range: { exclusiveMinimum: 0, maximum: 1440 },
      required: false,
      group: "events",
      location: "configuration",
    });
    expect(byName(POLLER_CONFIGURATION_PARAMETER)).toMatchObject({
      label: "Event Poller Configuration",
      type: "json",
      jsonValue: "pollerConfiguration",
      required: false,
      group: "events",
      location: "configuration",
    });
    expect(byName(POLLER_CONFIGURATION_PARAMETER)?.description).toContain("defaults: tickets.");
  });

  it("are on the connectors with polling defaults, and not on Hootsuite (no change filter to poll by)", () => {
    expect(connectors.filter((c) => c.events.polling).map((c) => c.key)).toEqual([
      "campaignmonitor",
      "connectwisecrmrest",
      "mailchimpv3",
    ]);
    expect(mustGet("hootsuite").parameters.map((r) => r.apiName)).not.toContain(VENDOR_TYPE_PARAMETER);
  });

  it("are fresh objects on every call", () => {
    const [first] = pollingRows({});
    const [again] = pollingRows({});
    expect(first).toEqual(again);
    expect(first).not.toBe(again);
    expect(first?.choices).not.toBe(again?.choices);
  });
});

describe("connector specifics", () => {
  it("campaignmonitor: comma-separated scopes, web_server type, list ids", () => {
    const c = mustGet("campaignmonitor");
    expect(c.auth).toEqual({
      type: "oauth2",
      urls: {
        authorize: "https://api.createsend.com/oauth",
        token: "https://api.createsend.com/oauth/token",
        api: "https://api.createsend.com/api/v3.3",
      },
      scopes: ["ManageLists", "ImportSubscribers"],
      scopeSeparator: ",",
      pkce: false,
      clientAuth: "body",
      extraAuthorizeParams: { type: "web_server" },
      tokensExpire: true,
    });
    expect(row(c, "events.list.ids")).toMatchObject({
      label: "List IDs",
      dataType: "String",
      type: "list",
      requiredWhenEventsEnabled: true,
    });
    expect(row(c, "event.notification.enabled").label).toBe("Events Enabled");
  });

  it("mailchimpv3: no scopes, metadata URL, tokens that never expire", () => {
    const c = mustGet("mailchimpv3");
    expect(c.auth).toMatchObject({
      type: "oauth2",
      urls: {
        authorize: "https://login.mailchimp.com/oauth2/authorize",
        token: "https://login.mailchimp.com/oauth2/token",
        metadata: "https://login.mailchimp.com/oauth2/metadata",
      },
      scopes: [],
      pkce: false,
      clientAuth: "body",
      tokensExpire: false,
    });
    expect(row(c, "name").dataType).toBe("Body");
  });

  it("hootsuite: basic client auth, offline scope, manual webhook setup", () => {
    const c = mustGet("hootsuite");
    expect(c.auth).toMatchObject({
      type: "oauth2",
      urls: {
        authorize: "https://platform.hootsuite.com/oauth2/auth",
        token: "https://platform.hootsuite.com/oauth2/token",
        api: "https://platform.hootsuite.com",
      },
      scopes: ["offline"],
      clientAuth: "basic",
      pkce: false,
      tokensExpire: true,
    });
    const steps = c.events.manualSetup ?? [];
    expect(steps.length).toBeGreaterThanOrEqual(3);
    expect(steps.join("\n")).toMatch(/Webhook URL/);
    expect(steps.join("\n")).toMatch(/event\.notification\.callback\.url/);
  });

  it("connectwisecrmrest: credentials, table rows with the JSON example's spellings as aliases", () => {
    const c = mustGet("connectwisecrmrest");
    expect(c.auth).toEqual({ type: "credentials" });
    expect(c.aliases).toEqual(["connectwisehd"]);
    expect(row(c, "helpdesk.connectwise.server.url")).toMatchObject({ type: "url", required: true });
    expect(row(c, "company")).toMatchObject({ required: true, aliases: ["helpdesk.connectwise.company"] });
    expect(row(c, "public.key")).toMatchObject({
      label: "User Name",
      type: "string",
      aliases: ["helpdesk.connectwise.username"],
    });
    expect(row(c, "private.key")).toMatchObject({
      label: "Password",
      type: "secret",
      aliases: ["helpdesk.connectwise.password"],
    });
    expect(row(c, "helpdesk.connectwise.wsdl.path")).toMatchObject({ label: "WSDL Path", required: false });
    expect(row(c, "filter.response.nulls")).toMatchObject({ type: "boolean", required: false, default: true });
  });
});
