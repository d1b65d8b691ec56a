import { describe, expect, it } from "vitest";
import { nextPollDelaySeconds } from "@/lib/polling/poller";
import { retryAfterSeconds } from "@/lib/polling/provider-pages";

const ok = { results: [], failed: false };
const failed = { results: [], failed: true };

describe("when an instance is polled next", () => {
  it("after a good poll: its interval", () => {
    expect(nextPollDelaySeconds(ok, 900, 0)).toBe(900);
    expect(nextPollDelaySeconds(ok, 900, 5)).toBe(900);
  });

  it("after failures: backing off, never sooner than the interval, at most 6 h", () => {
    expect([0, 1, 2, 3, 4, 5].map((failures) => nextPollDelaySeconds(failed, 60, failures))).toEqual([60, 120, 240, 480, 960, 1920]);
    expect(nextPollDelaySeconds(failed, 900, 0)).toBe(900);
    expect(nextPollDelaySeconds(failed, 900, 20)).toBe(6 * 3600);
  });

  it("after a 429: when the provider said", () => {
    expect(nextPollDelaySeconds({ ...failed, retryAfterSeconds: 120 }, 900, 3)).toBe(120);
  });
});

describe("Retry-After", () => {
  const now = Date.parse("2026-12-06T12:00:00Z");
  it("reads seconds and HTTP dates, within 1 s and an hour; a minute when missing or unreadable", () => {
    expect(retryAfterSeconds("30", now)).toBe(30);
    expect(retryAfterSeconds("Sun, 06 Dec 2026 12:02:00 GMT", now)).toBe(120);
    expect(retryAfterSeconds("0", now)).toBe(1);
    expect(retryAfterSeconds("86400", now)).toBe(3600);
    expect(retryAfterSeconds(undefined, now)).toBe(60);
    expect(retryAfterSeconds("soon", now)).toBe(60);
  });
});
