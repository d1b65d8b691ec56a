import { describe, expect, it } from "vitest";
import { createState, hashState, isDraftExpired, isStateExpired, STATE_TTL_MS, zState } from "@/lib/oauth/state";

describe("OAuth state", () => {
  it("is random, url-safe and accepted by its own schema", () => {
    const a = createState();
    const b = createState();
    expect(a).not.toBe(b);
    expect(zState.safeParse(a).success).toBe(true);
    expect(zState.safeParse("forged").success).toBe(false);
    expect(zState.safeParse(`${a}!`).success).toBe(false);
  });

  it("is stored as a SHA-256 hash that does not contain it", () => {
    const state = createState();
    const hash = hashState(state);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(hashState(state));
    expect(hash).not.toContain(state);
    expect(hashState(createState())).not.toBe(hash);
  });

  it("expires 10 minutes after the flow started; drafts last a day", () => {
    const now = new Date("2026-01-01T12:00:00Z");
    expect(isStateExpired(new Date(now.getTime() - STATE_TTL_MS + 1000), now)).toBe(false);
    expect(isStateExpired(new Date(now.getTime() - STATE_TTL_MS), now)).toBe(true);
    expect(isStateExpired(new Date(now.getTime() - 11 * 60 * 1000), now)).toBe(true);
    expect(isDraftExpired(new Date(now.getTime() - 11 * 60 * 1000), now)).toBe(false);
    expect(isDraftExpired(new Date(now.getTime() - 25 * 60 * 60 * 1000), now)).toBe(true);
  });
});
