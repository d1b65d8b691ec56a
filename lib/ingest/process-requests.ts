import type { PoolClient } from "pg";
import { getConnector } from "@/lib/connectors";
import type { ParseResult } from "@/lib/connectors/contract";
import { unparseable } from "@/lib/connectors/webhooks/shared";
import { countIndexedBytes } from "@/lib/db/gin-pending-lists";
import { eventsPool, inTransaction } from "@/lib/db/pg-pool";
import { enqueueDeliveries, notifyEnqueued } from "@/lib/delivery/queue";
import { MAX_EVENTS_PER_NOTIFICATION } from "@/lib/events/envelope";
import { notificationRows, type EventRow } from "@/lib/events/notification-rows";
import { wakeableLoop, type WakeableLoop } from "@/lib/events/wakeable-loop";
import { onStored } from "@/lib/ingest/store";
import { log } from "@/lib/log";
import { parsePolledChanges } from "@/lib/polling/polled-request";
import { changeKeysOf, reconcile, webhooksReconciled, type Reconcilable } from "@/lib/polling/reconcile";

/**
 * Processing stored webhook requests: parse → normalized events → notifications of ≤ 20 events → their
 * delivery jobs, in batches, right after ingest stored them.
 *
 * Exactly once per stored request: a batch takes its requests' `ingest_queue` entries (DELETE … FOR
 * UPDATE SKIP LOCKED, so two processes never take the same one) in the same transaction that inserts
 * their events and jobs. A process that dies before the commit leaves the entries in place, and the
 * requests are processed after the restart; once it committed, the entries are gone. Event ids are
 * derived from the request id, so they are the same whichever process does it.
 */

type StoredRow = {
  id: string;
  instance_id: number;
  organization_id: string;
  element_key: string;
  received_at: Date;
  content_type: string;
  headers: Record<string, string>;
  body: Buffer;
  remote_address: string | null;
  instance_name: string;
  delivery_disabled: boolean;
  /** The first request with the same dedup key: this one repeats it and is not delivered. */
  duplicate_of: string | null;
  /** WEBHOOK, or POLL: the changes one poll found (lib/polling/polled-request.ts). */
  source: "WEBHOOK" | "POLL";
  /** The instance's `event.vendor.type` (null: webhook). */
  vendor_type: string | null;
};

/** How long the processor, woken from idle by a webhook, waits for more before it starts (latency it adds at most). */
const PROCESS_COALESCE_MS = 10;

/** Requests taken per transaction: enough to amortize it, few enough to keep the transaction short. */
export const PROCESS_BATCH = 200;

/*
 * The entries to take are picked first (ARRAY(...), one index walk) and then deleted by key: written as
 * `IN (subquery)`, the planner could join the subquery to a sequential scan of the whole queue, a cost
 * per batch that grows with the backlog it is meant to drain (README, Performance).
 */
export const TAKE = `WITH taken AS (
    DELETE FROM ingest_queue WHERE request_id = ANY(ARRAY(
      SELECT request_id FROM ingest_queue WHERE ($2::uuid[] IS NULL OR request_id = ANY($2::uuid[]))
       ORDER BY request_id LIMIT $1 FOR UPDATE SKIP LOCKED))
    RETURNING request_id
  )
  SELECT r.id, r.instance_id, r.organization_id, r.element_key, r.received_at, r.content_type, r.headers, r.body,
         r.remote_address, r.duplicate_of, r.source, i.configuration->>'event.vendor.type' AS vendor_type,
         i.name AS instance_name, i.delivery_disabled_at IS NOT NULL AS delivery_disabled
    FROM taken t JOIN webhook_requests r ON r.id = t.request_id JOIN instances i ON i.id = r.instance_id
   ORDER BY r.id`;

const INSERT_EVENTS = `INSERT INTO events (id, event_id, request_id, instance_id, organization_id, element_key, summary,
                                           event_count, payload, status, created_at, source)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::int[], $5::uuid[], $6::text[], $7::jsonb[], $8::int[],
                       $9::bytea[], $10::"EventStatus"[], $11::timestamptz[], $12::"EventSource"[])`;

function parse(row: StoredRow): ParseResult {
  const connector = getConnector(row.element_key);
  const request = {
    method: "POST",
    headers: row.headers,
    body: row.body,
    contentType: row.content_type,
    remoteAddress: row.remote_address ?? undefined,
  };
  if (!connector) return unparseable(row.body, row.received_at, `No connector handles "${row.element_key}".`);
  try {
    return connector.events.webhook.parse(request, row.received_at);
  } catch {
    // Handlers promise not to throw; if one does, the authentic body is still kept as UNKNOWN.
    return unparseable(row.body, row.received_at, "The connector's parser failed on this body.");
  }
}

type Status = Reconcilable["status"];
type Source = "WEBHOOK" | "POLL" | "RECOVERED";
/** One notification to insert, and the change keys that decide whether it is one (lib/polling/reconcile.ts). */
type Made = Reconcilable & { row: StoredRow; event: EventRow; source: Source };

const madeOf = (row: StoredRow, event: EventRow, source: Source, keys: string[]): Made => ({
  row,
  event,
  source,
  keys,
  status: statusOf(row),
  instanceId: row.instance_id,
  requestId: row.id,
  polled: row.source === "POLL",
});

/**
 * A repeat of an earlier request is shown, never delivered again. While the receiver has said 410 Gone,
 * events are kept but not sent; "redeliver failed" sends them later.
 */
function statusOf(row: StoredRow): Status {
  if (row.duplicate_of) return "DUPLICATE";
  return row.delivery_disabled ? "DISABLED" : "PENDING";
}

function webhookEventsOf(row: StoredRow): Made[] {
  const parsed = parse(row);
  const rows = notificationRows({
    baseEventId: row.id,
    elementKey: row.element_key,
    instanceId: row.instance_id,
    instanceName: row.instance_name,
    events: parsed.events,
    raw: parsed.raw,
    sliceRaw: parsed.sliceRaw,
  }, { firstId: row.id, unrecognized: parsed.unrecognized });
  const keyed = webhooksReconciled(row.vendor_type);
  return rows.map((event, index) =>
    madeOf(row, event, "WEBHOOK", keyed ? changeKeysOf(parsed.events.slice(index * MAX_EVENTS_PER_NOTIFICATION, index * MAX_EVENTS_PER_NOTIFICATION + event.count)) : []),
  );
}

/** A poll's changes: one notification each, `raw` = the provider's record, eventIds derived from the stored request. */
function polledEventsOf(row: StoredRow): Made[] {
  const changes = parsePolledChanges(row.body);
  return changes.map(({ event, raw }, index) => {
    const [made] = notificationRows({
      baseEventId: changes.length === 1 ? row.id : `${row.id}-${index + 1}`,
      elementKey: row.element_key,
      instanceId: row.instance_id,
      instanceName: row.instance_name,
      events: [event],
      raw,
    });
    return madeOf(row, made!, row.vendor_type === "both" ? "RECOVERED" : "POLL", changeKeysOf([event]));
  });
}

async function insertEvents(client: PoolClient, made: readonly Made[]): Promise<number> {
  if (made.length === 0) return 0;
  await client.query(INSERT_EVENTS, [
    made.map(({ event }) => event.id),
    made.map(({ event }) => event.eventId),
    made.map(({ row }) => row.id),
    made.map(({ row }) => row.instance_id),
    made.map(({ row }) => row.organization_id),
    made.map(({ row }) => row.element_key),
    made.map(({ event }) => event.summary),
    made.map(({ event }) => event.count),
    made.map(({ event }) => event.payload),
    made.map(({ status }) => status),
    made.map(({ row }) => row.received_at),
    made.map(({ source }) => source),
  ]);
  await enqueueDeliveries(
    client,
    made.filter(({ status }) => status === "PENDING").map(({ row, event }) => ({ event: event.id, instanceId: row.instance_id })),
  );
  return made.length;
}

async function processTaken(limit: number, only: string[] | null): Promise<{ requests: number; events: number }> {
  const result = await inTransaction(async (client) => {
    const { rows } = await client.query<StoredRow>(TAKE, [limit, only]);
    const made = rows.flatMap((row) => (row.source === "POLL" ? polledEventsOf(row) : webhookEventsOf(row)));
    const events = await insertEvents(client, await reconcile(client, made));
    return { requests: rows.length, events, bodyBytes: rows.reduce((sum, row) => sum + row.body.length, 0) };
  });
  countIndexedBytes(result.bodyBytes);
  if (result.events) notifyEnqueued();
  return { requests: result.requests, events: result.events };
}

/**
 * Requests whose processing failed on their own (not as part of a batch): skipped for a while, so one
 * request the database refuses cannot stop every other one behind it. They stay queued, and are tried
 * again after the pause, or by another process, or after a restart.
 */
const quarantined = new Map<string, number>();
const QUARANTINE_MS = 60_000;

/**
 * Processes up to `limit` stored requests; resolves with how many were taken. A batch that fails is
 * rolled back and its requests are processed one by one, so one bad request cannot hold up the rest.
 */
export async function processStoredRequests(limit = PROCESS_BATCH): Promise<{ requests: number; events: number }> {
  const now = Date.now();
  for (const [id, until] of quarantined) if (until <= now) quarantined.delete(id);
  try {
    if (quarantined.size === 0) return await processTaken(limit, null);
  } catch (error) {
    log("warn", "processing a batch of stored webhooks failed; processing them one by one", { error: String(error) });
  }
  return processOneByOne(limit);
}

async function processOneByOne(limit: number): Promise<{ requests: number; events: number }> {
  const { rows } = await eventsPool().query<{ request_id: string }>(
    "SELECT request_id FROM ingest_queue ORDER BY request_id LIMIT $1",
    [limit + quarantined.size],
  );
  const total = { requests: 0, events: 0 };
  for (const { request_id: id } of rows) {
    if (quarantined.has(id) || total.requests >= limit) continue;
    try {
      const done = await processTaken(1, [id]);
      total.requests += done.requests;
      total.events += done.events;
    } catch (error) {
      quarantined.set(id, Date.now() + QUARANTINE_MS);
      log("error", "a stored webhook could not be processed; it stays queued and is retried later", { requestId: id, error: String(error) });
    }
  }
  return total;
}

/**
 * Processes stored requests as they arrive: woken by this process's ingest, else every `pollMs` (for
 * requests other processes stored). Runs in every worker process.
 */
export function startRequestProcessor(pollMs: number): WakeableLoop {
  // Woken by a webhook while idle, it waits 10 ms for the next ones: under load one transaction then
  // serves several requests instead of one each (4 statements per webhook otherwise).
  const loop = wakeableLoop(
    "webhook processor",
    pollMs,
    async () => (await processStoredRequests(PROCESS_BATCH)).requests === PROCESS_BATCH,
    PROCESS_COALESCE_MS,
  );
  const unsubscribe = onStored(() => loop.wake());
  return {
    wake: loop.wake,
    async stop() {
      unsubscribe();
      await loop.stop();
    },
  };
}
