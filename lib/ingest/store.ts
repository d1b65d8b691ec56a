import { env } from "@/lib/env";
import { ingestPool } from "@/lib/db/pg-pool";

/**
 * Accepting a webhook is ONE durable write: the raw request and its entry in `ingest_queue`, in one
 * statement (data-modifying CTEs: one round trip, one commit, atomic), and the provider gets its 2xx
 * only after it committed. Normalizing, splitting into notifications and scheduling deliveries happen
 * afterwards, in batches, from the stored requests (lib/ingest/process-requests.ts).
 *
 * Group commit: at most HOOKLINE_INGEST_WRITERS statements run at once (1 by default); webhooks that
 * arrive while they do wait and go together in the next statement (up to MAX_BATCH). A lone webhook is
 * written at once, so this adds no latency when traffic is light and saves the per-statement and
 * per-commit cost when it is not. If a shared statement fails (one cached instance row changed, say),
 * each webhook in it is written again on its own, so one request can never fail another.
 */

/** Raised by the statement (as a failing cast) when a cached instance row changed since it was read. */
export const STALE_INSTANCE = "hookline: stale instance";

export type StoredRequest = {
  id: string;
  instanceId: number;
  /** `xmin` of the instance row the request was checked against: nothing is written if it changed. */
  instanceVersion: string;
  organizationId: string;
  elementKey: string;
  receivedAt: Date;
  contentType: string;
  /** JSON text of the (redacted) headers. */
  headers: string;
  body: Buffer;
  remoteAddress: string | null;
  /** lib/ingest/dedup.ts; null when deduplication is off. */
  dedupKey: string | null;
};

const MAX_BATCH = 64;

/** The statement for `batch`, prepared (named by its size): its shape depends on nothing else. */
export function insertStatement(batch: readonly StoredRequest[]) {
  const values: unknown[] = [];
  const add = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const input = batch.map(
    (r) =>
      `(${add(r.id)}::uuid, ${add(r.instanceId)}::int, ${add(r.organizationId)}::uuid, ${add(r.elementKey)}::text, ` +
      `${add(r.receivedAt)}::timestamptz, ${add(r.contentType)}::text, ${add(r.headers)}::jsonb, ${add(r.body)}::bytea, ` +
      `${add(r.remoteAddress)}::text, ${add(r.instanceVersion)}::text, ${add(r.dedupKey)}::text)`,
  );
  const windowSeconds = add(Math.round(env().HOOKLINE_DEDUP_WINDOW_HOURS * 3600));
  // The failing cast depends on a count, so the planner cannot fold it into an error up front.
  // Dedup keys (lib/ingest/dedup.ts): the first request of a key holds it; one held longer than the
  // window passes to the new request. DO UPDATE (not DO NOTHING) so RETURNING names the holder even when
  // it committed a moment ago in another statement; DISTINCT ON, as one statement may not touch a row
  // twice (repeats within one batch follow their first).
  const expired = `webhook_dedup_keys.received_at <= EXCLUDED.received_at - make_interval(secs => ${windowSeconds}::int)`;
  const text = `WITH input (id, instance_id, organization_id, element_key, received_at, content_type, headers, body, remote_address, version, dedup_key)
       AS (VALUES ${input.join(", ")}),
    valid AS (SELECT i.* FROM input i WHERE EXISTS (SELECT 1 FROM instances WHERE id = i.instance_id AND xmin::text = i.version)),
    held AS (INSERT INTO webhook_dedup_keys (instance_id, key, request_id, received_at)
       SELECT DISTINCT ON (v.instance_id, v.dedup_key) v.instance_id, v.dedup_key, v.id, v.received_at
         FROM valid v WHERE v.dedup_key IS NOT NULL ORDER BY v.instance_id, v.dedup_key, v.id
       ON CONFLICT (instance_id, key) DO UPDATE SET
         request_id = CASE WHEN ${expired} THEN EXCLUDED.request_id ELSE webhook_dedup_keys.request_id END,
         received_at = CASE WHEN ${expired} THEN EXCLUDED.received_at ELSE webhook_dedup_keys.received_at END
       RETURNING instance_id, key, request_id),
    request AS (INSERT INTO webhook_requests
         (id, instance_id, organization_id, element_key, received_at, content_type, headers, body, remote_address, duplicate_of)
       SELECT v.id, v.instance_id, v.organization_id, v.element_key, v.received_at, v.content_type, v.headers, v.body,
              v.remote_address, NULLIF(h.request_id, v.id)
         FROM valid v LEFT JOIN held h ON h.instance_id = v.instance_id AND h.key = v.dedup_key
       RETURNING id),
    queued AS (INSERT INTO ingest_queue (request_id) SELECT id FROM request),
    -- The live log shows a request as soon as it is stored, where someone watches its organization.
    announced AS (INSERT INTO live_log_changes (event_id, organization_id)
       SELECT r.id, i.organization_id FROM request r JOIN input i ON i.id = r.id
        WHERE EXISTS (SELECT 1 FROM live_log_watchers w WHERE w.organization_id = i.organization_id AND w.expires_at > now()))
    SELECT CASE WHEN count(*) <> ${batch.length} THEN ('${STALE_INSTANCE}: ' || count(*))::int ELSE 0 END AS stale FROM request`;
  return { name: `hookline_ingest_${batch.length}`, text, values };
}

const counts = { statements: 0, requests: 0, sharedFailures: 0 };

/** Statements written and requests they carried since start (tests; a figure for profiling). */
export function ingestStoreCounts(): Readonly<typeof counts> {
  return { ...counts };
}

async function write(batch: readonly StoredRequest[]): Promise<void> {
  await ingestPool().query(insertStatement(batch));
  counts.statements += 1;
  counts.requests += batch.length;
  notifyStored();
}

/*
 * Local wake-up for the processor of this process (other processes' processors poll). Kept on
 * globalThis because the custom server and Next's bundle each load their own copy of this module.
 */
const globalForListeners = globalThis as unknown as { hooklineStoredListeners?: Set<() => void> };
const storedListeners = (globalForListeners.hooklineStoredListeners ??= new Set<() => void>());

export function onStored(listener: () => void): () => void {
  storedListeners.add(listener);
  return () => storedListeners.delete(listener);
}

/** Wakes this process's processor: after a local store, or when the web process says it stored. */
export function notifyStored(): void {
  for (const listener of storedListeners) listener();
}

type Waiting = { request: StoredRequest; resolve: () => void; reject: (error: unknown) => void };

const waiting: Waiting[] = [];
let running = 0;

async function flush(batch: Waiting[]): Promise<void> {
  if (batch.length > 1) {
    try {
      await write(batch.map((w) => w.request));
      for (const w of batch) w.resolve();
      return;
    } catch {
      counts.sharedFailures += 1; // each on its own below, with its own outcome
    }
  }
  await Promise.all(batch.map((w) => write([w.request]).then(w.resolve, w.reject)));
}

function drain(): void {
  while (running < env().HOOKLINE_INGEST_WRITERS && waiting.length) {
    const batch = waiting.splice(0, MAX_BATCH);
    running++;
    void flush(batch).finally(() => {
      running--;
      drain();
    });
  }
}

/** Resolves once `request` is committed (alone or with others), rejects with its own statement's error. */
export function storeRequest(request: StoredRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    waiting.push({ request, resolve, reject });
    drain();
  });
}
