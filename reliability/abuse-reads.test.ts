// Abusive reads of the live event log against a real server (README, Reliability):
// - 300 SSE streams opened and never read while 15 000 webhooks arrive: each is closed once it falls
//   behind, and memory stays bounded (it once buffered every row for every stream: 2.1 → 7.7 GB);
// - 50 concurrent worst-case searches on 1 M events in tables never analyzed (autovacuum off), from a
//   process of their own (reliability/searchers.ts), while webhooks keep arriving: ingest keeps
//   answering (20 such searches once held every connection ingest used, for 11 minutes).
// The tighter targets are not always met; the bounds below say by how much.
import http from "node:http";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createCampaignMonitorInstance } from "@/bench/setup";
import { startReceiver, type Receiver } from "@/tests/helpers/events";
import { launchHookline, signInCookie, type HooklineProcess } from "@/tests/helpers/hookline-process";
import { seedEvents } from "./bulk-events";
import { MERGED_GIN_INDEXES } from "@/lib/db/gin-pending-lists";
import { queryDatabase } from "./database";
import type { ProbeFigures } from "./ingest-probe";
import { sendEvents } from "./load";
import { forkHelper, killHelpers } from "./processes";
import type { SearchFigures } from "./searchers";

/*
 * Bounds these tests hold, and the hardening issue's targets they do not always meet (the measured
 * figures, dated, are in the README: Performance and Reliability):
 * - memory with 300 paused streams, every process of the app together (edge, console, worker; they
 *   also store, process and deliver the 15,000 webhooks): +100 MB targeted. Unbounded queues grew it by
 *   5.6 GB; 400 MB catches that.
 * - ingest p99 during the searches: 50 ms targeted. Before the read pool, searches held every connection
 *   and ingest stalled up to 58 s; with ingest on the console's event loop, p99 was 1.1–2.8 s. 1 s catches
 *   both, at twice the slowest p99 measured since the edge has its own process (README, Reliability).
 */
const MEMORY_BOUND_MB = 400;
const INGEST_P99_BOUND_MS = 1_000;
/** Seeding 1 M events takes over a minute, longer on a slow CI disk (README, Reliability); then 30 s of searches. */
const SEARCH_TEST_TIMEOUT_MS = 480_000;

/** The scale of the report's incidents; ingest during the searches is one webhook every 20 ms (50/s), each timed. */
const { PAUSED_STREAMS, STREAM_EVENTS, SEEDED_EVENTS, SEARCHERS, ABUSE_MS, INGEST_EVERY_MS } = {
  PAUSED_STREAMS: 300, STREAM_EVENTS: 15_000, SEEDED_EVENTS: 1_000_000, SEARCHERS: 50, ABUSE_MS: 20_000, INGEST_EVERY_MS: 20,
};
/** The probe's niceness while it measures (README, Reliability): a provider's client does not share our cores. */
const PROBE_NICENESS = -10;
/** The searches that cost most: a term in every body (the report's), and terms whose trigrams are common but whose matches are few. */
const WORST_TERMS = ["example", "sub-17@ex", "sub-4242@example.org", "Subscriber 99"];

let hookline: HooklineProcess;
let receiver: Receiver;
let instance: { id: number; webhookUrl: string };
let cookie: string;
let organizationId: string;

beforeAll(async () => {
  receiver = await startReceiver();
  // The per-user stream cap (5 by default, tests/live-log-limits.integration.test.ts) would refuse
  // all but 5 of the paused streams; raised here so what is measured is each stream's bounded queue.
  hookline = await launchHookline({
    logFile: true,
    env: {
      HOOKLINE_MAX_STREAMS_PER_USER: "1000",
      // 300 streams from one test address: above the per-address connection cap (256) of the edge.
      HOOKLINE_MAX_CONNECTIONS_PER_ADDRESS: "2000",
      // The worst case is a server whose tables were never analyzed; Hookline's own upkeep would analyze
      // the bulk-loaded rows within 30 s, so it is off here (as for a user who runs their own).
      HOOKLINE_TABLE_MAINTENANCE: "false",
    },
  });
  instance = await createCampaignMonitorInstance(hookline, receiver.url);
  cookie = await signInCookie(hookline.base, hookline.adminEmail, hookline.adminPassword);
  // Autovacuum off for these tables from the start, as on a server with it off: the embedded PostgreSQL
  // has it on and would analyze them (after the stream test's webhooks, or the bulk load). Hookline's
  // own upkeep is off for this file.
  for (const table of ["webhook_requests", "events"]) await query(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`);
  const rows = await query<{ organization_id: string }>("SELECT organization_id FROM instances WHERE id = $1", [instance.id]);
  organizationId = rows[0]!.organization_id;
});

afterAll(async () => {
  killHelpers();
  await hookline?.stop();
  await receiver?.close();
});

const query = <T extends pg.QueryResultRow>(sql: string, values: unknown[] = []) => queryDatabase<T>(hookline.databaseUrl, sql, values);

const mb = (bytes: number) => Math.round(bytes / 1048576);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens the stream and never reads it: the socket stops reading once its buffer is full, as a paused client does. */
function openPausedStream(): Promise<{ destroy: () => void }> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${hookline.base}/events/stream`, { headers: { cookie, accept: "text/event-stream" }, agent: false }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`stream answered ${response.statusCode}`));
      response.pause();
      resolve({ destroy: () => request.destroy() });
    });
    request.on("error", () => undefined); // destroyed by us at the end
  });
}

/**
 * The 50 searchers in a process of their own (reliability/searchers.ts), so that parsing their answers
 * does not delay this process's probes. Asked to "stop", they answer their figures once their last
 * searches ended.
 */
const searchersProcess = () =>
  forkHelper("searchers", { base: hookline.base, cookie, searchers: SEARCHERS, terms: WORST_TERMS, giveUpMs: 3_000, pauseMs: 500 });

/**
 * The provider (reliability/ingest-probe.ts) in a process of its own, run ahead of Hookline and the
 * searchers for a core where allowed (root): a provider's client does not share our cores, so its own
 * wait for one must not count as ingest's. Asked to "stop", it answers its timings.
 */
const probeProcess = () =>
  forkHelper("ingest-probe", { url: instance.webhookUrl, everyMs: INGEST_EVERY_MS, getEveryMs: 100, firstSeq: 1_000_000 }, PROBE_NICENESS);

const fellBehind = async () => (await hookline.readLog()).split("\n").filter((line) => line.includes("stream fell behind its reader")).length;

it(`keeps memory within +${MEMORY_BOUND_MB} MB, closing ${PAUSED_STREAMS} streams that never read, while ${STREAM_EVENTS} webhooks arrive`, async () => {
  // Warm: the ingest path, the worker, the stream route and the notify hub run once; then the baseline.
  await sendEvents({ url: instance.webhookUrl, total: 3_000, concurrency: 16 });
  (await openPausedStream()).destroy();
  await sleep(2_000);
  const before = await hookline.rss();
  const beforeByProcess = await hookline.rssByProcess();
  const streams = [];
  for (let i = 0; i < PAUSED_STREAMS; i++) streams.push(await openPausedStream());
  await sleep(2_500); // the hub's watcher registration settles
  let peak = await hookline.rss();
  const sampler = setInterval(() => void hookline.rss().then((rss) => (peak = Math.max(peak, rss))), 250);
  const started = Date.now();
  let load;
  try {
    load = await sendEvents({ url: instance.webhookUrl, total: STREAM_EVENTS, concurrency: 16, from: 3_000 });
    await sleep(5_000); // the fan-out of the last rows
  } finally {
    clearInterval(sampler);
  }
  const after = await hookline.rss();
  const afterByProcess = await hookline.rssByProcess();
  const closedByServer = await fellBehind();
  for (const stream of streams) stream.destroy();
  const figures = {
    streams: PAUSED_STREAMS,
    webhooks: load.acked.size,
    "ingest s": ((Date.now() - started) / 1000).toFixed(1),
    "rss before MB": mb(before),
    "rss peak MB": mb(peak),
    "rss after MB": mb(after),
    "peak growth MB": mb(peak - before),
    "growth by process MB": Object.fromEntries(
      ["start", "console", "worker"].map((name) => [name, mb((afterByProcess[name] ?? 0) - (beforeByProcess[name] ?? 0))]),
    ),
    "streams closed by the server (fell behind)": closedByServer,
  };
  console.log("paused streams", JSON.stringify(figures, null, 2));
  expect(load.acked.size).toBe(STREAM_EVENTS);
  expect(peak - before).toBeLessThan(MEMORY_BOUND_MB * 1048576);
  // The bound is what held it: streams that fell behind were closed (their queues dropped), not buffered.
  expect(closedByServer).toBeGreaterThan(PAUSED_STREAMS / 2);
});

it(`keeps ingest going (p99 under ${INGEST_P99_BOUND_MS} ms) during ${SEARCHERS} concurrent worst-case searches on ${SEEDED_EVENTS.toLocaleString("en")} never-analyzed events`, async () => {
  const seedSeconds = await seedEvents(hookline.databaseUrl, { organizationId, instanceId: instance.id, elementKey: "campaignmonitor" }, SEEDED_EVENTS);
  console.log(`seeded ${SEEDED_EVENTS} events in ${seedSeconds.toFixed(1)} s; the searches start`);
  // The load wrote about a gigabyte; its checkpoint is done now, not in the middle of the measurement,
  // and so is the merge of the index entries it left pending (the worker's next one would be counted).
  await query("SELECT gin_clean_pending_list(to_regclass(name)) FROM unnest($1::text[]) AS name", [MERGED_GIN_INDEXES]);
  await query("CHECKPOINT");
  // As a server with autovacuum off leaves them: no column statistics at all.
  const stats = await query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stats WHERE tablename IN ('webhook_requests')");
  expect(stats[0]!.n).toBe(0);

  // WAL written during the abuse (full-page images among it), which every ingest commit waits to flush.
  const walStats = () =>
    query<{ bytes: string; fpi: string; temp: string; read: string }>(
      `SELECT wal_bytes::text AS bytes, wal_fpi::text AS fpi,
              (SELECT temp_bytes::text FROM pg_stat_database WHERE datname = current_database()) AS temp,
              (SELECT blks_read::text FROM pg_stat_database WHERE datname = current_database()) AS read
         FROM pg_stat_wal`,
    );
  const walBefore = (await walStats())[0]!;
  const stopAt = Date.now() + ABUSE_MS;
  const searchers = searchersProcess();
  let busiestReads = 0;
  const waits = new Map<string, number>();
  const waitSampler = setInterval(() => {
    void query<{ w: string }>("SELECT coalesce(wait_event_type || ':' || wait_event, 'cpu') AS w FROM pg_stat_activity WHERE application_name IN ('hookline-ingest', 'hookline-events') AND state = 'active'").then(
      (rows) => rows.forEach((row) => waits.set(row.w, (waits.get(row.w) ?? 0) + 1)),
      () => undefined,
    );
  }, 100);
  const watcher = setInterval(() => {
    void query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'hookline-reads' AND state = 'active'").then(
      (rows) => (busiestReads = Math.max(busiestReads, rows[0]!.n)),
      () => undefined,
    );
  }, 500);
  await sleep(1_000); // the searches start first
  // Ingest, one webhook every INGEST_EVERY_MS, each timed on its own, and the edge's own delay without
  // PostgreSQL: a GET of the webhook URL is answered (405) from the cached instance row, so its time is
  // the event loop's wait plus HTTP, where a POST adds the write.
  const probe = probeProcess();
  await sleep(stopAt - Date.now());
  const { ingestTimes, ingestFailures, getTimes, lagMs } = await probe.ask<ProbeFigures>("stop");
  const { outcomes: searchOutcomes, searchTimes } = await searchers.ask<SearchFigures>("stop");
  const outcomes = new Map(Object.entries(searchOutcomes));
  clearInterval(watcher);
  clearInterval(waitSampler);
  // What ingest's connections were waiting on, sampled every 100 ms (cpu = running).
  // Nothing left running after the searchers are gone: every abandoned search was cancelled or timed out.
  await sleep(6_000);
  const leftover = await query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'hookline-reads' AND state = 'active'");

  const walAfter = (await walStats())[0]!;
  const sorted = [...ingestTimes].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Infinity;
  const searches = [...searchTimes].sort((a, b) => a - b);
  const figures = {
    "seeded events": SEEDED_EVENTS,
    "seeding s": seedSeconds.toFixed(1),
    searchers: SEARCHERS,
    terms: WORST_TERMS,
    "search outcomes": Object.fromEntries(outcomes),
    "search answer p50 / max ms": `${Math.round(searches[Math.floor(searches.length / 2)] ?? 0)} / ${Math.round(searches.at(-1) ?? 0)}`,
    "busiest read connections": busiestReads,
    "reads still running 6 s after": leftover[0]!.n,
    webhooks: ingestTimes.length,
    "ingest failures": ingestFailures.length,
    "ingest connections' waits": Object.fromEntries(waits),
    "WAL written during the abuse MB / full-page images": `${mb(Number(walAfter.bytes) - Number(walBefore.bytes))} / ${Number(walAfter.fpi) - Number(walBefore.fpi)}`,
    "temporary files written / blocks read from outside shared buffers, MB": `${mb(Number(walAfter.temp) - Number(walBefore.temp))} / ${mb((Number(walAfter.read) - Number(walBefore.read)) * 8192)}`,
    "ingest p50 / p99 / max ms": `${at(0.5).toFixed(1)} / ${at(0.99).toFixed(1)} / ${sorted.at(-1)?.toFixed(1)}`,
    "the probe's niceness / event loop lag beyond its 10 ms timer, p50 / p99 ms": `${probe.niceness} / ${lagMs[0].toFixed(1)} / ${lagMs[1].toFixed(1)}`,
    "webhook URL GET (no database) p50 / p99 ms": (() => {
      const loop = [...getTimes].sort((a, b) => a - b);
      return `${(loop[Math.floor(loop.length / 2)] ?? 0).toFixed(1)} / ${(loop[Math.floor(loop.length * 0.99)] ?? 0).toFixed(1)}`;
    })(),
  };
  console.log("search abuse", JSON.stringify(figures, null, 2));

  expect(ingestFailures).toEqual([]);
  expect(ingestTimes.length).toBeGreaterThan((ABUSE_MS - 1_000) / INGEST_EVERY_MS / 2);
  expect(at(0.99)).toBeLessThan(INGEST_P99_BOUND_MS);
  expect([...outcomes.keys()].filter((what) => what.startsWith("HTTP 5"))).toEqual([]);
  // Searches were answered (results, or a message saying why not), not left hanging.
  expect((outcomes.get("results") ?? 0) + (outcomes.get("results with a notice") ?? 0)).toBeGreaterThan(0);
  expect(outcomes.get("429: 2 searches per user") ?? 0).toBeGreaterThan(SEARCHERS);
  expect(busiestReads).toBeLessThanOrEqual(5);
  expect(leftover[0]!.n).toBe(0);
}, SEARCH_TEST_TIMEOUT_MS);
