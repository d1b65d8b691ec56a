// Event log at scale: one database grown to 10 k, 100 k and 1 M events (bulk INSERT … SELECT
// generate_series: 5 organizations, 30 instances of the 4 connectors, a mix of event types and
// delivery statuses, delivery attempts, varied request bodies, created_at over 30 days), and at each
// size the event log's own queries (lib/live-log/query.ts listEventLog) timed for one organization:
// the first page, filtered pages, a deep keyset page and payload text searches.
// Target: every query at the largest size within 1.5× of the smallest (p50).
// Seeding: the live-log triggers are off during a load (foreign keys stay checked); a step of more
// than 50 k rows drops the secondary indexes and builds them again after it; then VACUUM ANALYZE.
//
// BENCH_EVENT_LOG_SIZES (default 10000,100000,1000000), BENCH_REPEAT (timed runs per query, default 30),
// BENCH_EXPLAIN=1 prints EXPLAIN (ANALYZE, BUFFERS) of each query at each size, BENCH_KEEP_DB=1 keeps
// the database (its URL is printed) for profiling by hand.
import { createHash } from "node:crypto";
import pg from "pg";
import { createTestDatabase } from "@/lib/db/test-database";
import type { EventLogFilters } from "@/lib/live-log/schema";
import { report, summarize } from "./lib";

const sizes = (process.env.BENCH_EVENT_LOG_SIZES ?? "10000,100000,1000000")
  .split(",")
  .map((size) => Number(size.trim()))
  .filter((size) => Number.isInteger(size) && size > 0)
  .sort((a, b) => a - b);
const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? 30));
const explain = process.env.BENCH_EXPLAIN === "1" || process.env.BENCH_EXPLAIN === "true";
const keep = process.env.BENCH_KEEP_DB === "1" || process.env.BENCH_KEEP_DB === "true";
/** Rows per INSERT statement while seeding. */
const CHUNK = 100_000;
/** Above this many new rows, secondary indexes are dropped for the load and built again after it. */
const REBUILD_INDEXES_ABOVE = 50_000;
const TARGET_RATIO = 1.5;

const ORGANIZATIONS = 5;
const INSTANCES_PER_ORGANIZATION = 6;
const CONNECTORS = ["campaignmonitor", "mailchimpv3", "hootsuite", "connectwisecrmrest"];
/** The organization the queries run for: it receives 40 % of the events, the other four 15 % each. */
const ORG = orgId(0);
/** A few rows (i ≤ 10 000 and i % 1000 = 500, all in ORG) carry a rare word, whatever the size. */
const NEEDLE_WORD = "quokka-4711";
const NEEDLE_ROW = 500;

function orgId(n: number): string {
  return `00000000-0000-4000-8000-${String(n + 1).padStart(12, "0")}`;
}

const label = (size: number) => (size >= 1_000_000 ? `${size / 1_000_000}M` : size >= 1000 ? `${size / 1000}k` : String(size));
const md5 = (text: string) => createHash("md5").update(text).digest("hex");

const FIRST = ["maria", "james", "li", "fatima", "oliver", "sofia", "noah", "amara", "lucas", "yuki", "elena", "omar", "grace", "mateo", "ingrid", "ravi",
  "chloe", "tomas", "aisha", "henrik", "lena", "diego", "hana", "samuel", "nora", "ivan", "zoe", "felix", "mila", "arjun", "clara", "emil"];
const LAST = ["jensen", "garcia", "chen", "okafor", "smith", "rossi", "novak", "silva", "müller", "tanaka", "kowalski", "haddad", "brown", "lopez",
  "nielsen", "patel", "dubois", "ivanova", "kim", "berg", "moreau", "santos", "ali", "fischer", "costa", "larsen", "wong", "martin", "sato", "reyes",
  "weber", "nguyen"];
const DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "proton.me", "acme.io", "example.org", "fastmail.com", "icloud.com"];
const WORDS = ["order", "shipped", "delayed", "refund", "invoice", "payment", "account", "renewal", "upgrade", "downgrade", "trial", "welcome",
  "newsletter", "campaign", "bounce", "complaint", "opened", "clicked", "survey", "feedback", "priority", "support", "ticket", "escalated",
  "resolved", "waiting", "billing", "address", "changed", "profile", "settings", "preferences", "consent", "marketing", "weekly", "digest",
  "summer", "winter", "sale", "coupon", "loyalty", "points", "reward", "member", "premium", "basic", "team", "plan", "seat", "license",
  "contract", "meeting", "call", "demo", "lead", "qualified", "webinar", "launch", "registered", "cancelled", "postponed", "reminder",
  "followup", "partner"];

const sqlArray = (values: string[]) => `ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(",")}]::text[]`;

/** The subscriber (0 … 19 999) of row i and its email, computed the way the seeding SQL does. */
const SUBSCRIBERS = 20_000;

// ——— database ————————————————————————————————————————————————————————————————————————————————

const database = await createTestDatabase(process.env.DATABASE_URL);
process.env.DATABASE_URL = database.url;
// The app's own query code and pool, pointed at the bench database (the pool takes this URL on first use).
const { eventsPool, closeEventsPool } = await import("@/lib/db/pg-pool");
const { listEventLog } = await import("@/lib/live-log/query");
const { cursorFor } = await import("@/lib/live-log/schema");
eventsPool(database.url);

const admin = new pg.Client({ connectionString: database.url });
await admin.connect();
const anchor = new Date();

async function setup(): Promise<void> {
  await admin.query(`INSERT INTO organizations (id, name, secret_hash, secret_encrypted)
    SELECT ('00000000-0000-4000-8000-' || lpad((n + 1)::text, 12, '0'))::uuid, 'Bench org ' || n, 'bench-org-' || n, 'x'
      FROM generate_series(0, ${ORGANIZATIONS - 1}) n`);
  await admin.query(`INSERT INTO instances (organization_id, element_key, element_key_sent, name, tags, configuration, events_enabled,
      token_hash, token_encrypted, updated_at)
    SELECT ('00000000-0000-4000-8000-' || lpad((o + 1)::text, 12, '0'))::uuid, (${sqlArray(CONNECTORS)})[1 + s % 4],
           (${sqlArray(CONNECTORS)})[1 + s % 4], 'Bench ' || o || '/' || s, '{}', '{}', true, 'bench-token-' || o || '-' || s, 'x', now()
      FROM generate_series(0, ${ORGANIZATIONS - 1}) o, generate_series(0, ${INSTANCES_PER_ORGANIZATION - 1}) s
     ORDER BY o, s`);
  // Which instance row i goes to: (organization number, slot) → id.
  await admin.query(`CREATE UNLOGGED TABLE bench_instances AS
    SELECT i.id, i.organization_id, i.element_key, (split_part(split_part(i.name, ' ', 2), '/', 1))::int AS org_no,
           (split_part(i.name, '/', 2))::int AS slot
      FROM instances i`);
}

/** Organization number, slot, status, type, … of row i: pure functions of i, so every size holds the smaller ones' rows. */
function generated(from: number, to: number): string {
  const h = (seed: number) => `(hashint8extended(g.i, ${seed}) & 9223372036854775807)`;
  return `SELECT g.i,
      CASE WHEN g.i <= 10000 AND g.i % 1000 = ${NEEDLE_ROW} THEN 0
           WHEN ${h(1)} % 100 < 40 THEN 0 ELSE 1 + (${h(1)} % 100 - 40) / 15 END AS org_no,
      (${h(2)} % ${INSTANCES_PER_ORGANIZATION})::int AS slot,
      ${h(3)} % 1000 AS r_status,
      ${h(4)} % 100 AS r_type,
      ${h(5)} % ${30 * 86_400_000} AS age_ms,
      ${h(6)} % ${SUBSCRIBERS} AS sub,
      ${h(7)} AS r_words,
      ${h(8)} % 1000 AS r_latency
    FROM generate_series(${from}::int8, ${to}::int8) AS g(i)`;
}

function rowsSql(from: number, to: number): string {
  const word = (shift: number) => `w[(1 + (s.r_words >> ${shift}) % ${WORDS.length})::int]`;
  const note = `${word(0)} || ' ' || ${word(6)} || ' ' || ${word(12)} || ' ' || ${word(18)} || ' ' || ${word(24)} || ' ' || ${word(30)}
      || CASE WHEN s.i <= 10000 AND s.i % 1000 = ${NEEDLE_ROW} THEN ' ${NEEDLE_WORD}' ELSE '' END`;
  return `WITH s AS (${generated(from, to)}),
  v AS (
    SELECT s.*, b.id AS instance_id, b.organization_id, b.element_key,
           $1::timestamptz - s.age_ms * interval '1 millisecond' AS created_at,
           CASE WHEN s.r_status < 30 THEN 'PENDING' WHEN s.r_status < 870 THEN 'DELIVERED' WHEN s.r_status < 910 THEN 'RETRYING'
                WHEN s.r_status < 980 THEN 'DEAD' ELSE 'DISABLED' END AS status,
           CASE WHEN s.r_type < 55 THEN 'CREATED' WHEN s.r_type < 85 THEN 'UPDATED' ELSE 'DELETED' END AS event_type,
           f[(1 + s.sub % ${FIRST.length})::int] AS first_name, l[(1 + (s.sub / ${FIRST.length}) % ${LAST.length})::int] AS last_name,
           f[(1 + s.sub % ${FIRST.length})::int] || '.' || l[(1 + (s.sub / ${FIRST.length}) % ${LAST.length})::int]
             || (s.sub / ${FIRST.length * LAST.length}) || '@' || d[(1 + s.sub % ${DOMAINS.length})::int] AS email,
           md5(s.i::text) AS hex, ${note} AS note
      FROM s JOIN bench_instances b ON b.org_no = s.org_no AND b.slot = s.slot,
           LATERAL (SELECT ${sqlArray(FIRST)} AS f, ${sqlArray(LAST)} AS l, ${sqlArray(DOMAINS)} AS d, ${sqlArray(WORDS)} AS w) lists
  ),
  r AS (
    SELECT v.*,
      (lpad(to_hex((extract(epoch FROM v.created_at) * 1000)::int8), 12, '0') || '7' || substr(md5('r' || v.i), 1, 3) || '8'
        || substr(md5('r' || v.i), 4, 15))::uuid AS request_id,
      (lpad(to_hex((extract(epoch FROM v.created_at) * 1000)::int8), 12, '0') || '7' || substr(md5('e' || v.i), 1, 3) || '9'
        || substr(md5('e' || v.i), 4, 15))::uuid AS event_row_id,
      CASE v.status WHEN 'PENDING' THEN 0 WHEN 'DELIVERED' THEN 1 + (v.r_latency % 20 = 0)::int WHEN 'RETRYING' THEN 2
                    WHEN 'DEAD' THEN 4 ELSE 1 END AS attempts,
      CASE v.element_key
        WHEN 'campaignmonitor' THEN json_build_object('ListID', substr(v.hex, 1, 8) || 'list', 'Events', json_build_array(json_build_object(
            'Type', CASE v.event_type WHEN 'CREATED' THEN 'Subscribe' WHEN 'UPDATED' THEN 'Update' ELSE 'Deactivate' END,
            'Date', to_char(v.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), 'EmailAddress', v.email,
            'Name', initcap(v.first_name) || ' ' || initcap(v.last_name), 'MessageID', v.hex,
            'CustomFields', json_build_array(json_build_object('Key', 'Note', 'Value', v.note)))))::text
        WHEN 'mailchimpv3' THEN 'type=' || CASE v.event_type WHEN 'CREATED' THEN 'subscribe' WHEN 'UPDATED' THEN 'profile' ELSE 'unsubscribe' END
            || '&fired_at=' || replace(to_char(v.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), ' ', '+')
            || '&data%5Bid%5D=' || v.hex || '&data%5Bemail%5D=' || replace(v.email, '@', '%40')
            || '&data%5Bmerges%5D%5BFNAME%5D=' || initcap(v.first_name) || '&data%5Bmerges%5D%5BLNAME%5D=' || initcap(v.last_name)
            || '&data%5Bmerges%5D%5BNOTE%5D=' || replace(v.note, ' ', '+') || '&data%5Blist_id%5D=' || substr(v.hex, 9, 10)
        WHEN 'hootsuite' THEN json_build_object('type', 'com.hootsuite.messages.event.v1', 'data', json_build_object(
            'state', CASE v.event_type WHEN 'CREATED' THEN 'SCHEDULED' WHEN 'UPDATED' THEN 'SENT' ELSE 'DELETED' END,
            'message', json_build_object('id', (v.i * 7919)::text, 'text', v.note, 'author', initcap(v.first_name) || ' ' || initcap(v.last_name),
              'author_email', v.email),
            'trace', v.hex), 'timestamp', v.created_at)::text
        ELSE json_build_object('Action', lower(v.event_type), 'Type', 'ticket', 'ID', v.i, 'MemberId', v.first_name || '.' || v.last_name,
            'Entity', json_build_object('summary', v.note, 'contact', json_build_object('email', v.email), 'ref', v.hex)::text)::text
      END AS body_text
    FROM v
  ),
  requests AS (
    INSERT INTO webhook_requests (id, instance_id, organization_id, element_key, received_at, content_type, headers, body, remote_address)
    SELECT request_id, instance_id, organization_id, element_key, created_at,
           CASE element_key WHEN 'mailchimpv3' THEN 'application/x-www-form-urlencoded' ELSE 'application/json' END,
           jsonb_build_object('content-type', CASE element_key WHEN 'mailchimpv3' THEN 'application/x-www-form-urlencoded' ELSE 'application/json' END,
                              'user-agent', element_key || '-webhooks/2.0'),
           convert_to(body_text, 'UTF8'), '203.0.113.' || (i % 250)
      FROM r
    RETURNING id
  ),
  inserted AS (
    INSERT INTO events (id, event_id, request_id, instance_id, organization_id, element_key, summary, event_count, payload, status, attempts,
                        next_attempt_at, last_attempt_at, last_status_code, last_error, delivered_at, created_at)
    SELECT event_row_id, 'bench-' || i, request_id, instance_id, organization_id, element_key, summary, 1,
           convert_to(json_build_object('message', json_build_object('eventId', 'bench-' || i, 'elementKey', element_key,
             'instanceId', instance_id, 'events', summary))::text, 'UTF8'),
           status::"EventStatus", attempts,
           CASE WHEN status IN ('PENDING', 'RETRYING') THEN created_at + interval '5 minutes' END,
           CASE WHEN attempts > 0 THEN created_at + attempts * interval '30 seconds' END,
           CASE status WHEN 'DELIVERED' THEN 200 WHEN 'PENDING' THEN NULL WHEN 'DISABLED' THEN 410 ELSE 503 END,
           CASE WHEN status IN ('RETRYING', 'DEAD') THEN 'HTTP 503 from the callback URL' END,
           CASE WHEN status = 'DELIVERED' THEN created_at + attempts * interval '30 seconds' END,
           created_at
      FROM (SELECT r.*, jsonb_build_array(jsonb_build_object('eventType', event_type, 'objectType',
              CASE element_key WHEN 'hootsuite' THEN 'message' WHEN 'connectwisecrmrest' THEN 'ticket' ELSE 'subscriber' END,
              'objectId', CASE element_key WHEN 'hootsuite' THEN (i * 7919)::text WHEN 'connectwisecrmrest' THEN i::text ELSE email END,
              'eventDate', created_at, 'elementKey', element_key)) AS summary FROM r) e
    RETURNING id, attempts, created_at, status, element_key
  )
  INSERT INTO delivery_attempts (id, event_id, attempt, started_at, url, status_code, latency_ms, response_excerpt, error)
  SELECT gen_random_uuid(), e.id, n, e.created_at + n * interval '30 seconds', 'https://hooks.example.net/' || e.element_key,
         CASE WHEN n = e.attempts AND e.status = 'DELIVERED' THEN 200 ELSE 503 END,
         20 + (hashtext(e.id::text || n) & 1023),
         CASE WHEN n = e.attempts AND e.status = 'DELIVERED' THEN 'ok' ELSE 'Service Unavailable' END,
         CASE WHEN n = e.attempts AND e.status = 'DELIVERED' THEN NULL ELSE 'HTTP 503' END
    FROM inserted e, generate_series(1, e.attempts) n`;
}

const TABLES = ["webhook_requests", "events", "delivery_attempts"];

/** Drops the tables' secondary indexes (not those behind a constraint), returning how to build them again. */
async function dropSecondaryIndexes(): Promise<string[]> {
  const { rows } = await admin.query<{ name: string; def: string }>(
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes i
      WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)`,
    [TABLES],
  );
  for (const row of rows) await admin.query(`DROP INDEX "${row.name}"`);
  return rows.map((row) => row.def);
}

/** Grows the database from `from` to `to` events; returns seconds taken. */
async function grow(from: number, to: number): Promise<number> {
  const started = performance.now();
  await admin.query(`SET maintenance_work_mem = '512MB'`);
  await admin.query(`SET synchronous_commit = off`);
  // The live-log triggers (a watcher lookup per row) have nothing to announce to a bench; FK checks stay on.
  for (const table of TABLES) await admin.query(`ALTER TABLE "${table}" DISABLE TRIGGER USER`);
  const rebuild = to - from > REBUILD_INDEXES_ABOVE ? await dropSecondaryIndexes() : [];
  for (let start = from + 1; start <= to; start += CHUNK) {
    await admin.query(rowsSql(start, Math.min(to, start + CHUNK - 1)), [anchor]);
  }
  for (const def of rebuild) await admin.query(def);
  for (const table of TABLES) await admin.query(`ALTER TABLE "${table}" ENABLE TRIGGER USER`);
  // As autovacuum would have left a table that grew over 30 days: statistics and visibility map.
  for (const table of TABLES) await admin.query(`VACUUM (ANALYZE) "${table}"`);
  return (performance.now() - started) / 1000;
}

// ——— the queries ————————————————————————————————————————————————————————————————————————————————

type Query = { name: string; filters: EventLogFilters; cursor?: string; note?: string };

async function queries(): Promise<Query[]> {
  const instance = await admin.query<{ id: number }>(`SELECT id FROM bench_instances WHERE org_no = 0 AND slot = 0`);
  const instanceId = instance.rows[0]!.id;
  const { rows: [count] } = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE organization_id = $1`, [ORG]);
  const deep = await admin.query<{ created_at: Date; id: string }>(
    `SELECT created_at, id FROM events WHERE organization_id = $1 ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1`,
    [ORG, Math.floor(count!.n * 0.9)],
  );
  const cursor = cursorFor({ createdAt: deep.rows[0]!.created_at.toISOString(), id: deep.rows[0]!.id });
  const sub = await admin.query<{ sub: string }>(`SELECT sub FROM (${generated(NEEDLE_ROW, NEEDLE_ROW)}) s`);
  const k = Number(sub.rows[0]!.sub);
  const email = `${FIRST[k % FIRST.length]}.${LAST[Math.floor(k / FIRST.length) % LAST.length]}${Math.floor(k / (FIRST.length * LAST.length))}@${DOMAINS[k % DOMAINS.length]}`;
  return [
    { name: "first page", filters: {} },
    { name: "filtered: instance+DELIVERED+CREATED", filters: { instance: instanceId, status: "DELIVERED", type: "CREATED" } },
    { name: "filtered: instance+DEAD+DELETED", filters: { instance: instanceId, status: "DEAD", type: "DELETED" }, note: "selective" },
    { name: "deep keyset page (90 %)", filters: {}, cursor },
    { name: `search rare word "${NEEDLE_WORD}"`, filters: { q: NEEDLE_WORD }, note: "10 matches at every size" },
    { name: "search one hex id", filters: { q: md5(String(NEEDLE_ROW)) }, note: "1 match" },
    { name: "search one email", filters: { q: email }, note: "matches grow with N (1 in 20 000 rows)" },
    { name: 'search common "outlook.com"', filters: { q: "outlook.com" }, note: "~9 % of rows match" },
  ];
}

/** The SQL (and values) of the last statement listEventLog sent, for EXPLAIN. */
let lastStatement: { text: string; values: unknown[] } | null = null;
if (explain) {
  const pool = eventsPool();
  const original = pool.query.bind(pool) as (text: string, values?: unknown[]) => Promise<unknown>;
  (pool as unknown as { query: typeof original }).query = (text: string, values?: unknown[]) => {
    lastStatement = { text, values: values ?? [] };
    return original(text, values);
  };
}

async function time(query: Query): Promise<{ p50: number; max: number; rows: number }> {
  const run = () => listEventLog(ORG, query.filters, { cursor: query.cursor, now: anchor });
  let rows = 0;
  for (let i = 0; i < 5; i++) rows = (await run()).rows.length; // warm: JIT, pool, buffers
  const samples: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  const { p50, max } = summarize(samples);
  return { p50, max, rows };
}

async function printPlan(size: number, query: Query): Promise<void> {
  if (!lastStatement) return;
  const statement: { text: string; values: unknown[] } = lastStatement;
  const { rows } = await admin.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`, statement.values);
  console.log(`\n— ${label(size)} · ${query.name}\n${rows.map((row) => row["QUERY PLAN"]).join("\n")}`);
}

// ——— run ————————————————————————————————————————————————————————————————————————————————————————

const results = new Map<string, Map<number, { p50: number; max: number; rows: number }>>();
const seeding: Record<string, number> = {};
let plan: Query[] = [];
try {
  await setup();
  let current = 0;
  for (const size of sizes) {
    const seconds = await grow(current, size);
    current = size;
    seeding[label(size)] = Number(seconds.toFixed(1));
    const { rows: [stats] } = await admin.query<{ events: number; org: number; attempts: number; mb: number }>(
      `SELECT (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM events WHERE organization_id = $1)::int AS org,
              (SELECT count(*) FROM delivery_attempts)::int AS attempts, (pg_database_size(current_database()) / 1048576)::int AS mb`,
      [ORG],
    );
    console.log(`${label(size)}: seeded in ${seconds.toFixed(1)} s — ${stats!.events} events (${stats!.org} in the measured organization), `
      + `${stats!.attempts} delivery attempts, database ${stats!.mb} MB`);
    plan = await queries();
    for (const query of plan) {
      const result = await time(query);
      if (!results.has(query.name)) results.set(query.name, new Map());
      results.get(query.name)!.set(size, result);
      console.log(`  ${query.name}: p50 ${result.p50.toFixed(2)} ms, max ${result.max.toFixed(2)} ms, ${result.rows} rows`);
      if (explain) await printPlan(size, query);
    }
  }
} finally {
  await admin.end();
  await closeEventsPool();
  if (keep) console.log(`kept the database: ${database.url}`);
  else await database.dispose();
}

const smallest = sizes[0]!;
const largest = sizes.at(-1)!;
const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(1));
const rows = plan.map((query) => {
  const bySize = results.get(query.name)!;
  const row: Record<string, string | number> = { query: query.name };
  for (const size of sizes) {
    const result = bySize.get(size)!;
    row[`${label(size)} p50/max ms`] = `${ms(result.p50)}/${ms(result.max)}`;
  }
  const ratio = bySize.get(largest)!.p50 / bySize.get(smallest)!.p50;
  // A selective filter may not fill a page at the smallest size: fewer rows to read and send there.
  row.rows = sizes.map((size) => bySize.get(size)!.rows).join("/");
  row[`${label(largest)}/${label(smallest)}`] = ratio.toFixed(2);
  row.target = sizes.length > 1 ? (ratio <= TARGET_RATIO ? "ok" : "MISSED") : "";
  if (query.note) row.note = query.note;
  return row;
});
report("event-log", rows, { sizes, repeat, seedingSeconds: seeding, target: `p50 at ${label(largest)} <= ${TARGET_RATIO}x p50 at ${label(smallest)}` });
