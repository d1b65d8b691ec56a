import { describe, expect, it } from "vitest";
import { connectors } from "@/lib/connectors";
import { parseConfiguration } from "@/lib/connectors/schema";
import { POLLER_CONFIGURATION_PARAMETER, pollerConfigurationSchema } from "@/lib/polling/config";

/*
 * Every connector's default poller resources (lib/connectors/polling/*) must be what an instance could
 * have typed itself: valid for the same schema, and pointing at things that exist.
 */

const withPolling = connectors.filter((connector) => connector.events.polling);

describe.each(withPolling.map((c) => [c.key, c] as const))("polling defaults: %s", (_key, connector) => {
  const resources = connector.events.polling!.resources;

  it("pass the poller configuration schema unchanged", () => {
    const parsed = pollerConfigurationSchema.safeParse(resources);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(parsed.data).toEqual(resources);
  });

  it("are accepted as the instance's own configuration parameter, as an object and as JSON text", () => {
    for (const value of [resources, JSON.stringify(resources)]) {
      const result = parseConfiguration(connector, { [POLLER_CONFIGURATION_PARAMETER]: value }, { mode: "update" });
      expect(result.ok ? result.value[POLLER_CONFIGURATION_PARAMETER] : result.fieldErrors).toEqual(resources);
    }
  });

  it("poll by the time of the last poll, once per value when a resource has `each`", () => {
    for (const [name, resource] of Object.entries(resources)) {
      expect(resource.url, name).toMatch(/\$\{gmtDate:[^}]+\}/);
      expect(resource.url.includes("${each}"), name).toBe(resource.each !== undefined);
    }
  });

  it("iterate only over configuration rows the connector has", () => {
    const names = connector.parameters.filter((row) => row.location === "configuration").map((row) => row.apiName);
    for (const [name, resource] of Object.entries(resources)) {
      if (resource.each && "parameter" in resource.each) expect(names, name).toContain(resource.each.parameter);
    }
  });
});

describe("polling defaults: the connectors that have them", () => {
  it("are ConnectWise, Campaign Monitor and MailChimp, whose APIs filter by change date", () => {
    expect(withPolling.map((c) => c.key).sort()).toEqual(["campaignmonitor", "connectwisecrmrest", "mailchimpv3"]);
  });

  it("MailChimp: members of every audience by since_last_changed, 1000 at a time by offset", () => {
    const members = connectors.find((c) => c.key === "mailchimpv3")!.events.polling!.resources.members!;
    expect(members.url).toBe("/3.0/lists/${each}/members?since_last_changed=${gmtDate:yyyy-MM-dd'T'HH:mm:ss'Z'}&sort_field=last_changed&sort_dir=ASC");
    expect(members).toMatchObject({
      idField: "id",
      recordsField: "members",
      datesConfiguration: { updatedDateField: "last_changed", updatedDateFormat: "iso8601" },
      pagination: { type: "offset", offsetParameter: "offset", sizeParameter: "count", pageSize: 1000 },
      each: { url: "/3.0/lists?count=1000&fields=lists.id", recordsField: "lists", idField: "id" },
    });
  });

  it("Campaign Monitor: active and unsubscribed subscribers of each listed list by date, 1000 a page", () => {
    const resources = connectors.find((c) => c.key === "campaignmonitor")!.events.polling!.resources;
    expect(Object.keys(resources)).toEqual(["active", "unsubscribed"]);
    for (const state of ["active", "unsubscribed"] as const) {
      expect(resources[state]!.url).toMatch(new RegExp(`^/lists/\\$\\{each\\}/${state}\\.json\\?date=\\$\\{gmtDate:yyyy-MM-dd HH:mm:ss\\}`));
      expect(resources[state]).toMatchObject({
        idField: "EmailAddress",
        recordsField: "Results",
        datesConfiguration: { updatedDateField: "Date", updatedDateFormat: "yyyy-MM-dd HH:mm:ss" },
        pagination: { type: "page", pageParameter: "page", sizeParameter: "pagesize", pageSize: 1000, firstPage: 1 },
        each: { parameter: "events.list.ids" },
      });
    }
  });
});
