import { describe, expect, it } from "vitest";
import type { EventLogRow } from "@/lib/live-log/schema";
import { appendPage, applyStreamRows, initialLogState, MAX_ROWS, nextCursorOf, releaseHeld } from "@/lib/live-log/state";

let sequence = 0;
function row(second: number, overrides: Partial<EventLogRow> = {}): EventLogRow {
  sequence += 1;
  return {
    id: `id-${String(second).padStart(6, "0")}-${String(sequence).padStart(6, "0")}`,
    eventId: `e${sequence}`,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 0) + second * 1000).toISOString(),
    instanceId: 1,
    instanceName: "i",
    elementKey: "campaignmonitor",
    connector: { name: "Campaign Monitor", monogram: "CM", color: "#000" },
    eventType: "CREATED",
    eventTypes: ["CREATED"],
    objectType: "subscriber",
    objectId: null,
    eventCount: 1,
    unrecognized: null,
    status: "PENDING",
    attempts: 0,
    lastStatusCode: null,
    latencyMs: null,
    deliveredAt: null,
    nextAttemptAt: null,
    test: false,
    source: "WEBHOOK",
    ...overrides,
  };
}

const ids = (rows: EventLogRow[]) => rows.map((r) => r.id);

describe("the client's event list", () => {
  it("adds new rows in order, updates shown ones in place and skips what is below the loaded window", () => {
    const [r30, r20, r10] = [row(30), row(20), row(10)];
    const state = initialLogState({ rows: [r30, r20], nextCursor: "more" });
    const newer = row(40);
    const result = applyStreamRows(state, { rows: [{ ...r20, status: "DELIVERED", attempts: 1 }, newer, r10] }, { paused: false });
    expect(ids(result.state.rows)).toEqual([newer.id, r30.id, r20.id]);
    expect(result.state.rows[2]!.status).toBe("DELIVERED");
    expect(result.added).toEqual([newer.id]);
    // Everything loaded: an older row belongs in the list.
    const all = applyStreamRows(initialLogState({ rows: [r30], nextCursor: null }), { rows: [r10] }, { paused: false });
    expect(ids(all.state.rows)).toEqual([r30.id, r10.id]);
  });

  it("adds only rows of the status filter, but keeps updating a shown row that stops matching", () => {
    const dead = row(10, { status: "DEAD" });
    const state = initialLogState({ rows: [dead], nextCursor: null });
    const result = applyStreamRows(state, { rows: [row(20, { status: "DELIVERED" }), { ...dead, status: "DELIVERED" }] }, { status: "DEAD", paused: false });
    expect(ids(result.state.rows)).toEqual([dead.id]);
    expect(result.state.rows[0]!.status).toBe("DELIVERED");
  });

  it("holds new rows while paused, keeps them current, and shows them on resume", () => {
    const shown = row(10);
    const paused = applyStreamRows(initialLogState({ rows: [shown], nextCursor: null }), { rows: [row(20)] }, { paused: true });
    expect(ids(paused.state.rows)).toEqual([shown.id]);
    expect(paused.state.held).toHaveLength(1);
    const held = paused.state.held[0]!;
    const updated = applyStreamRows(paused.state, { rows: [{ ...held, status: "DELIVERED" }, { ...shown, attempts: 2 }] }, { paused: true });
    expect(updated.state.held[0]!.status).toBe("DELIVERED");
    expect(updated.state.rows[0]!.attempts).toBe(2);
    const resumed = releaseHeld(updated.state);
    expect(ids(resumed.state.rows)).toEqual([held.id, shown.id]);
    expect(resumed.added).toEqual([held.id]);
  });

  it("after a truncated catch-up keeps only what is contiguous and loads the rest from there", () => {
    const old = row(5);
    const state = initialLogState({ rows: [old], nextCursor: null });
    const [c3, c2, c1] = [row(300), row(200), row(100)];
    const result = applyStreamRows(state, { rows: [c3, c2, c1], truncatedAt: { createdAt: c1.createdAt, id: c1.id } }, { paused: false });
    expect(ids(result.state.rows)).toEqual([c3.id, c2.id, c1.id]);
    expect(nextCursorOf(result.state)).not.toBeNull();
  });

  it("keeps at most MAX_ROWS rows, moving the load-more boundary up", () => {
    const many = Array.from({ length: MAX_ROWS + 10 }, (_, i) => row(1000 + i));
    const result = applyStreamRows(initialLogState({ rows: [], nextCursor: null }), { rows: many }, { paused: false });
    expect(result.state.rows).toHaveLength(MAX_ROWS);
    expect(result.state.rows[0]!.createdAt > result.state.rows[MAX_ROWS - 1]!.createdAt).toBe(true);
    expect(result.state.boundary).toEqual({ createdAt: result.state.rows[MAX_ROWS - 1]!.createdAt, id: result.state.rows[MAX_ROWS - 1]!.id });
  });

  it("appends the next page below without repeating rows", () => {
    const [a, b, c] = [row(30), row(20), row(10)];
    const state = initialLogState({ rows: [a, b], nextCursor: "x" });
    const next = appendPage(state, { rows: [b, c], nextCursor: null });
    expect(ids(next.rows)).toEqual([a.id, b.id, c.id]);
    expect(next.boundary).toBeNull();
  });
});
