import { describe, expect, it } from "vitest";
import { compareRows, cursorFor, eventLogFiltersToQuery, matchesRowFilters, parseEventLogFilters, type EventLogRow } from "@/lib/live-log/schema";
import { decodeCursor, encodeCursor } from "@/lib/events/schema";

describe("event log filters in the URL", () => {
  it("parses lower-case values, drops invalid ones and writes them back canonically", () => {
    const filters = parseEventLogFilters(
      new URLSearchParams("status=retrying&type=deleted&connector=mailchimpv3&instance=12&range=24h&q=%20test%40example.org%20&extra=1"),
    );
    expect(filters).toEqual({ status: "RETRYING", type: "DELETED", connector: "mailchimpv3", instance: 12, range: "24h", q: "test@example.org" });
    expect(eventLogFiltersToQuery(filters)).toBe("q=test%40example.org&connector=mailchimpv3&instance=12&type=deleted&status=retrying&range=24h");
    expect(parseEventLogFilters({ status: "gone", type: ["created", "deleted"], instance: "-3", range: "2y", q: "ab", connector: "a/b" })).toEqual({
      type: "CREATED",
    });
  });
});

describe("cursors", () => {
  it("builds in the browser the same cursor the server makes and reads", () => {
    const position = { createdAt: "2026-11-25T02:03:04.567Z", id: "01a21073-578b-7003-b265-f7b0806189b8" };
    expect(cursorFor(position)).toBe(encodeCursor({ createdAt: new Date(position.createdAt), id: position.id }));
    expect(decodeCursor(cursorFor(position))).toEqual({ createdAt: new Date(position.createdAt), id: position.id });
  });

  it("orders newest first with the id breaking ties", () => {
    const a = { createdAt: "2026-01-01T00:00:01.000Z", id: "b" };
    const b = { createdAt: "2026-01-01T00:00:01.000Z", id: "a" };
    const c = { createdAt: "2026-01-01T00:00:00.000Z", id: "z" };
    expect([c, b, a].sort(compareRows)).toEqual([a, b, c]);
  });
});

describe("matchesRowFilters", () => {
  it("matches connector, instance and any of the notification's event types", () => {
    const row = { elementKey: "campaignmonitor", instanceId: 3, eventTypes: ["CREATED", "DELETED"] } as EventLogRow;
    expect(matchesRowFilters(row, { type: "DELETED", instance: 3, connector: "campaignmonitor" })).toBe(true);
    expect(matchesRowFilters(row, { type: "UPDATED" })).toBe(false);
    expect(matchesRowFilters(row, { instance: 4 })).toBe(false);
    expect(matchesRowFilters(row, { connector: "hootsuite" })).toBe(false);
  });
});
