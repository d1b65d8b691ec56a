import { describe, expect, it } from "vitest";
import { formatExactTime, formatRelativeTime } from "@/lib/format";

describe("formatRelativeTime", () => {
  const now = new Date("2026-11-25T12:00:00Z");
  const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);

  it("rounds to the largest whole unit", () => {
    expect(formatRelativeTime(ago(5), now)).toBe("just now");
    expect(formatRelativeTime(ago(90), now)).toBe("1 minute ago");
    expect(formatRelativeTime(ago(2 * 3600 + 5), now)).toBe("2 hours ago");
    expect(formatRelativeTime(ago(26 * 3600), now)).toBe("yesterday");
    expect(formatRelativeTime(ago(15 * 24 * 3600), now)).toBe("2 weeks ago");
    expect(formatRelativeTime(ago(400 * 24 * 3600), now)).toBe("last year");
  });

  it("treats a time slightly in the future (clock skew) as now or ahead", () => {
    expect(formatRelativeTime(new Date(now.getTime() + 3000), now)).toBe("just now");
    expect(formatRelativeTime(new Date(now.getTime() + 120_000), now)).toBe("in 2 minutes");
  });
});

describe("formatExactTime", () => {
  it("prints UTC to the second", () => {
    expect(formatExactTime(new Date("2026-11-25T14:03:09.123Z"))).toBe("2026-11-25 14:03:09 UTC");
  });
});
