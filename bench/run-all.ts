// `npm run bench`: every benchmark in turn, each printing its table and JSON line.
import { spawnSync } from "node:child_process";

const benches = ["cold-start", "ingest", "fairness", "drain", "latency", "event-log"];
let failed = 0;
for (const name of benches) {
  const result = spawnSync("npx", ["--no-install", "tsx", `bench/${name}.ts`], { stdio: "inherit", env: process.env });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
