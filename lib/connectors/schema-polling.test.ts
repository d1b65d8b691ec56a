import { describe, expect, it } from "vitest";
import { getConnector } from "@/lib/connectors";
import {
  MAX_JSON_TEXT,
  parseConfiguration,
  parseCreateInstanceBody,
  parsePatchInstanceBody,
} from "@/lib/connectors/schema";
import {
  configurationFormDefaults,
  configurationFormSchema,
} from "@/lib/connectors/form-values";
import { connectors } from "@/lib/connectors";
import type { Connector } from "@/lib/connectors/types";
import { POLLER_CONFIGURATION_PARAMETER, REFRESH_INTERVAL_PARAMETER, VENDOR_TYPE_PARAMETER } from "@/lib/polling/config";

/*
 * The polling rows as the API and the form validate them: `event.vendor.type` (a choice),
 * `event.poller.refresh_interval` (a number) and `event.poller.configuration` (JSON, an object or a
 * JSON string, stored parsed).
 */

function mustGet(key: string): Connector {
  const connector = getConnector(key);
  if (!connector) throw new Error(`no connector ${key}`);
  return connector;
}

const connectwise = mustGet("connectwisecrmrest");

/** What a new ConnectWise instance needs besides the polling rows. */
const required = {
  "helpdesk.connectwise.server.url": "https://cw.example.com",
  company: "acme",
  "public.key": "user",
  "private.key": "pass",
};

/** A valid ConnectWise create body, plus `configuration`. */
function createBody(configuration: Record<string, unknown>) {
  return { element: { key: "connectwisecrmrest" }, name: "CW", configuration: { ...required, ...configuration } };
}

const ticket = {
  url: "/service/tickets?conditions=lastUpdated>[${gmtDate:yyyy-MM-dd'T'HH:mm:ss'Z'}]",
  idField: "id",
  datesConfiguration: { updatedDateField: "_info.lastUpdated", updatedDateFormat: "yyyy-MM-dd'T'HH:mm:ss'Z'" },
};

/** The messages for one configuration key, or [] when it passed. */
function errorsFor(configuration: Record<string, unknown>, key: string, mode: "create" | "update" = "update"): string[] {
  const result = parseConfiguration(connectwise, { ...(mode === "create" ? required : {}), ...configuration }, { mode });
  return result.ok ? [] : (result.fieldErrors[key] ?? []);
}

function valueOf(configuration: Record<string, unknown>, key: string, mode: "create" | "update" = "update"): unknown {
  const result = parseConfiguration(connectwise, { ...(mode === "create" ? required : {}), ...configuration }, { mode });
  if (!result.ok) throw new Error(result.message);
  return result.value[key];
}

describe("event.vendor.type", () => {
  it("offers both only where webhooks and polls can be matched: not for MailChimp, whose webhooks lack last_changed", () => {
    const mailchimp = mustGet("mailchimpv3");
    const refused = parseConfiguration(mailchimp, { [VENDOR_TYPE_PARAMETER]: "both" }, { mode: "update" });
    expect(refused.ok ? [] : refused.fieldErrors[VENDOR_TYPE_PARAMETER]).toEqual(["Event Vendor Type must be one of: webhook, polling"]);
    expect(parseConfiguration(mailchimp, { [VENDOR_TYPE_PARAMETER]: "polling" }, { mode: "update" }).ok).toBe(true);
    expect(errorsFor({ [VENDOR_TYPE_PARAMETER]: "both" }, VENDOR_TYPE_PARAMETER)).toEqual([]);
  });

  const rule = "Event Vendor Type must be one of: webhook, polling, both";

  it("takes webhook, polling and both", () => {
    for (const type of ["webhook", "polling", "both"]) expect(valueOf({ [VENDOR_TYPE_PARAMETER]: type }, VENDOR_TYPE_PARAMETER)).toBe(type);
    expect(valueOf({ [VENDOR_TYPE_PARAMETER]: " both " }, VENDOR_TYPE_PARAMETER)).toBe("both");
  });

  it("refuses anything else with a message naming the allowed values", () => {
    for (const wrong of ["Polling", "poll", "webhooks", 1, true, ["polling"], {}]) {
      expect(errorsFor({ [VENDOR_TYPE_PARAMETER]: wrong }, VENDOR_TYPE_PARAMETER), String(wrong)).toEqual([rule]);
    }
  });

  it("is webhook when a new instance leaves it out, and is not defaulted by a PATCH", () => {
    const created = parseCreateInstanceBody(createBody({}), connectors);
    expect(created.ok && created.value.configuration[VENDOR_TYPE_PARAMETER]).toBe("webhook");
    const patched = parsePatchInstanceBody(connectwise, { configuration: { company: "other" } });
    expect(patched.ok && Object.keys(patched.value.configuration ?? {})).toEqual(["company"]);
  });

  it("is cleared (unset) by blank or null, as a PATCH clears it", () => {
    for (const blank of ["", "  ", null]) {
      const patched = parsePatchInstanceBody(connectwise, { configuration: { [VENDOR_TYPE_PARAMETER]: blank } });
      expect(patched.ok, String(blank)).toBe(true);
      if (patched.ok) expect(patched.value.configuration).toEqual({ [VENDOR_TYPE_PARAMETER]: undefined });
    }
  });
});

describe("event.poller.refresh_interval", () => {
  const rule = "Event Poller Refresh Interval must be a number greater than 0 and at most 1440";

  it("takes minutes above 0 and up to a day, decimals included", () => {
    for (const minutes of [0.5, 1, 15, 1440]) expect(valueOf({ [REFRESH_INTERVAL_PARAMETER]: minutes }, REFRESH_INTERVAL_PARAMETER)).toBe(minutes);
  });

  it("refuses 0, more than a day and text", () => {
    for (const wrong of [0, -5, 1441, "15"]) {
      expect(errorsFor({ [REFRESH_INTERVAL_PARAMETER]: wrong }, REFRESH_INTERVAL_PARAMETER), String(wrong)).toEqual([rule]);
    }
  });
});

describe("event.poller.configuration", () => {
  const key = POLLER_CONFIGURATION_PARAMETER;
  const label = "Event Poller Configuration";

  it("stores an object as the parsed object", () => {
    expect(valueOf({ [key]: { tickets: ticket } }, key)).toEqual({ tickets: ticket });
  });

  it("parses a JSON string into the same object", () => {
    expect(valueOf({ [key]: JSON.stringify({ tickets: ticket }, null, 2) }, key)).toEqual({ tickets: ticket });
  });

  it("reads blank, null and an empty string as unset (the connector's defaults)", () => {
    for (const blank of ["", "   \n", null, undefined]) {
      expect(errorsFor({ [key]: blank }, key, "create"), String(blank)).toEqual([]);
      expect(valueOf({ [key]: blank }, key, "create"), String(blank)).toBeUndefined();
    }
  });

  it("names the path inside the JSON of a bad resource", () => {
    const bad = (resource: Record<string, unknown>) => errorsFor({ [key]: { tickets: { ...ticket, ...resource } } }, key);
    expect(bad({ datesConfiguration: { updatedDateField: " ", updatedDateFormat: "iso8601" } })).toEqual([
      `${label}: tickets.datesConfiguration.updatedDateField must not be empty`,
    ]);
    expect(bad({ url: "service/tickets" })).toEqual([`${label}: tickets.url must be a path on the provider's API, starting with /`]);
    expect(bad({ datesConfiguration: undefined })).toEqual([`${label}: tickets.datesConfiguration is required`]);
    expect(bad({ pagination: { type: "page", pageParameter: "page", sizeParameter: "pageSize", pageSize: 5000 } })).toEqual([
      `${label}: tickets.pagination.pageSize must be at most 1000`,
    ]);
    expect(bad({ each: { url: "/lists" } })).toEqual([`${label}: tickets.each.idField is required`]);
    expect(bad({ colour: "red" })).toEqual([`${label}: tickets: unknown keys: colour`]);
    // Every problem at once, not just the first.
    expect(bad({ url: "service", idField: "" })).toEqual([
      `${label}: tickets.url must be a path on the provider's API, starting with /`,
      `${label}: tickets.idField must not be empty`,
    ]);
  });

  it("says what is wrong with the value as a whole", () => {
    expect(errorsFor({ [key]: {} }, key)).toEqual([`${label} must name at least one resource`]);
    expect(errorsFor({ [key]: [ticket] }, key)).toEqual([`${label} must be a JSON object (or the same object as a JSON string)`]);
    expect(errorsFor({ [key]: 42 }, key)).toEqual([`${label} must be a JSON object (or the same object as a JSON string)`]);
    expect(errorsFor({ [key]: '"tickets"' }, key)).toEqual([`${label} must be a JSON object (or the same object as a JSON string)`]);
    expect(errorsFor({ [key]: "{ tickets: }" }, key)).toEqual([expect.stringMatching(/^Event Poller Configuration is not valid JSON: /)]);
    expect(errorsFor({ [key]: `{"a":"${"x".repeat(MAX_JSON_TEXT)}"}` }, key)).toEqual([
      `${label} must be at most ${MAX_JSON_TEXT} characters of JSON`,
    ]);
  });

  it("refuses what the database cannot store, before the schema walks it", () => {
    const withNul = { tickets: { ...ticket, objectType: "tick\u0000et" } };
    expect(errorsFor({ [key]: withNul }, key)).toEqual([`${label} must not contain the NUL character (\\u0000)`]);
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i += 1) deep = { deep };
    expect(errorsFor({ [key]: { tickets: deep } }, key)).toEqual([expect.stringMatching(/^Event Poller Configuration must not be nested more than/)]);
  });

  it("is a 400-style failure keyed by the API name, with the path in the message", () => {
    const result = parseCreateInstanceBody(
      createBody({ [key]: { tickets: { ...ticket, idField: "" } }, [VENDOR_TYPE_PARAMETER]: "polling" }),
      connectors,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.fieldErrors).toEqual({ [key]: [`${label}: tickets.idField must not be empty`] });
    expect(result.message).toBe(`Invalid request: ${key}: ${label}: tickets.idField must not be empty`);
  });

  it("creates an instance that polls, and PATCHes keep working (set, re-validated when merged, cleared)", () => {
    const created = parseCreateInstanceBody(
      createBody({ [VENDOR_TYPE_PARAMETER]: "both", [REFRESH_INTERVAL_PARAMETER]: 5, [key]: JSON.stringify({ tickets: ticket }) }),
      connectors,
    );
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    expect(created.value.configuration).toMatchObject({
      [VENDOR_TYPE_PARAMETER]: "both",
      [REFRESH_INTERVAL_PARAMETER]: 5,
      [key]: { tickets: ticket },
    });

    // The service merges a PATCH into the stored configuration, then validates the whole with `create`.
    const patched = parsePatchInstanceBody(connectwise, { configuration: { [key]: { contacts: { ...ticket, url: "/company/contacts" } } } });
    expect(patched.ok && patched.value.configuration?.[key]).toEqual({ contacts: { ...ticket, url: "/company/contacts" } });
    const merged = { ...created.value.configuration, ...(patched.ok ? patched.value.configuration : {}) };
    const rechecked = parseConfiguration(connectwise, merged, { mode: "create" });
    expect(rechecked.ok && rechecked.value[key]).toEqual({ contacts: { ...ticket, url: "/company/contacts" } });

    const cleared = parsePatchInstanceBody(connectwise, { configuration: { [key]: "" } });
    expect(cleared.ok && cleared.value.configuration).toEqual({ [key]: undefined });
    const renamed = parsePatchInstanceBody(connectwise, { name: "Renamed" });
    expect(renamed.ok && renamed.value).toEqual({ name: "Renamed" });
  });
});

describe("the polling rows in the form", () => {
  it("start at the vendor type's default, with the interval and the JSON empty", () => {
    expect(configurationFormDefaults(connectwise)).toMatchObject({
      event: { vendor: { type: "webhook" }, poller: { refresh_interval: "", configuration: "" } },
    });
  });

  it("show a stored configuration pretty-printed in its textarea, and read it back as the same object", () => {
    const stored = { [POLLER_CONFIGURATION_PARAMETER]: { tickets: ticket }, [REFRESH_INTERVAL_PARAMETER]: 5, [VENDOR_TYPE_PARAMETER]: "polling" };
    const values = configurationFormDefaults(connectwise, stored);
    const poller = (values.event as { poller: { configuration: unknown; refresh_interval: unknown } }).poller;
    expect(poller.configuration).toBe(JSON.stringify({ tickets: ticket }, null, 2));
    expect(poller.refresh_interval).toBe("5");

    const parsed = configurationFormSchema(connectwise, { mode: "update" }).safeParse(values);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(parsed.data).toMatchObject(stored);
  });

  it("put a bad JSON's message on the textarea's field", () => {
    const values = configurationFormDefaults(connectwise, { [POLLER_CONFIGURATION_PARAMETER]: '{"tickets": {"url": "/t"}}' });
    const parsed = configurationFormSchema(connectwise, { mode: "update" }).safeParse(values);
    expect(parsed.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([
      [POLLER_CONFIGURATION_PARAMETER, "Event Poller Configuration: tickets.idField is required"],
      [POLLER_CONFIGURATION_PARAMETER, "Event Poller Configuration: tickets.datesConfiguration is required"],
    ]);
  });
});
