// Fast bulk seeding of an instance's event log for the reliability suite: INSERT … SELECT
// generate_series for the requests and their events (data-modifying CTE), with the secondary indexes
// dropped for the load and built again after it, as bench/event-log.ts does. Never ANALYZEd: the
// tables are left with no column statistics, as a server with autovacuum off leaves them.
// Two connections share the work, one per core: each inserts half the rows, then builds half the
// indexes (the body's trigram index, the slowest, alone on one). Foreign keys are not checked per row
// (session_replication_role = replica; the rows are made consistent by construction): on a slow CI
// disk the checked, single-connection load took most of the test's 300 s.
import pg from "pg";

const TABLES = ["webhook_requests", "events"];
const CONNECTIONS = 2;

export type BulkTarget = { organizationId: string; instanceId: number; elementKey: string };

/**
 * `count` Campaign Monitor-like webhooks (each a request and one event, delivered) spread over the last
 * 30 days, newest `i = 1`. Every body holds `sub-<i>@example.org`, so "example" matches every row.
 * Returns the seconds taken.
 */
export async function seedEvents(databaseUrl: string, target: BulkTarget, count: number): Promise<number> {
  const started = performance.now();
  const clients = Array.from({ length: CONNECTIONS }, () => new pg.Client({ connectionString: databaseUrl }));
  try {
    for (const client of clients) {
      await client.connect();
      await client.query(`SET maintenance_work_mem = '256MB'`);
      await client.query(`SET synchronous_commit = off`);
      await client.query(`SET session_replication_role = replica`); // no per-row trigger: foreign keys, live log
    }
    const [first] = clients as [pg.Client];
    const { rows: indexes } = await first.query<{ name: string; def: string }>(
      `SELECT indexname AS name, indexdef AS def FROM pg_indexes i
        WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)`,
      [TABLES],
    );
    for (const index of indexes) await first.query(`DROP INDEX "${index.name}"`);
    const share = Math.ceil(count / CONNECTIONS);
    await Promise.all(clients.map((client, n) => insertRange(client, target, n * share + 1, Math.min(count, (n + 1) * share), count)));
    await Promise.all(indexShares(indexes).map((share, n) => buildIndexes(clients[n]!, share)));
    return (performance.now() - started) / 1000;
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
  }
}

/** Rows `from`..`to` of `count`, each a request and its delivered event. */
async function insertRange(client: pg.Client, target: BulkTarget, from: number, to: number, count: number): Promise<void> {
  await client.query(
    `WITH g AS (
       SELECT i, now() - i * ($4::float8 / $3) * interval '1 second' AS at,
              convert_to(json_build_object('Events', json_build_array(json_build_object('Type', 'Subscribe',
                'EmailAddress', 'sub-' || i || '@example.org', 'Name', 'Subscriber ' || i, 'CustomFields', json_build_array())),
                'ListID', 'seed-list')::text, 'UTF8') AS body
         FROM generate_series($6::int, $7::int) i
     ),
     requests AS (
       INSERT INTO webhook_requests (id, instance_id, organization_id, element_key, received_at, content_type, headers, body)
       SELECT gen_random_uuid(), $2::int, $1::uuid, $5, at, 'application/json', '{"content-type":"application/json"}', body FROM g
       RETURNING id, received_at
     )
     INSERT INTO events (id, event_id, request_id, instance_id, organization_id, element_key, summary, event_count, payload,
                         status, attempts, last_attempt_at, last_status_code, delivered_at, created_at)
     SELECT gen_random_uuid(), 'seed-' || r.id, r.id, $2::int, $1::uuid, $5,
            '[{"eventType":"CREATED","objectType":"subscriber"}]', 1, '\\x7b7d', 'DELIVERED', 1, r.received_at, 200, r.received_at, r.received_at
       FROM requests r`,
    [target.organizationId, target.instanceId, count, 30 * 86_400, target.elementKey, from, to],
  );
}

/** The trigram index of the bodies (about 60 % of the build time) on one connection, the rest on the other. */
function indexShares<T extends { def: string }>(indexes: T[]): T[][] {
  const slow = (index: T) => /\bgin\b/i.test(index.def) && /trgm/i.test(index.def);
  return [indexes.filter(slow), indexes.filter((index) => !slow(index))];
}

async function buildIndexes(client: pg.Client, indexes: { def: string }[]): Promise<void> {
  for (const index of indexes) await client.query(index.def);
}
