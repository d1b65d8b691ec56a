import { describe, expect, it } from "vitest";
import { cleanMessage, describeAnswer, joinFailures, listValue, mapLimit, registerScopes } from "@/lib/connectors/subscriptions/shared";

describe("subscription helpers", () => {
  it("reads a list value as distinct trimmed items", () => {
    expect(listValue(" a, b,,a ,c ")).toEqual(["a", "b", "c"]);
    expect(listValue(["x", " y "])).toEqual(["x", "y"]);
    expect(listValue(undefined)).toEqual([]);
  });

  it("makes provider text one bounded line", () => {
    expect(cleanMessage("  bad\n\tthing\u0007 ")).toBe("bad thing");
    expect(cleanMessage("x".repeat(400))).toHaveLength(300);
    expect(cleanMessage({ message: "no" })).toBeUndefined();
  });

  it("summarizes an answer with the status and what the provider said, ending in one full stop", () => {
    const response = { status: 400, body: null };
    expect(describeAnswer("MailChimp", response, "Invalid Resource", "creating the webhook")).toBe("MailChimp answered 400 when creating the webhook: Invalid Resource.");
    expect(describeAnswer("MailChimp", response, "Done.", "x")).toBe("MailChimp answered 400 when x: Done.");
    expect(describeAnswer("MailChimp", response, undefined, "x")).toBe("MailChimp answered 400 when x.");
  });

  it("joins distinct failures", () => {
    expect(joinFailures(["a", "a", "b", "c"])).toBe("a (and 2 more failures)");
    expect(joinFailures(["a", "a"])).toBe("a");
    expect(joinFailures([])).toBe("");
  });

  it("limits concurrency and keeps the order of results", async () => {
    let running = 0;
    let peak = 0;
    const results = await mapLimit([5, 1, 3, 2, 4], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, n));
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 30, 20, 40]);
    expect(peak).toBe(2);
  });

  it("keeps recorded scopes, creates missing ones, and reports what exists after a partial failure", async () => {
    const created: string[] = [];
    const result = await registerScopes(["a", "b", "c"], [{ id: "1", scope: "a" }, { id: "9", scope: "gone" }], async (scope) => {
      created.push(scope);
      return scope === "c" ? { ok: false, reason: "c failed" } : { ok: true, id: `id-${scope}` };
    });
    expect(created).toEqual(["b", "c"]);
    expect(result).toEqual({ ok: false, reason: "c failed", subscriptions: [{ id: "1", scope: "a" }, { id: "id-b", scope: "b" }] });
  });
});
