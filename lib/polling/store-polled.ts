import { eventsPool, inTransaction } from "@/lib/db/pg-pool";
import { uuidv7 } from "@/lib/events/ids";
import { notifyStored } from "@/lib/ingest/store";
import type { PolledChange } from "@/lib/polling/changes";
import type { ClaimedPoll } from "@/lib/polling/poll-jobs";
import { encodePolledChanges, POLLED_CONTENT_TYPE } from "@/lib/polling/polled-request";

/**
 * Storing what a poll of one resource found, in ONE transaction: its changes as stored requests
 * (`source = POLL`, queued for processing like a webhook, announced to the live log) and the resource's
 * new high-water mark and result. So the mark only moves past changes that are stored, and a crash
 * either keeps both or neither. Nothing is written unless this poll still holds the instance's lease.
 */

/** Changes per stored request: keeps each request's body well under a megabyte of typical records. */
const CHANGES_PER_REQUEST = 200;

export type ResourceResult = {
  /** The resource's state key: its name, or `name:value` for a per-list resource. */
  resource: string;
  result: "OK" | "FAILED" | "RATE_LIMITED";
  message: string | null;
  records: number;
  /** Null: keep the mark (the poll failed). */
  highWater: Date | null;
  changes: PolledChange[];
};

export type StoreTarget = { instanceId: number; organizationId: string; elementKey: string };

export async function storePollResult(poll: ClaimedPoll, target: StoreTarget, outcome: ResourceResult, initialHighWater: Date): Promise<boolean> {
  const stored = await inTransaction(async (client) => {
    const held = await client.query("SELECT 1 FROM poll_jobs WHERE instance_id = $1 AND lease = $2 FOR UPDATE", [poll.instanceId, poll.lease]);
    if (held.rowCount === 0) return false;
    for (let start = 0; start < outcome.changes.length; start += CHANGES_PER_REQUEST) {
      const id = uuidv7();
      await client.query(
        `WITH request AS (
           INSERT INTO webhook_requests (id, instance_id, organization_id, element_key, received_at, content_type, headers, body, source)
           VALUES ($1, $2, $3, $4, now(), $5, '{}'::jsonb, $6, 'POLL') RETURNING id),
         queued AS (INSERT INTO ingest_queue (request_id) SELECT id FROM request)
         INSERT INTO live_log_changes (event_id, organization_id)
         SELECT r.id, $3::uuid FROM request r
          WHERE EXISTS (SELECT 1 FROM live_log_watchers w WHERE w.organization_id = $3::uuid AND w.expires_at > now())`,
        [id, target.instanceId, target.organizationId, target.elementKey, POLLED_CONTENT_TYPE,
         encodePolledChanges(outcome.resource, outcome.changes.slice(start, start + CHANGES_PER_REQUEST))],
      );
    }
    await client.query(
      `INSERT INTO poll_resources (instance_id, resource, high_water, polled_at, result, message, records, changes)
       VALUES ($1, $2, COALESCE($3::timestamptz, $4::timestamptz), now(), $5, $6, $7, $8)
       ON CONFLICT (instance_id, resource) DO UPDATE SET
         -- A mark moved back (history asked for) while this poll ran stays where it was put.
         high_water = CASE WHEN poll_resources.high_water < $4::timestamptz THEN poll_resources.high_water
                           ELSE COALESCE($3::timestamptz, poll_resources.high_water) END,
         polled_at = now(), result = $5, message = $6,
         records = $7, changes = $8`,
      [target.instanceId, outcome.resource, outcome.highWater, initialHighWater, outcome.result, outcome.message, outcome.records, outcome.changes.length],
    );
    return true;
  });
  if (stored && outcome.changes.length) notifyStored();
  return stored;
}

/** Each resource's high-water mark so far. */
export async function highWaterMarks(instanceId: number): Promise<Map<string, Date>> {
  const { rows } = await eventsPool().query<{ resource: string; high_water: Date }>(
    "SELECT resource, high_water FROM poll_resources WHERE instance_id = $1",
    [instanceId],
  );
  return new Map(rows.map((row) => [row.resource, row.high_water]));
}

/** Drops the state of resources other than `kept` (a configuration that changed). */
export async function forgetOtherResources(instanceId: number, kept: readonly string[]): Promise<void> {
  await eventsPool().query("DELETE FROM poll_resources WHERE instance_id = $1 AND NOT (resource = ANY($2::text[]))", [instanceId, kept]);
}
