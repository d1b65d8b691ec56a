// Cold start: a fresh data folder → embedded PostgreSQL initialised + migrations + server answering.
// Needs a production build (run `npm run build` first; the launcher would otherwise build and the
// figure would measure the build). Target: ≤ 5 s. Also times a warm restart on the same folder.
import { existsSync } from "node:fs";
import { mkdtemp, rm, chmod } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort, report, startHookline, stopGroup, waitForHttp } from "./lib";

const distDir = process.env.HOOKLINE_NEXT_DIST_DIR || ".next";
if (!existsSync(path.join(distDir, "BUILD_ID"))) {
  console.error(`No production build in ${distDir}: run \`npm run build\` first.`);
  process.exit(2);
}

const rows: Record<string, string | number>[] = [];
const dataDir = await mkdtemp(path.join(os.tmpdir(), "hookline-bench-cold-"));
await chmod(dataDir, 0o755);
try {
  for (const run of ["cold (new data folder)", "warm (same folder)"]) {
    const port = await freePort();
    const started = performance.now();
    const child = startHookline({ PORT: String(port), HOOKLINE_DATA_DIR: dataDir, DATABASE_URL: undefined });
    const ms = await waitForHttp(`http://127.0.0.1:${port}/login`, 120_000, started);
    rows.push({ run, "ready ms": Math.round(ms) });
    await stopGroup(child);
  }
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
report("cold-start", rows, { targetMs: 5000 });
