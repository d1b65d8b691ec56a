import { afterEach, describe, expect, it, vi } from "vitest";
import { resetEnv } from "@/lib/env";
import { readOpenFileLimit } from "@/lib/net/fd-budget";
import { connectionLimits } from "@/lib/runtime/connection-limits";

// The caps scripts/start.ts gives the connection gate, from HOOKLINE_MAX_CONNECTIONS(_PER_ADDRESS),
// HOOKLINE_TRUST_PROXY and this process's open-file limit.

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnv();
});

function limitsWith(values: Record<string, string | undefined>) {
  for (const [name, value] of Object.entries(values)) vi.stubEnv(name, value);
  resetEnv();
  return connectionLimits();
}

describe("connectionLimits", () => {
  it("keeps the total below this process's open-file limit, with 256 per address by default", () => {
    const limits = limitsWith({ HOOKLINE_MAX_CONNECTIONS: undefined, HOOKLINE_MAX_CONNECTIONS_PER_ADDRESS: undefined, HOOKLINE_TRUST_PROXY: undefined });
    const soft = readOpenFileLimit()!.soft;
    expect(limits.total).toBeLessThan(soft - 512);
    expect(limits.perAddress).toBe(Math.min(256, limits.total));
  });

  it("takes the configured caps, the total only as an upper bound", () => {
    expect(limitsWith({ HOOKLINE_MAX_CONNECTIONS: "1500", HOOKLINE_MAX_CONNECTIONS_PER_ADDRESS: "40" })).toMatchObject({ total: 1500, perAddress: 40 });
    expect(limitsWith({ HOOKLINE_MAX_CONNECTIONS: "1000000", HOOKLINE_MAX_CONNECTIONS_PER_ADDRESS: undefined }).total).toBeLessThan(readOpenFileLimit()!.soft);
  });

  it("has no separate per-address cap behind a trusted proxy, unless one is set", () => {
    expect(limitsWith({ HOOKLINE_MAX_CONNECTIONS: "1500", HOOKLINE_MAX_CONNECTIONS_PER_ADDRESS: undefined, HOOKLINE_TRUST_PROXY: "true" })).toMatchObject({ total: 1500, perAddress: 1500 });
    expect(limitsWith({ HOOKLINE_MAX_CONNECTIONS: "1500", HOOKLINE_MAX_CONNECTIONS_PER_ADDRESS: "300", HOOKLINE_TRUST_PROXY: "true" }).perAddress).toBe(300);
  });

  it("refuses a cap that is not a positive whole number, naming the variable", () => {
    expect(() => limitsWith({ HOOKLINE_MAX_CONNECTIONS: "lots" })).toThrow(/HOOKLINE_MAX_CONNECTIONS/);
    expect(() => limitsWith({ HOOKLINE_MAX_CONNECTIONS: "1000", HOOKLINE_MAX_CONNECTIONS_PER_ADDRESS: "0" })).toThrow(/HOOKLINE_MAX_CONNECTIONS_PER_ADDRESS/);
  });
});
