import { describe, expect, it } from "vitest";
import { changeKey, changeOf } from "@/lib/polling/changes";
import type { PollerResource } from "@/lib/polling/config";

const RESOURCE: PollerResource = {
  url: "/service/tickets",
  idField: "id",
  datesConfiguration: {
    updatedDateField: "_info.lastUpdated",
    updatedDateFormat: "yyyy-MM-dd'T'HH:mm:ss'Z'",
    createdDateField: "_info.dateEntered",
    createdDateFormat: "yyyy-MM-dd'T'HH:mm:ss'Z'",
  },
};

describe("a polled record", () => {
  it("is CREATED when its created and updated dates are equal, else UPDATED", () => {
    const created = changeOf({ id: 7, _info: { lastUpdated: "2026-01-02T03:04:05Z", dateEntered: "2026-01-02T03:04:05Z" } }, "ticket", RESOURCE);
    expect(created).toMatchObject({ eventType: "CREATED", objectType: "ticket", objectId: "7", updatedDate: "2026-01-02T03:04:05.000Z" });
    const updated = changeOf({ id: 7, _info: { lastUpdated: "2026-01-02T03:09:05Z", dateEntered: "2026-01-02T03:04:05Z" } }, "ticket", RESOURCE);
    expect(updated).toMatchObject({ eventType: "UPDATED" });
    // No created date to compare (MailChimp's blank timestamp_opt): an update.
    expect(changeOf({ id: 7, _info: { lastUpdated: "2026-01-02T03:09:05Z", dateEntered: "" } }, "ticket", RESOURCE)).toMatchObject({ eventType: "UPDATED" });
  });

  it("takes the resource's own event type where it fixes one", () => {
    const record = { id: 7, _info: { lastUpdated: "2026-01-02T03:09:05Z", dateEntered: "2026-01-02T03:04:05Z" } };
    expect(changeOf(record, "subscriber", { ...RESOURCE, eventType: "DELETED" })).toMatchObject({ eventType: "DELETED" });
  });

  it("is skipped, with the reason, without an id or a readable updated date", () => {
    expect(changeOf({ _info: { lastUpdated: "2026-01-02T03:04:05Z" } }, "ticket", RESOURCE)).toEqual({ skipped: "a record has no id" });
    expect(changeOf({ id: 1, _info: { lastUpdated: "soon" } }, "ticket", RESOURCE)).toMatchObject({ skipped: expect.stringMatching(/_info.lastUpdated is not a date/) });
  });
});

describe("change keys", () => {
  it("are the same for the same change however its date was written, and differ otherwise", () => {
    const key = changeKey("ticket", "7", "2026-01-02T03:04:05Z");
    expect(changeKey("Ticket", "7", "2026-01-02T03:04:05.000Z")).toBe(key);
    expect(changeKey("ticket", "7", "2026-01-02T04:04:05+01:00")).toBe(key);
    expect(changeKey("ticket", "7", "2026-01-02T03:04:06Z")).not.toBe(key);
    expect(changeKey("ticket", "8", "2026-01-02T03:04:05Z")).not.toBe(key);
    expect(changeKey("contact", "7", "2026-01-02T03:04:05Z")).not.toBe(key);
  });
});
