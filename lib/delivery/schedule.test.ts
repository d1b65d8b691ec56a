import { describe, expect, it } from "vitest";
import { DEFAULT_SCHEDULE, nextDelaySeconds } from "@/lib/delivery/schedule";

describe("nextDelaySeconds", () => {
  it("follows the schedule with ±20 % jitter, then stops", () => {
    expect(nextDelaySeconds(DEFAULT_SCHEDULE, 0, () => 0)).toBeCloseTo(4);
    expect(nextDelaySeconds(DEFAULT_SCHEDULE, 0, () => 1)).toBeCloseTo(6);
    expect(nextDelaySeconds(DEFAULT_SCHEDULE, 1, () => 0.5)).toBeCloseTo(30);
    expect(nextDelaySeconds(DEFAULT_SCHEDULE, 9, () => 0.5)).toBeCloseTo(86400);
    expect(nextDelaySeconds(DEFAULT_SCHEDULE, 10)).toBeNull();
  });

  it("is the issue's default: about 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 6 h, 12 h, 24 h", () => {
    expect(DEFAULT_SCHEDULE).toEqual([5, 30, 120, 600, 1800, 3600, 7200, 21600, 43200, 86400]);
  });
});
