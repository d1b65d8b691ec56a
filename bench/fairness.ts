// Noisy neighbour: does one instance's backlog, slow receiver or dead receiver delay another's events?
// Instance A has 5,000 events queued for a receiver that answers after 300 ms; instance C has 5,000 for
// a receiver that refuses connections; instance B's single events, sent 10 times one second apart, are
// timed from POST to arrival at B's receiver. Target: B p99 ≤ 500 ms.
import http from "node:http";
import autocannon from "autocannon";
import pg from "pg";
import { launchHookline } from "@/tests/helpers/hookline-process";
import { freePort, report, summarize } from "./lib";
import { pipelineBacklog } from "./queue-depth";
import { campaignMonitorBody, createCampaignMonitorInstance, startReceiver } from "./setup";

const QUEUED = Number(process.env.BENCH_QUEUED ?? 5000);
const SINGLES = 10;
const GIVE_UP_MS = 30_000;

/** A receiver that answers 200 after `delayMs`. */
async function slowReceiver(delayMs: number) {
  const port = await freePort();
  let answered = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => setTimeout(() => res.writeHead(200).end("ok", () => (answered += 1)), delayMs));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${port}/slow`, answered: () => answered, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const arrivals = new Map<string, number>();
const quiet = await startReceiver((body, at) => {
  const tag = /"EmailAddress":"(b-\d+)@/.exec(body.toString("utf8"))?.[1];
  if (tag) arrivals.set(tag, at);
});
const slow = await slowReceiver(300);
const deadUrl = `http://127.0.0.1:${await freePort()}/nobody-listens`;
const hookline = await launchHookline({});
const db = new pg.Client({ connectionString: hookline.databaseUrl });
await db.connect();
const rows: Record<string, string | number>[] = [];
try {
  const a = await createCampaignMonitorInstance(hookline, slow.url);
  const b = await createCampaignMonitorInstance(hookline, quiet.url);
  const c = await createCampaignMonitorInstance(hookline, deadUrl);
  const flood = (url: string) =>
    autocannon({ url, method: "POST", connections: 32, amount: QUEUED, headers: { "content-type": "application/json" }, body: campaignMonitorBody("flood-[<id>]"), idReplacement: true });
  const started = performance.now();
  const [floodA, floodC] = await Promise.all([flood(a.webhookUrl), flood(c.webhookUrl)]);
  const floodSeconds = (performance.now() - started) / 1000;

  const latencies: number[] = [];
  for (let i = 0; i < SINGLES; i++) {
    const tag = `b-${i}`;
    const sent = performance.now();
    const response = await fetch(b.webhookUrl, { method: "POST", headers: { "content-type": "application/json" }, body: campaignMonitorBody(tag) });
    if (!response.ok) throw new Error(`B's webhook answered ${response.status}`);
    while (!arrivals.has(tag) && performance.now() - sent < GIVE_UP_MS) await new Promise((r) => setTimeout(r, 5));
    latencies.push(arrivals.has(tag) ? arrivals.get(tag)! - sent : Infinity);
    const wait = 1000 - (performance.now() - sent);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const b50 = summarize(latencies);
  const backlog = await pipelineBacklog(db);
  const { rows: attempts } = await db.query<{ instance_id: number; n: number }>(
    "SELECT e.instance_id, count(*)::int AS n FROM delivery_attempts a JOIN events e ON e.id = a.event_id GROUP BY 1",
  );
  const { rows: lanes } = await db.query<{ instance_id: number; state: string }>("SELECT instance_id, state::text FROM delivery_lanes");
  const attemptsOf = (id: number) => attempts.find((r) => r.instance_id === id)?.n ?? 0;
  rows.push({
    "A+C flood (webhooks)": `${floodA.requests.total}+${floodC.requests.total} in ${floodSeconds.toFixed(1)} s`,
    "B delivered": `${latencies.filter(Number.isFinite).length}/${SINGLES}`,
    "B p50 ms": Number.isFinite(b50.p50) ? b50.p50.toFixed(0) : `>${GIVE_UP_MS}`,
    "B p99 ms": Number.isFinite(b50.p99) ? b50.p99.toFixed(0) : `>${GIVE_UP_MS}`,
    "B max ms": Number.isFinite(b50.max) ? b50.max.toFixed(0) : `>${GIVE_UP_MS}`,
    "A delivered meanwhile": slow.answered(),
    "C attempts": attemptsOf(c.id),
    "C lane": lanes.find((l) => l.instance_id === c.id)?.state ?? "-",
    "still waiting (requests/deliveries)": `${backlog.requests}/${backlog.deliveries}`,
  });
} finally {
  await db.end();
  await hookline.stop();
  await Promise.all([quiet.close(), slow.close()]);
}
report("fairness", rows, { queued: QUEUED, singles: SINGLES, target: "B p99 <= 500 ms" });
