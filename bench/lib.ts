// Small helpers shared by the benchmark scripts: percentiles, a printed table and one JSON line.
import os from "node:os";
import { spawn, type ChildProcess } from "node:child_process";

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function summarize(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
}

/** Prints rows as an aligned table, then the whole result as one JSON line (for scripts and the README). */
export function report(name: string, rows: Record<string, string | number>[], extra: Record<string, unknown> = {}): void {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ");
  console.log(`\n${name}`);
  console.log(line(columns));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of rows) console.log(line(columns.map((c) => String(row[c] ?? ""))));
  console.log(JSON.stringify({ bench: name, date: new Date().toISOString(), cpus: navigatorCpus(), rows, ...extra }));
}

function navigatorCpus(): number {
  return os.cpus().length;
}

export { freePort } from "@/lib/net/free-port";

/** Polls a URL until it answers (any HTTP status), returning the elapsed milliseconds. */
export async function waitForHttp(url: string, timeoutMs: number, started = performance.now()): Promise<number> {
  for (;;) {
    try {
      await fetch(url, { redirect: "manual" });
      return performance.now() - started;
    } catch {
      if (performance.now() - started > timeoutMs) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/** Starts `npm start`'s launcher (production build) with the given environment. */
export function startHookline(env: Record<string, string | undefined>): ChildProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, HOOKLINE_LOG_LEVEL: "warn", ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete childEnv[key];
  // BENCH_PROFILE_DIR: the launcher runs under `node --cpu-prof` (the profile is written when it stops).
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const [command, args] = profileDir
    ? ["node", ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, "--import", "tsx", "scripts/start.ts"]]
    : ["npx", ["--no-install", "tsx", "scripts/start.ts"]];
  return spawn(command, args, { env: childEnv, stdio: ["ignore", "inherit", "inherit"], detached: true });
}

/** Stops a process group started with `detached: true` and waits for it. */
export async function stopGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGINT"): Promise<void> {
  if (child.exitCode !== null || !child.pid) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(-child.pid, signal);
  await exited;
}
