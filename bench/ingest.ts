// Ingest throughput: Hookline's webhook endpoint (production build, worker processing and delivering,
// the request stored durably before the 2xx) against a bare node:http server doing one pg INSERT of
// the body per request into the same PostgreSQL, at increasing concurrency. Each run starts with the
// pipeline empty; after Hookline's run the bench times how long processing and delivery take to catch
// up, which gives the sustained rate (received AND delivered): requests / (load s + catch-up s).
// Webhooks go round-robin to BENCH_INSTANCES instances (20 by default): a Hookline serving many
// tenants, each delivered in its own lane (one instance alone is held to its lane's cap of 4 in flight).
// Targets: ingest ratio ≥ 0.8 at 20 connections; sustained ≥ 0.35 of the baseline.
import autocannon from "autocannon";
import { startBaseline } from "./baseline-server";
import { freePort, report } from "./lib";
import { waitForEmptyPipeline, waitForQuietDatabase } from "./queue-depth";
import { campaignMonitorBody, startBenchHookline, startReceiver } from "./setup";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const levels = (process.env.BENCH_CONNECTIONS ?? "1,20,64").split(",").map(Number);

type Run = { rps: number; total: number; p50: number; p99: number; non2xx: number; errors: number };

async function load(urls: string[], connections: number, body: string): Promise<Run> {
  const base = new URL(urls[0]!);
  const result = await autocannon({
    url: base.origin,
    connections,
    duration: seconds,
    // Each connection cycles through the instances' URLs.
    requests: urls.map((url) => ({ method: "POST" as const, path: `${new URL(url).pathname}${new URL(url).search}`, headers: { "content-type": "application/json" }, body })),
    // Every webhook a body of its own: a repeated body would be stored as a DUPLICATE and not delivered.
    idReplacement: true,
  });
  return { rps: Math.round(result.requests.average), total: result.requests.total, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

const receiver = await startReceiver();
// BENCH_WORKER=false measures ingest alone (deliveries then wait in the queue).
const worker = process.env.BENCH_WORKER ?? "true";
const instances = Number(process.env.BENCH_INSTANCES ?? 20);
const hookline = await startBenchHookline({ callbackUrl: receiver.url, env: { HOOKLINE_WORKER: worker }, instances });
const baseline = await startBaseline(hookline.databaseUrl, await freePort());
const body = campaignMonitorBody("bench-[<id>]");
const rows: Record<string, string | number>[] = [];
try {
  // Warm both (JIT, pools) before measuring.
  await load(hookline.webhookUrls, 8, body);
  await load([baseline.url], 8, body);
  const settle = () => (worker === "false" ? Promise.resolve({ backlog: 0, seconds: 0 }) : waitForEmptyPipeline(hookline.databaseUrl));
  await settle();
  for (const connections of levels) {
    // Each run starts on a quiet database: no checkpoint or upkeep left over from the one before.
    await waitForQuietDatabase(hookline.databaseUrl);
    const h = await load(hookline.webhookUrls, connections, body);
    // What the worker had not delivered yet when the load stopped, and how fast it caught up.
    const after = await settle();
    await waitForQuietDatabase(hookline.databaseUrl);
    const b = await load([baseline.url], connections, body);
    rows.push({
      connections,
      "hookline req/s": h.rps,
      "baseline req/s": b.rps,
      ratio: (h.rps / b.rps).toFixed(2),
      "hookline p50/p99 ms": `${h.p50}/${h.p99}`,
      "baseline p50/p99 ms": `${b.p50}/${b.p99}`,
      "hookline non-2xx": h.non2xx + h.errors,
      ...(worker === "false"
        ? {}
        : {
            "backlog at end": after.backlog,
            "caught up in s": after.seconds.toFixed(1),
            "sustained/s": Math.round(h.total / (seconds + after.seconds)),
            "sustained ratio": (h.total / (seconds + after.seconds) / b.rps).toFixed(2),
          }),
    });
  }
} finally {
  await baseline.stop();
  await hookline.stop();
  await receiver.close();
}
report("ingest", rows, { seconds, worker, instances, target: "ratio >= 0.8 at 20 connections, sustained ratio >= 0.35" });
