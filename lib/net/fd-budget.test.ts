import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { connectionBudget, FILE_HEADROOM, MIN_CONNECTIONS, openDescriptorCount, parseOpenFileLimit, readOpenFileLimit } from "@/lib/net/fd-budget";

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes`;

describe("the open-file limit", () => {
  it("is read from /proc/<pid>/limits", () => {
    expect(parseOpenFileLimit(LIMITS)).toEqual({ soft: 1024, hard: 524288 });
    expect(parseOpenFileLimit(LIMITS.replace("1024                 524288", "unlimited            unlimited"))).toBeNull();
    expect(parseOpenFileLimit("")).toBeNull();
  });

  it("is raised from soft to hard by Node.js itself at start (so Hookline need not)", () => {
    const limit = readOpenFileLimit();
    expect(limit).not.toBeNull();
    const child = spawnSync("bash", ["-c", `ulimit -Sn 1024 && ulimit -Sn && "${process.execPath}" -e 'process.stdout.write(require("fs").readFileSync("/proc/self/limits","utf8"))'`], { encoding: "utf8" });
    const [shellSoft, ...rest] = child.stdout.split("\n");
    expect(shellSoft).toBe("1024");
    expect(parseOpenFileLimit(rest.join("\n"))).toEqual({ soft: limit!.hard, hard: limit!.hard });
  });

  it("counts this process's open descriptors", () => {
    expect(openDescriptorCount()).toBeGreaterThan(3);
  });
});

describe("the connection budget", () => {
  const limit = { soft: 20_000, hard: 20_000 };

  it("reserves the descriptors open now, the outbound sockets and a headroom", () => {
    const budget = connectionBudget({ limit, openNow: 300, outboundSockets: 81, configured: undefined });
    expect(budget.total).toBe(20_000 - 300 - 81 - FILE_HEADROOM);
    expect(budget.belowMinimum).toBe(false);
  });

  it("takes HOOKLINE_MAX_CONNECTIONS as an upper bound only", () => {
    expect(connectionBudget({ limit, openNow: 300, outboundSockets: 81, configured: 2_000 }).total).toBe(2_000);
    expect(connectionBudget({ limit, openNow: 300, outboundSockets: 81, configured: 50_000 }).total).toBe(20_000 - 300 - 81 - FILE_HEADROOM);
  });

  it("never goes below the minimum, and says so", () => {
    const budget = connectionBudget({ limit: { soft: 256, hard: 256 }, openNow: 100, outboundSockets: 81, configured: undefined });
    expect(budget).toMatchObject({ total: MIN_CONNECTIONS, belowMinimum: true });
  });

  it("falls back to a fixed cap where no limit can be read", () => {
    expect(connectionBudget({ limit: null, openNow: null, outboundSockets: 81, configured: undefined }).total).toBe(10_000);
    expect(connectionBudget({ limit: null, openNow: null, outboundSockets: 81, configured: 500 }).total).toBe(500);
  });
});
