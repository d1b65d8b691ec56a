import { eventsPool } from "@/lib/db/pg-pool";
import { uuidv7 } from "@/lib/events/ids";
import { redactHeaders } from "@/lib/events/redact";
import { log } from "@/lib/log";

/**
 * Refused webhooks are kept where they can be seen: a bad signature (401), a sender outside the
 * allow-list (403), a body too large (413), events turned off (404 while the instance exists). Each is a
 * stored request with the status Hookline answered and why, and one REJECTED event that is never
 * delivered, so the log and `GET /instances/{id}/events?status=REJECTED` list it.
 *
 * A flood of bad requests must neither slow ingest nor fill the disk:
 * - the answer never waits for this: refusals are buffered (at most MAX_BUFFERED) and written in
 *   batches, one statement each, on the events pool, never the ingest pool;
 * - at most RECORDS_PER_SECOND are recorded per process, and a body is kept up to MAX_BODY_BYTES;
 * - the worker's upkeep keeps the newest KEPT_PER_INSTANCE per instance (lib/delivery/maintenance.ts);
 * what was not recorded or pruned is counted in `instances.rejected_not_kept`.
 */

export const KEPT_PER_INSTANCE = 1000;
const MAX_BUFFERED = 1000;
const RECORDS_PER_SECOND = 200;
const MAX_BODY_BYTES = 64 * 1024;
const FLUSH_DELAY_MS = 50;

export type Rejection = {
  instanceId: number;
  organizationId: string;
  elementKey: string;
  receivedAt: Date;
  status: number;
  reason: string;
  contentType: string;
  headers: Record<string, string>;
  body: Buffer;
  remoteAddress: string | null;
};

let buffered: Rejection[] = [];
const notKept = new Map<number, number>();
let windowStart = 0;
let recordedInWindow = 0;
let flushing: Promise<void> | null = null;
let timer: NodeJS.Timeout | null = null;

/** Records a refusal in the background; returns at once. */
export function recordRejection(rejection: Rejection): void {
  const now = Date.now();
  if (now - windowStart >= 1000) {
    windowStart = now;
    recordedInWindow = 0;
  }
  if (recordedInWindow >= RECORDS_PER_SECOND || buffered.length >= MAX_BUFFERED) {
    notKept.set(rejection.instanceId, (notKept.get(rejection.instanceId) ?? 0) + 1);
  } else {
    recordedInWindow += 1;
    buffered.push({ ...rejection, body: rejection.body.subarray(0, MAX_BODY_BYTES) });
  }
  timer ??= setTimeout(() => void flushRejections(), FLUSH_DELAY_MS);
}

const WRITE = `WITH input (id, instance_id, organization_id, element_key, received_at, content_type, headers, body, remote_address, status, reason) AS (
    SELECT * FROM unnest($1::uuid[], $2::int[], $3::uuid[], $4::text[], $5::timestamptz[], $6::text[], $7::jsonb[], $8::bytea[], $9::text[], $10::int[], $11::text[])),
  request AS (INSERT INTO webhook_requests (id, instance_id, organization_id, element_key, received_at, content_type, headers, body, remote_address, rejected_status, rejected_reason)
    SELECT i.* FROM input i WHERE EXISTS (SELECT 1 FROM instances WHERE id = i.instance_id)
    RETURNING id),
  event AS (INSERT INTO events (id, event_id, request_id, instance_id, organization_id, element_key, summary, event_count, payload, status, created_at, last_status_code, last_error)
    SELECT i.id, 'rejected-' || i.id, i.id, i.instance_id, i.organization_id, i.element_key, '[]'::jsonb, 0, ''::bytea, 'REJECTED', i.received_at, i.status, i.reason
      FROM input i JOIN request r ON r.id = i.id),
  counted AS (UPDATE instances SET rejected_not_kept = rejected_not_kept + c.n
    FROM unnest($12::int[], $13::int[]) AS c(id, n) WHERE instances.id = c.id)
  SELECT count(*)::int AS written FROM request`;

/** Writes what is buffered (tests call it to wait); one write at a time. */
export async function flushRejections(): Promise<void> {
  if (timer) clearTimeout(timer);
  timer = null;
  while (flushing) await flushing;
  if (buffered.length === 0 && notKept.size === 0) return;
  const batch = buffered;
  const counts = [...notKept];
  buffered = [];
  notKept.clear();
  flushing = eventsPool()
    .query(WRITE, [
      batch.map(() => uuidv7()),
      batch.map((r) => r.instanceId),
      batch.map((r) => r.organizationId),
      batch.map((r) => r.elementKey),
      batch.map((r) => r.receivedAt),
      batch.map((r) => r.contentType),
      batch.map((r) => JSON.stringify(redactHeaders(r.headers))),
      batch.map((r) => r.body),
      batch.map((r) => r.remoteAddress),
      batch.map((r) => r.status),
      batch.map((r) => r.reason),
      counts.map(([id]) => id),
      counts.map(([, n]) => n),
    ])
    .then(() => undefined)
    .catch((error: unknown) => log("warn", "could not record refused webhooks", { error: String(error), count: batch.length }))
    .finally(() => {
      flushing = null;
    });
  await flushing;
}
