import { describe, expect, it } from "vitest";
import { isUuid, uuidv7 } from "@/lib/events/ids";

describe("uuidv7", () => {
  it("makes version-7, RFC-variant UUIDs that carry the time", () => {
    const id = uuidv7(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe("7");
    expect(["8", "9", "a", "b"]).toContain(id[19]);
    expect(parseInt(id.replace(/-/g, "").slice(0, 12), 16)).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
  });

  it("sorts in creation order, even many in one millisecond and when the clock steps back", () => {
    const now = Date.now() + 10_000;
    const ids = [
      ...Array.from({ length: 5000 }, () => uuidv7(now)),
      uuidv7(now - 5000),
      uuidv7(now + 1),
    ];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("draws fresh random bits for every id, across refills of its random pool", () => {
    const now = Date.now() + 20_000;
    // 1000 ids share the millisecond: only their random 62 bits (after the variant) tell them apart.
    const tails = Array.from({ length: 1000 }, () => uuidv7(now).replace(/-/g, "").slice(17));
    expect(new Set(tails).size).toBe(tails.length);
  });
});
