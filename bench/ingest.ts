// Ingest throughput: Hookline's webhook endpoint (production build, worker running, durable storage
// and the delivery job in the same commit) against a bare node:http server doing one pg INSERT of
// the body per request into the same PostgreSQL, at increasing concurrency. Target: ratio ≥ 0.8.
import autocannon from "autocannon";
import pg from "pg";
import { startBaseline } from "./baseline-server";
import { freePort, report } from "./lib";
import { campaignMonitorBody, startBenchHookline, startReceiver } from "./setup";

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const levels = (process.env.BENCH_CONNECTIONS ?? "1,16,64").split(",").map(Number);

type Run = { rps: number; p50: number; p99: number; non2xx: number; errors: number };

async function load(url: string, connections: number, body: string): Promise<Run> {
  const result = await autocannon({
    url,
    method: "POST",
    connections,
    duration: seconds,
    headers: { "content-type": "application/json" },
    body,
  });
  return { rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

/**
 * Waits until the worker has delivered every event, so a run starts on an idle machine: deliveries of
 * Hookline's previous run must not slow the baseline down (nor the next level of Hookline's own run).
 * Returns how many were still waiting and how long the worker took to deliver them.
 */
async function drained(databaseUrl: string): Promise<{ backlog: number; seconds: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const started = performance.now();
    const until = Date.now() + 300_000;
    let backlog = -1;
    for (;;) {
      const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM events WHERE status IN ('PENDING', 'RETRYING')");
      const waiting = Number(rows[0]?.n ?? 0);
      if (backlog < 0) backlog = waiting;
      if (waiting === 0 || Date.now() > until) return { backlog, seconds: (performance.now() - started) / 1000 };
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await client.end();
  }
}

const receiver = await startReceiver();
// BENCH_WORKER=false measures ingest alone (deliveries then wait in the queue).
const worker = process.env.BENCH_WORKER ?? "true";
const hookline = await startBenchHookline({ callbackUrl: receiver.url, env: { HOOKLINE_WORKER: worker } });
const baseline = await startBaseline(hookline.databaseUrl, await freePort());
const body = campaignMonitorBody();
const rows: Record<string, string | number>[] = [];
try {
  // Warm both (JIT, pools) before measuring.
  await load(hookline.webhookUrl, 8, body);
  await load(baseline.url, 8, body);
  const settle = () => (worker === "false" ? Promise.resolve({ backlog: 0, seconds: 0 }) : drained(hookline.databaseUrl));
  await settle();
  for (const connections of levels) {
    const h = await load(hookline.webhookUrl, connections, body);
    // What the worker had not delivered yet when the load stopped, and how fast it caught up.
    const after = await settle();
    const b = await load(baseline.url, connections, body);
    rows.push({
      connections,
      "hookline req/s": h.rps,
      "baseline req/s": b.rps,
      ratio: (h.rps / b.rps).toFixed(2),
      "hookline p50/p99 ms": `${h.p50}/${h.p99}`,
      "baseline p50/p99 ms": `${b.p50}/${b.p99}`,
      "hookline non-2xx": h.non2xx + h.errors,
      ...(worker === "false" ? {} : { "backlog at end": after.backlog, "drained in s": after.seconds.toFixed(1) }),
    });
  }
} finally {
  await baseline.stop();
  await hookline.stop();
  await receiver.close();
}
report("ingest", rows, { seconds, worker, target: "ratio >= 0.8" });
