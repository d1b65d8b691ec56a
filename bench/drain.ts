// Backlog drain and scale-out: 20,000 stored webhooks (20 instances, one lane each) wait while no worker
// runs; then 1, and in a second round 2, worker processes (HOOKLINE_WORKER) process and deliver them to
// a local receiver. Reported: processed-and-delivered per second, from the first worker ready to the
// pipeline empty. Target: ≥ 3,000 deliveries/s. Each worker is the one `npm start` runs (scripts/worker.ts).
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { semiSpaceFlag } from "@/lib/runtime/young-generation";
import { launchHookline } from "@/tests/helpers/hookline-process";
import { report } from "./lib";
import { pipelineBacklog, waitForEmptyPipeline } from "./queue-depth";
import { campaignMonitorBody, createCampaignMonitorInstance, startReceiver } from "./setup";

const TOTAL = Number(process.env.BENCH_BACKLOG ?? 20_000);
const INSTANCES = 20;
const ROUNDS = (process.env.BENCH_WORKERS ?? "1,2").split(",").map(Number);
// BENCH_WATCHER=1: the organization's live log is open (as when someone watches it), so every event
// inserted or changed is also queued for the log's feed, as in production while a log is open.
const WATCHER = process.env.BENCH_WATCHER === "1";

// BENCH_WAL_BREAKDOWN=1 (needs the pg_walinspect extension, PostgreSQL 15+, and a superuser): after each
// phase, the WAL it wrote per webhook by relation (tables, indexes; "commit" for transaction records).
const WAL_BREAKDOWN = process.env.BENCH_WAL_BREAKDOWN === "1";

async function walByRelation(db: pg.Client, from: string, to: string, webhooks: number) {
  const { rows } = await db.query<{ rel: string; bytes: string; records: string }>(
    `SELECT coalesce(pg_filenode_relation(0, substring(block_ref from 'rel [0-9]+/[0-9]+/([0-9]+)')::oid)::regclass::text,
                     CASE WHEN block_ref IS NULL OR block_ref = '' THEN lower(resource_manager) ELSE 'other' END) AS rel,
            sum(record_length)::text AS bytes, count(*)::text AS records
       FROM pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn) GROUP BY 1 ORDER BY sum(record_length) DESC LIMIT 16`,
    [from, to],
  );
  return Object.fromEntries(rows.map((r) => [r.rel, `${Math.round(Number(r.bytes) / webhooks)} B in ${(Number(r.records) / webhooks).toFixed(1)} records`]));
}

// Every process of one Hookline shares the encryption key (the instances' signature keys are encrypted).
const encryptionKey = randomBytes(32).toString("base64");

function spawnWorker(databaseUrl: string): Promise<{ child: ChildProcess; readyAt: number }> {
  const child = fork(path.resolve("scripts/worker.ts"), [], {
    // BENCH_CPU_PROF=<dir>: each worker writes a V8 CPU profile there when it stops.
    execArgv: ["--import", "tsx", semiSpaceFlag("worker"), ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
    env: { ...process.env, DATABASE_URL: databaseUrl, HOOKLINE_ENCRYPTION_KEY: encryptionKey, HOOKLINE_LOG_LEVEL: "warn" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.on("message", (message: { type?: string }) => message.type === "ready" && resolve({ child, readyAt: performance.now() }));
    child.once("exit", (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

let delivered = 0;
const receiver = await startReceiver(() => (delivered += 1));
const hookline = await launchHookline({ env: { HOOKLINE_WORKER: "false", HOOKLINE_ENCRYPTION_KEY: encryptionKey } });
const db = new pg.Client({ connectionString: hookline.databaseUrl });
await db.connect();
const rows: Record<string, string | number>[] = [];
try {
  const instances = [];
  for (let i = 0; i < INSTANCES; i++) instances.push(await createCampaignMonitorInstance(hookline, receiver.url));
  if (WATCHER) {
    await db.query("INSERT INTO live_log_watchers (organization_id, expires_at) SELECT DISTINCT organization_id, now() + interval '1 hour' FROM instances ON CONFLICT DO NOTHING");
  }
  // WAL the server wrote (whole cluster: nothing else runs during a bench), per webhook, for accepting
  // and for processing + delivering: the volume every synchronous commit waits to flush.
  const wal = async () =>
    (await db.query<{ bytes: string; fpi: string; lsn: string }>("SELECT wal_bytes::text AS bytes, wal_fpi::text AS fpi, pg_current_wal_insert_lsn()::text AS lsn FROM pg_stat_wal")).rows[0]!;
  if (WAL_BREAKDOWN) await db.query("CREATE EXTENSION IF NOT EXISTS pg_walinspect");
  for (const workers of ROUNDS) {
    const walStart = await wal();
    await Promise.all(
      instances.map((instance) =>
        autocannon({ url: instance.webhookUrl, method: "POST", connections: 2, amount: TOTAL / INSTANCES, headers: { "content-type": "application/json" }, body: campaignMonitorBody("drain-[<id>]"), idReplacement: true }),
      ),
    );
    const waiting = await pipelineBacklog(db);
    const walStored = await wal();
    delivered = 0;
    const started = await Promise.all(Array.from({ length: workers }, () => spawnWorker(hookline.databaseUrl)));
    const from = Math.min(...started.map((s) => s.readyAt));
    const drained = await waitForEmptyPipeline(hookline.databaseUrl, 600_000);
    const seconds = (performance.now() - from) / 1000;
    await Promise.all(started.map(({ child }) => new Promise((resolve) => child.once("exit", resolve).kill("SIGTERM"))));
    const walDrained = await wal();
    const perWebhook = (from: { bytes: string; fpi: string }, to: { bytes: string; fpi: string }) =>
      `${Math.round((Number(to.bytes) - Number(from.bytes)) / waiting.requests)} (${((Number(to.fpi) - Number(from.fpi)) / waiting.requests).toFixed(2)} FPI)`;
    rows.push({
      "worker processes": workers,
      "stored webhooks": waiting.requests,
      "delivered": delivered,
      "seconds": seconds.toFixed(1),
      "processed+delivered/s": Math.round(waiting.requests / seconds),
      "left": drained.backlog === 0 ? 0 : (await pipelineBacklog(db)).deliveries,
      "WAL bytes per webhook: accept": perWebhook(walStart, walStored),
      "process + deliver": perWebhook(walStored, walDrained),
    });
    if (WAL_BREAKDOWN) {
      console.log(`WAL per webhook by relation, accepting (${workers} worker(s) round):`, await walByRelation(db, walStart.lsn, walStored.lsn, waiting.requests));
      console.log("WAL per webhook by relation, processing and delivering:", await walByRelation(db, walStored.lsn, walDrained.lsn, waiting.requests));
    }
  }
} finally {
  await db.end();
  await hookline.stop();
  await receiver.close();
}
report("drain", rows, { total: TOTAL, instances: INSTANCES, liveLogOpen: WATCHER, target: ">= 3000 deliveries/s" });
