import type { PoolClient } from "pg";
import { eventsPool } from "@/lib/db/pg-pool";

/**
 * The delivery queue, owned outright: `delivery_jobs` holds the next delivery of every event that still
 * has one to make, one lane per instance (`delivery_lanes`), in the same database as the events. No
 * queue library: the previous one (pg-boss 10) had no per-group concurrency, a 30 s expiry as its only
 * crash recovery, and Hookline depended on the text of its internal SQL. Here every statement is ours:
 *
 * - enqueue: insert (or reset) jobs and their lanes inside the caller's transaction;
 * - claim: `hookline_claim_deliveries` (migration 20261206100000_pipeline_v2) hands out due jobs
 *   round-robin across lanes, within each lane's cap, rate and breaker, each with a new lease;
 * - heartbeat: a worker pushes its leases on while it delivers; a worker that died stops doing so and
 *   its jobs are due again when their lease runs out;
 * - record: one statement for a batch of outcomes (see lib/delivery/record.ts).
 */

type Queryable = Pick<PoolClient, "query">;

export type NewDelivery = {
  /** The `events.id` row to deliver. */
  event: string;
  instanceId: number;
  /** Asked for by a person: sent even while the lane is paused or delivery is disabled (410). */
  manual?: boolean;
};

/**
 * Queues the first try of each event (or resets an event's pending job to a first, due-now try: a
 * redelivery supersedes whatever was scheduled, and a worker holding the old lease records its attempt
 * without deciding the event's fate). Runs on `db`, so the jobs commit with the rows they deliver.
 */
export async function enqueueDeliveries(db: Queryable, jobs: readonly NewDelivery[]): Promise<void> {
  if (jobs.length === 0) return;
  await db.query(
    `WITH lanes AS (
       INSERT INTO delivery_lanes (instance_id) SELECT DISTINCT unnest($2::int[]) ON CONFLICT DO NOTHING
     )
     INSERT INTO delivery_jobs (event_id, instance_id, run_at, step, manual)
     SELECT t.event_id, t.instance_id, now(), 0, t.manual FROM unnest($1::uuid[], $2::int[], $3::bool[]) AS t(event_id, instance_id, manual)
     ON CONFLICT (event_id) DO UPDATE SET run_at = now(), step = 0, manual = EXCLUDED.manual, lease = NULL`,
    [jobs.map((job) => job.event), jobs.map((job) => job.instanceId), jobs.map((job) => job.manual === true)],
  );
}

export type ClaimOptions = {
  /** Jobs to hand out at most (the worker's free slots). */
  max: number;
  /** Deliveries in flight per lane at most, across all processes. */
  laneCap: number;
  /** Start after this lane (instance id); the caller passes the last lane it was given, for round-robin. */
  afterLane: number;
  leaseSeconds: number;
  probeSeconds: number;
  /** Leases of this worker whose receiver answered and whose outcome is being recorded: not in flight. */
  answered: readonly string[];
};

/** A claimed job with what delivering it needs. */
export type ClaimedDelivery = {
  id: string;
  event_id: string;
  instance_id: number;
  step: number;
  manual: boolean;
  lease: string;
  probe: boolean;
  payload: Buffer;
  configuration: Record<string, unknown>;
  secrets_encrypted: string | null;
  previous_signature_key_encrypted: string | null;
  delivery_disabled: boolean;
};

/*
 * Two statements, not one: the claim function reads with a fresh snapshot per statement, so it can
 * lease jobs committed after a surrounding statement began; a join to `events` in that same statement
 * would not see their rows and would drop them (each then waited out its lease). The load runs after
 * the claim, so it sees every event whose job was claimed. Both are planned at each call (not
 * prepared): a generic plan made while the queue was empty would keep walking whatever it chose then.
 */
const CLAIM = "SELECT event_id, instance_id, step, manual, lease, probe FROM hookline_claim_deliveries($1, $2, $3, $4, $5, $6::uuid[])";

const LOAD = `SELECT e.id, e.event_id, e.payload, i.configuration, i.secrets_encrypted, i.previous_signature_key_encrypted,
                     i.delivery_disabled_at IS NOT NULL AS delivery_disabled
                FROM events e JOIN instances i ON i.id = e.instance_id
               WHERE e.id = ANY($1::uuid[])`;

type Claimed = Pick<ClaimedDelivery, "instance_id" | "step" | "manual" | "lease" | "probe"> & { event_id: string };
type Loaded = Pick<ClaimedDelivery, "id" | "event_id" | "payload" | "configuration" | "secrets_encrypted" | "previous_signature_key_encrypted" | "delivery_disabled">;

/**
 * Claims due deliveries, in lane order (round-robin from `afterLane`), with their events loaded. A job
 * whose event is gone (its instance deleted meanwhile) is not returned; its lease simply runs out.
 */
export async function claimDeliveries(options: ClaimOptions): Promise<ClaimedDelivery[]> {
  const pool = eventsPool();
  const { rows: claimed } = await pool.query<Claimed>(CLAIM, [
    options.max,
    options.laneCap,
    options.afterLane,
    options.leaseSeconds,
    options.probeSeconds,
    options.answered,
  ]);
  if (claimed.length === 0) return [];
  const { rows } = await pool.query<Loaded>(LOAD, [claimed.map((job) => job.event_id)]);
  const events = new Map(rows.map((row) => [row.id, row]));
  return claimed.flatMap((job) => {
    const event = events.get(job.event_id);
    return event ? [{ ...job, ...event }] : [];
  });
}

/** Pushes the leases of deliveries still in flight `leaseSeconds` into the future. */
export async function extendLeases(held: readonly { id: string; lease: string }[], leaseSeconds: number): Promise<void> {
  if (held.length === 0) return;
  await eventsPool().query(
    `UPDATE delivery_jobs j SET run_at = now() + make_interval(secs => $3)
       FROM unnest($1::uuid[], $2::uuid[]) AS t(event_id, lease)
      WHERE j.event_id = t.event_id AND j.lease = t.lease`,
    [held.map((h) => h.id), held.map((h) => h.lease), leaseSeconds],
  );
}

/*
 * Local wake-up: a worker in this process looks for due jobs every poll interval; whatever just queued
 * jobs here (the processor, a redeliver) wakes it at once. Purely a latency shortcut: other processes
 * find the jobs by polling. Kept on globalThis because the custom server and Next's bundle each load
 * their own copy of this module.
 */
const globalForListeners = globalThis as unknown as { hooklineEnqueueListeners?: Set<() => void> };
const listeners = (globalForListeners.hooklineEnqueueListeners ??= new Set<() => void>());

export function onEnqueued(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function notifyEnqueued(): void {
  for (const listener of listeners) listener();
}
