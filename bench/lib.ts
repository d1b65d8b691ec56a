// Small helpers shared by the benchmark scripts: percentiles, a printed table and one JSON line.
import os from "node:os";

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

export { startHookline, stopGroup, waitForHttp } from "@/tests/helpers/hookline-process";
