// Fast bulk seeding of an instance's event log for the reliability suite: one INSERT … SELECT
// generate_series for the requests and their events (data-modifying CTE), with the secondary indexes
// dropped for the load and built again after it, as bench/event-log.ts does. Never ANALYZEd: the
// tables are left with no column statistics, as a server with autovacuum off leaves them.
import type pg from "pg";

const TABLES = ["webhook_requests", "events"];

export type BulkTarget = { organizationId: string; instanceId: number; elementKey: string };

/**
 * `count` Campaign Monitor-like webhooks (each a request and one event, delivered) spread over the last
 * 30 days, newest `i = 1`. Every body holds `sub-<i>@example.org`, so "example" matches every row.
 * Returns the seconds taken.
 */
export async function seedEvents(client: pg.Client, target: BulkTarget, count: number): Promise<number> {
  const started = performance.now();
  await client.query(`SET maintenance_work_mem = '256MB'`);
  await client.query(`SET synchronous_commit = off`);
  const { rows: indexes } = await client.query<{ name: string; def: string }>(
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes i
      WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)`,
    [TABLES],
  );
  // The live-log trigger has no watcher to queue for while seeding; foreign keys stay checked.
  for (const table of TABLES) await client.query(`ALTER TABLE "${table}" DISABLE TRIGGER USER`);
  for (const index of indexes) await client.query(`DROP INDEX "${index.name}"`);
  await client.query(
    `WITH g AS (
       SELECT i, now() - i * ($4::float8 / $3) * interval '1 second' AS at,
              convert_to(json_build_object('Events', json_build_array(json_build_object('Type', 'Subscribe',
                'EmailAddress', 'sub-' || i || '@example.org', 'Name', 'Subscriber ' || i, 'CustomFields', json_build_array())),
                'ListID', 'seed-list')::text, 'UTF8') AS body
         FROM generate_series(1, $3::int) i
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
    [target.organizationId, target.instanceId, count, 30 * 86_400, target.elementKey],
  );
  for (const index of indexes) await client.query(index.def);
  for (const table of TABLES) await client.query(`ALTER TABLE "${table}" ENABLE TRIGGER USER`);
  return (performance.now() - started) / 1000;
}
