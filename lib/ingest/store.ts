import { env } from "@/lib/env";
import { eventsPool } from "@/lib/db/pg-pool";
import { jobInsertStatement, notifyEnqueued, type NewDeliveryJob } from "@/lib/delivery/queue";

/**
 * Writing received webhooks: the request, its notifications and their delivery jobs in ONE statement
 * (data-modifying CTEs), so one round trip and one commit, atomic on its own: nothing is stored without
 * its job or vice versa, and the provider gets its 2xx only after the commit.
 *
 * Group commit: at most HOOKLINE_INGEST_WRITERS statements run at once (1 by default: on 2 cores one
 * writer with bigger batches took 4954 webhooks/s at 64 connections, two 4311, four 3515); webhooks
 * that arrive while they do wait and go together in the next statement (up to MAX_BATCH). A lone webhook is written at once, so this
 * adds no latency when traffic is light and saves the per-statement and per-commit cost when it is not.
 * If a shared statement fails (one cached instance row changed, say), each webhook in it is written
 * again on its own, so one request can never fail another.
 */

/** Raised by the statement (as a failing cast) when a cached instance row changed since it was read. */
export const STALE_INSTANCE = "hookline: stale instance";

export type EventRow = { id: string; eventId: string; summary: string; count: number; payload: Buffer; jobId: string | null };

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
  /** `PENDING`, or `DISABLED` while the receiver has said 410 Gone. */
  status: "PENDING" | "DISABLED";
  rows: EventRow[];
  jobs: NewDeliveryJob[];
};

const MAX_BATCH = 64;

/** The statement for `batch`; prepared (named by its shape) when every request has one notification. */
export async function insertStatement(batch: readonly StoredRequest[]) {
  const values: unknown[] = [];
  const add = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const input = batch.map(
    (r) =>
      `(${add(r.id)}::uuid, ${add(r.instanceId)}::int, ${add(r.organizationId)}::uuid, ${add(r.elementKey)}::text, ` +
      `${add(r.receivedAt)}::timestamptz, ${add(r.contentType)}::text, ${add(r.headers)}::jsonb, ${add(r.body)}::bytea, ` +
      `${add(r.remoteAddress)}::text, ${add(r.instanceVersion)}::text)`,
  );
  const events = batch.flatMap((r) =>
    r.rows.map(
      (row) =>
        `(${add(row.id)}::uuid, ${add(row.eventId)}::text, ${add(r.id)}::uuid, ${add(row.summary)}::jsonb, ${add(row.count)}::int, ` +
        `${add(row.payload)}::bytea, ${add(row.jobId)}::uuid, ${add(r.status)}::"EventStatus")`,
    ),
  );
  const jobs = batch.flatMap((r) => r.jobs);
  const ctes = [
    `input (id, instance_id, organization_id, element_key, received_at, content_type, headers, body, remote_address, version)
       AS (VALUES ${input.join(", ")})`,
    `request AS (INSERT INTO webhook_requests
         (id, instance_id, organization_id, element_key, received_at, content_type, headers, body, remote_address)
       SELECT i.id, i.instance_id, i.organization_id, i.element_key, i.received_at, i.content_type, i.headers, i.body, i.remote_address
         FROM input i WHERE EXISTS (SELECT 1 FROM instances WHERE id = i.instance_id AND xmin::text = i.version)
       RETURNING 1)`,
  ];
  if (events.length) {
    ctes.push(`events AS (INSERT INTO events (id, event_id, request_id, instance_id, organization_id, element_key, summary,
                                    event_count, payload, status, job_id, created_at)
       SELECT e.id, e.event_id, i.id, i.instance_id, i.organization_id, i.element_key, e.summary, e.event_count, e.payload, e.status, e.job_id, i.received_at
         FROM (VALUES ${events.join(", ")}) AS e(id, event_id, request_id, summary, event_count, payload, job_id, status)
         JOIN input i ON i.id = e.request_id)`);
  }
  // The failing casts depend on counts, so the planner cannot fold them into an error up front. If pg-boss
  // inserted fewer jobs than asked (it silently skips jobs for a missing queue), that fails on purpose too.
  const requests = "(SELECT count(*) FROM request)";
  const stale = `WHEN ${requests} <> ${batch.length} THEN ('${STALE_INSTANCE}: ' || ${requests})::int`;
  let check = `SELECT CASE ${stale} ELSE 0 END AS jobs`;
  if (jobs.length) {
    const job = await jobInsertStatement(jobs, values.length + 1);
    values.push(...job.values);
    ctes.push(`jobs AS (${job.sql})`);
    check = `SELECT CASE ${stale} WHEN count(*) = ${jobs.length} THEN count(*)
                    ELSE ('delivery queue refused jobs: ' || count(*))::int END AS jobs FROM jobs`;
  }
  const regular = batch.every((r) => r.rows.length === 1 && r.jobs.length <= 1) && new Set(batch.map((r) => r.jobs.length)).size === 1;
  return {
    ...(regular || batch.length === 1 ? { name: `hookline_ingest_${batch.length}_${events.length}_${jobs.length}` } : {}),
    text: `WITH ${ctes.join(",\n")}\n${check}`,
    values,
  };
}

const counts = { statements: 0, requests: 0, sharedFailures: 0 };

/** Statements written and requests they carried since start (tests; a figure for profiling). */
export function ingestStoreCounts(): Readonly<typeof counts> {
  return { ...counts };
}

async function write(batch: readonly StoredRequest[]): Promise<void> {
  await eventsPool().query(await insertStatement(batch));
  counts.statements += 1;
  counts.requests += batch.length;
  if (batch.some((r) => r.jobs.length)) notifyEnqueued();
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
