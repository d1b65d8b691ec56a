import { readdirSync, readFileSync } from "node:fs";

/**
 * How many client connections the web server may hold: what the process's open-file limit leaves once
 * the descriptors already open (Next.js's files, logs, pipes), the database pools' sockets and outgoing
 * deliveries are reserved. Without this reserve, 20 000 slow connections took every descriptor and the
 * pools' next connect failed with EMFILE (/instances answered 500).
 *
 * The soft limit is already raised to the hard limit by Node.js itself at start (node.cc raises
 * RLIMIT_NOFILE; a shell with `ulimit -Sn 1024` still gives a node process its hard limit), so it is
 * only read here, from /proc/self/limits (Node 20 has no `process.getrlimit`).
 */

export type OpenFileLimit = { soft: number; hard: number };

/** The "Max open files" line of /proc/<pid>/limits; null when absent (not Linux) or unlimited. */
export function parseOpenFileLimit(limitsText: string): OpenFileLimit | null {
  const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(limitsText);
  if (!match || match[1] === "unlimited") return null;
  const soft = Number(match[1]);
  return { soft, hard: match[2] === "unlimited" ? Number.POSITIVE_INFINITY : Number(match[2]) };
}

export function readOpenFileLimit(): OpenFileLimit | null {
  try {
    return parseOpenFileLimit(readFileSync("/proc/self/limits", "utf8"));
  } catch {
    return null;
  }
}

/** Descriptors this process has open now, or null where /proc is not there. */
export function openDescriptorCount(): number | null {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return null;
  }
}

/** Left free for files opened later (Next.js chunks and pages, logs, DNS, child processes' pipes). */
export const FILE_HEADROOM = 512;
/** Connections are never capped below this, however low the limit; a warning says so. */
export const MIN_CONNECTIONS = 64;

export type BudgetInput = {
  limit: OpenFileLimit | null;
  openNow: number | null;
  /** Sockets the process may open itself: database pools at their maximum, deliveries, provider calls. */
  outboundSockets: number;
  /** `HOOKLINE_MAX_CONNECTIONS`: an upper bound, never above what the descriptors allow. */
  configured: number | undefined;
};

export type Budget = { total: number; derived: number | null; belowMinimum: boolean };

/** The total connection cap: min(configured, limit − open now − outbound − headroom), at least MIN_CONNECTIONS. */
export function connectionBudget({ limit, openNow, outboundSockets, configured }: BudgetInput): Budget {
  const derived = limit === null ? null : limit.soft - (openNow ?? 0) - outboundSockets - FILE_HEADROOM;
  const wanted = Math.min(configured ?? Number.POSITIVE_INFINITY, derived ?? Number.POSITIVE_INFINITY);
  // No limit known and none configured: the default of a typical Linux hard limit's share.
  const total = Number.isFinite(wanted) ? wanted : 10_000;
  return { total: Math.max(MIN_CONNECTIONS, Math.floor(total)), derived, belowMinimum: total < MIN_CONNECTIONS };
}
