import PgBoss from "pg-boss";
import type { PoolClient } from "pg";
import { env } from "@/lib/env";
import { deliver, DELIVERY_TIMEOUT_MS, type DeliveryResult } from "@/lib/delivery/deliver";
import { uuidv7 } from "@/lib/events/ids";
import { executorFor, inTransaction, eventsPool } from "@/lib/db/pg-pool";
import {
  DELIVERY_QUEUE,
  createOrUpdateQueue,
  deliveryJobSchema,
  enqueueDeliveries,
  jobCompleteStatement,
  onEnqueued,
  type DeliveryJob,
} from "@/lib/delivery/queue";
import { nextDelaySeconds } from "@/lib/delivery/schedule";
import { decryptSecrets } from "@/lib/instances/secrets";
import { log } from "@/lib/log";

/**
 * The delivery worker: pg-boss workers on the `deliveries` queue. Any number of processes may run one
 * against the same database; jobs are handed out with SKIP LOCKED, so more workers = more throughput.
 *
 * One dispatcher per process keeps up to `concurrency` deliveries in flight: it fetches as many due jobs
 * as it has free slots (one pg-boss fetch, SKIP LOCKED), loads their events in one query, and starts each
 * delivery on its own (a slow receiver holds up only its own slot). It fetches again at once when a slot
 * frees while there is a backlog, when an ingest in this process enqueues jobs, and otherwise every
 * `pollingIntervalSeconds` (jobs of other processes, retries coming due).
 *
 * Per job: POST the event (deliver.ts) → ONE statement (atomic on its own) records the attempt, moves
 * the event to its next state and completes this job; a retry also schedules the next try (a new job
 * with `startAfter`) in the same transaction. Outcomes:
 * 2xx → DELIVERED; 410 → DISABLED and the instance's automatic delivery off; a refused URL (SSRF guard)
 * or no callback URL → DEAD at once (retrying cannot help; fix the URL, then redeliver); anything else →
 * RETRYING on the schedule, DEAD after the last delay. A worker stopped mid-delivery records nothing and
 * lets pg-boss hand the job out again: delivery is at-least-once, receivers dedupe on the eventId.
 */

const CALLBACK_URL = "event.notification.callback.url";
const SIGNATURE_KEY = "event.notification.signature.key";

export type DeliveryWorkerOptions = {
  connectionString: string;
  /** Seconds before each retry; default `HOOKLINE_DELIVERY_SCHEDULE`. */
  schedule?: readonly number[];
  /** Deliveries at the same time in this process; default `HOOKLINE_WORKER_CONCURRENCY`. */
  concurrency?: number;
  /** How often idle workers look for due jobs (pg-boss minimum 0.5). */
  pollingIntervalSeconds?: number;
  /** How often pg-boss looks for jobs of dead workers (expired after `QUEUE_OPTIONS.expireInSeconds`). */
  maintenanceIntervalSeconds?: number;
  timeoutMs?: number;
  /** Default `HOOKLINE_ALLOW_PRIVATE_CALLBACKS`. */
  allowPrivate?: boolean;
  /** Milliseconds a worker woken by a new webhook waits for more before it fetches; default 10, 0 = none. */
  coalesceMs?: number;
};

export type DeliveryWorker = {
  /**
   * Stops taking jobs, waits up to `graceMs` (default 15 s) for deliveries in flight, then abandons the
   * rest (their jobs return to the queue). `graceMs: 0` behaves like a crash, which tests use.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
};

type Settings = { schedule: readonly number[]; timeoutMs: number; allowPrivate: boolean };

type EventForDelivery = {
  id: string;
  event_id: string;
  instance_id: number;
  payload: Buffer;
  job_id: string | null;
  configuration: Record<string, unknown>;
  secrets_encrypted: string | null;
  delivery_disabled: boolean;
};

type Outcome = {
  status: "DELIVERED" | "RETRYING" | "DEAD" | "DISABLED";
  delaySeconds: number | null;
  disableInstance: boolean;
  enableInstance: boolean;
};

class Abandoned extends Error {}

const LOAD_EVENTS = `SELECT e.id, e.event_id, e.instance_id, e.payload, e.job_id, i.configuration, i.secrets_encrypted,
            i.delivery_disabled_at IS NOT NULL AS delivery_disabled
       FROM events e JOIN instances i ON i.id = e.instance_id
      WHERE e.id = ANY($1::uuid[])`;

/*
 * Prepared statements soon run a generic plan, made from the statistics of the moment and kept for the
 * life of the connection. Made while the queue was empty (a fresh install, or after maintenance cleared
 * it), pg-boss's fetch and its job completion (`id IN (SELECT UNNEST(…))`) walked every row of the job
 * table to hand out or complete one job: 15–45 ms a statement at 10 000 jobs, and a backlog drained at
 * ~70 deliveries/s. So the fetch and the batch load are planned at each call (they run once per batch),
 * and the per-delivery record statement, prepared because planning it cost more than running it, only
 * looks rows up by primary key (the job by `(name, id)`, see jobCompleteStatement).
 */

/** The events of a fetched batch, in one query. */
async function loadEvents(ids: string[]): Promise<Map<string, EventForDelivery>> {
  const { rows } = await eventsPool().query<EventForDelivery>(LOAD_EVENTS, [ids]);
  return new Map(rows.map((row) => [row.id, row]));
}

function skipped(error: string): DeliveryResult {
  return { ok: false, status: null, ms: 0, excerpt: null, error, retryable: false, aborted: false };
}

function decide(job: DeliveryJob, result: DeliveryResult, schedule: readonly number[], disabledSkip: boolean): Outcome {
  const none = { delaySeconds: null, disableInstance: false, enableInstance: false };
  if (result.ok) return { ...none, status: "DELIVERED", enableInstance: job.manual === true };
  if (disabledSkip) return { ...none, status: "DISABLED" };
  if (result.status === 410) return { ...none, status: "DISABLED", disableInstance: true };
  if (!result.retryable) return { ...none, status: "DEAD" };
  const delaySeconds = nextDelaySeconds(schedule, job.step);
  return delaySeconds === null ? { ...none, status: "DEAD" } : { ...none, status: "RETRYING", delaySeconds };
}

async function attempt(event: EventForDelivery, job: DeliveryJob, settings: Settings, signal: AbortSignal) {
  const url = event.configuration[CALLBACK_URL];
  const startedAt = new Date();
  const disabledSkip = event.delivery_disabled && !job.manual;
  let result: DeliveryResult;
  if (disabledSkip) {
    result = skipped("not sent: delivery to this instance is disabled (its receiver answered 410 Gone)");
  } else if (typeof url !== "string" || url === "") {
    result = skipped(`not sent: the instance has no ${CALLBACK_URL}`);
  } else {
    const key = decryptSecrets(event.secrets_encrypted)[SIGNATURE_KEY];
    result = await deliver({
      url,
      payload: event.payload,
      eventId: event.event_id,
      signatureKey: key || undefined,
      timeoutMs: settings.timeoutMs,
      allowPrivate: settings.allowPrivate,
      signal,
    });
  }
  return { url: typeof url === "string" ? url : null, startedAt, result, disabledSkip };
}

/**
 * The attempt, the event's next state and this job's completion as ONE statement (data-modifying CTEs,
 * one round trip, atomic). The event row is locked first (`cur`): a redeliver may have taken the event
 * over while we were sending (its `job_id` is no longer ours), and then the attempt is recorded and the
 * attempt count moves, but nothing else changes.
 */
function recordStatement(outcome: Outcome): string {
  const instanceUpdate = outcome.disableInstance
    ? `, instance AS (UPDATE instances SET delivery_disabled_at = now()
         WHERE id = $13 AND delivery_disabled_at IS NULL AND EXISTS (SELECT 1 FROM upd WHERE upd.owned))`
    : outcome.enableInstance
      ? `, instance AS (UPDATE instances SET delivery_disabled_at = NULL
           WHERE id = $13 AND EXISTS (SELECT 1 FROM upd WHERE upd.owned))`
      : "";
  return `WITH cur AS (SELECT id, job_id IS NOT DISTINCT FROM $2::uuid AS owned FROM events WHERE id = $1::uuid FOR UPDATE),
    upd AS (
      UPDATE events e SET attempts = e.attempts + 1, last_attempt_at = $3, last_status_code = $4, last_error = $5,
          status = CASE WHEN cur.owned THEN $6::"EventStatus" ELSE e.status END,
          job_id = CASE WHEN cur.owned THEN $7::uuid ELSE e.job_id END,
          next_attempt_at = CASE WHEN NOT cur.owned THEN e.next_attempt_at
                                 WHEN $8::float8 IS NULL THEN NULL ELSE now() + make_interval(secs => $8::float8) END,
          delivered_at = CASE WHEN cur.owned AND $6::"EventStatus" = 'DELIVERED' THEN now() ELSE e.delivered_at END
        FROM cur WHERE e.id = cur.id
        RETURNING e.id, e.attempts, cur.owned),
    attempt AS (
      INSERT INTO delivery_attempts (id, event_id, attempt, started_at, url, status_code, latency_ms, response_excerpt, error)
        SELECT $9::uuid, upd.id, upd.attempts, $3, $10, $4, $11, $12, $5 FROM upd)${instanceUpdate},
    completed AS (%COMPLETE%)
    SELECT upd.attempts, upd.owned, $13::int AS instance_id FROM upd`;
}

async function record(
  db: Pick<PoolClient, "query">,
  jobId: string,
  event: EventForDelivery,
  tried: Awaited<ReturnType<typeof attempt>>,
  outcome: Outcome,
  nextJobId: string | null,
): Promise<{ attempt: number; owned: boolean }> {
  const { result, startedAt } = tried;
  const values: unknown[] = [
    event.id,
    jobId,
    startedAt,
    result.status,
    result.error,
    outcome.status,
    nextJobId,
    outcome.delaySeconds,
    uuidv7(),
    tried.url,
    result.ms,
    result.excerpt,
    event.instance_id,
  ];
  const complete = await jobCompleteStatement(jobId, values.length + 1);
  values.push(...complete.values);
  const shape = outcome.disableInstance ? "disable" : outcome.enableInstance ? "enable" : "plain";
  const { rows } = await db.query<{ attempts: number; owned: boolean }>({
    name: `hookline_worker_record_${shape}`,
    text: recordStatement(outcome).replace("%COMPLETE%", complete.sql),
    values,
  });
  const row = rows[0];
  return row ? { attempt: row.attempts, owned: row.owned } : { attempt: 0, owned: false };
}

/**
 * One job, start to finish. Resolves when the job is settled (recorded and completed, or dropped and
 * completed); throws only when the job must be retried by pg-boss (shutdown, database trouble).
 */
async function processJob(
  boss: PgBoss,
  job: PgBoss.Job<unknown>,
  event: EventForDelivery | undefined,
  settings: Settings,
  signal: AbortSignal,
): Promise<void> {
  const data = deliveryJobSchema.safeParse(job.data);
  if (!data.success) log("error", "delivery job with bad data dropped", { jobId: job.id });
  // Gone (instance deleted) or superseded (redelivered since this job was made): nothing to do.
  if (!data.success || !event || event.job_id !== job.id) {
    await boss.complete(DELIVERY_QUEUE, job.id, {}, { db: executorFor(eventsPool()) });
    return;
  }

  const tried = await attempt(event, data.data, settings, signal);
  if (tried.result.aborted) throw new Abandoned("worker stopped during delivery");
  const outcome = decide(data.data, tried.result, settings.schedule, tried.disabledSkip);
  let recorded: { attempt: number; owned: boolean };
  if (outcome.status === "RETRYING" && outcome.delaySeconds !== null) {
    // The next try's job commits with the attempt, and only if this job still owned the event.
    const nextJobId = uuidv7();
    const delaySeconds = outcome.delaySeconds;
    recorded = await inTransaction(async (client) => {
      const done = await record(client, job.id, event, tried, outcome, nextJobId);
      if (done.owned) {
        await enqueueDeliveries(executorFor(client), [
          { id: nextJobId, data: { ...data.data, step: data.data.step + 1 }, startAfterSeconds: delaySeconds },
        ]);
      }
      return done;
    });
  } else {
    // Completing the job in the same statement: a crash after it cannot make pg-boss retry a try that was
    // already recorded.
    recorded = await record(eventsPool(), job.id, event, tried, outcome, null);
  }
  if (!recorded.owned || outcome.status !== "DELIVERED") {
    log("info", "delivery attempt", {
      eventId: event.event_id,
      instanceId: event.instance_id,
      attempt: recorded.attempt,
      status: tried.result.status,
      ms: tried.result.ms,
      outcome: recorded.owned ? outcome.status : "superseded",
      ...(tried.result.error ? { error: tried.result.error } : {}),
    });
  } else {
    log("debug", "delivery attempt", { eventId: event.event_id, attempt: recorded.attempt, ms: tried.result.ms, outcome: "DELIVERED" });
  }
}

/** Fetches of at most this many jobs: a larger backlog is taken in several fetches as slots free. */
const MAX_FETCH = 32;

/** How long a worker woken by a new webhook waits for more before fetching (adds at most this latency). */
const COALESCE_MS = 10;

export async function startDeliveryWorker(options: DeliveryWorkerOptions): Promise<DeliveryWorker> {
  const settings: Settings = {
    schedule: options.schedule ?? env().HOOKLINE_DELIVERY_SCHEDULE,
    timeoutMs: options.timeoutMs ?? DELIVERY_TIMEOUT_MS,
    allowPrivate: options.allowPrivate ?? env().HOOKLINE_ALLOW_PRIVATE_CALLBACKS,
  };
  const concurrency = options.concurrency ?? env().HOOKLINE_WORKER_CONCURRENCY;
  const pollMs = Math.max(0.5, options.pollingIntervalSeconds ?? 0.5) * 1000;
  const coalesceMs = options.coalesceMs ?? COALESCE_MS;
  // Event rows are read and written through the shared events pool; a worker process may have no DATABASE_URL.
  const pool = eventsPool(options.connectionString);

  // pg-boss here runs the queue's maintenance (expiring the jobs of dead workers) and is the API for
  // fetch/complete/fail; the dispatcher below does the fetching, over the events pool.
  const boss = new PgBoss({
    connectionString: options.connectionString,
    max: 2,
    application_name: "hookline-worker",
    schedule: false,
    supervise: true,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 15,
  });
  boss.on("error", (error) => log("error", "delivery worker error", { error: error.message }));
  await boss.start();
  await createOrUpdateQueue(boss);
  // pg-boss's fetch, over the events pool (planned at each call: see above).
  const fetchDb = executorFor(pool);

  const inFlight = new Map<string, AbortController>();
  let running = true;
  let backlog = false;
  let woken = false;
  let wake: (() => void) | undefined;
  const signalLoop = () => {
    woken = true;
    wake?.();
  };

  const failJobs = async (ids: string[]) => {
    await boss.fail(DELIVERY_QUEUE, ids).catch((error: unknown) => {
      // Not fatal: the jobs stay active and pg-boss's maintenance expires and retries them.
      log("error", "could not return delivery jobs to the queue", { error: String(error), jobs: ids.length });
    });
  };

  const run = (job: PgBoss.Job<unknown>, event: EventForDelivery | undefined) => {
    const controller = new AbortController();
    inFlight.set(job.id, controller);
    void processJob(boss, job, event, settings, controller.signal)
      .catch(async (error: unknown) => {
        if (!(error instanceof Abandoned)) {
          log("error", "delivery job failed; the queue will retry it", { jobId: job.id, error: String(error) });
        }
        await failJobs([job.id]);
      })
      .finally(() => {
        inFlight.delete(job.id);
        if (backlog) signalLoop();
      });
  };

  const loop = async () => {
    while (running) {
      const free = concurrency - inFlight.size;
      if (free > 0) {
        // Woken by a webhook while there is no backlog: wait a moment for the next ones, so one fetch
        // and one load serve several (one webhook at a time otherwise costs three statements each).
        if (woken && !backlog && coalesceMs > 0) await new Promise((resolve) => setTimeout(resolve, coalesceMs));
        woken = false;
        const batchSize = Math.min(free, MAX_FETCH);
        let jobs: PgBoss.Job<unknown>[] = [];
        try {
          jobs = await boss.fetch<unknown>(DELIVERY_QUEUE, { batchSize, db: fetchDb });
        } catch (error) {
          log("error", "delivery worker could not fetch jobs", { error: String(error) });
        }
        backlog = jobs.length === batchSize;
        if (jobs.length && !running) {
          await failJobs(jobs.map((job) => job.id));
          break;
        }
        if (jobs.length) {
          let events: Map<string, EventForDelivery> | undefined;
          try {
            events = await loadEvents(jobs.map((job) => (job.data as { event?: unknown })?.event).filter(isUuidString));
          } catch (error) {
            log("error", "delivery worker could not load events; the queue will retry them", { error: String(error) });
            await failJobs(jobs.map((job) => job.id));
          }
          if (events) for (const job of jobs) run(job, events.get((job.data as { event?: string })?.event ?? ""));
          // A full fetch means more may be waiting: take them as soon as there is room.
          if (backlog && inFlight.size < concurrency) continue;
        }
      }
      if (!running) break;
      if (woken && inFlight.size < concurrency) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, pollMs);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      });
    }
  };
  const looping = loop();
  const unsubscribe = onEnqueued(signalLoop);
  log("info", "delivery worker started", { concurrency, pollMs, schedule: settings.schedule });

  return {
    async stop({ graceMs = 15_000 } = {}) {
      unsubscribe();
      running = false;
      wake?.();
      await looping;
      const waitUntil = Date.now() + graceMs;
      while (inFlight.size > 0 && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 50));
      for (const controller of inFlight.values()) controller.abort();
      // Aborted deliveries return their jobs to the queue (failJobs) before pg-boss stops.
      while (inFlight.size > 0) await new Promise((r) => setTimeout(r, 10));
      await boss.stop({ graceful: true, timeout: 1000, wait: true });
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isUuidString(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}
