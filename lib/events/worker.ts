import PgBoss from "pg-boss";
import type { PoolClient } from "pg";
import { env } from "@/lib/env";
import { deliver, DELIVERY_TIMEOUT_MS, type DeliveryResult } from "@/lib/events/deliver";
import { uuidv7 } from "@/lib/events/ids";
import { executorFor, inTransaction, eventsPool } from "@/lib/events/pg-pool";
import {
  DELIVERY_QUEUE,
  QUEUE_OPTIONS,
  deliveryJobSchema,
  enqueueDeliveries,
  onEnqueued,
  type DeliveryJob,
} from "@/lib/events/queue";
import { nextDelaySeconds } from "@/lib/events/schedule";
import { decryptSecrets } from "@/lib/instances/secrets";
import { log } from "@/lib/log";

/**
 * The delivery worker: pg-boss workers on the `deliveries` queue. Any number of processes may run one
 * against the same database; jobs are handed out with SKIP LOCKED, so more workers = more throughput.
 *
 * Per job: load the event → POST it (deliver.ts) → in one transaction record the attempt, move the event
 * to its next state, schedule the next try (a new job with `startAfter`), complete this job. Outcomes:
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

async function loadEvent(id: string): Promise<EventForDelivery | undefined> {
  const { rows } = await eventsPool().query<EventForDelivery>(
    `SELECT e.id, e.event_id, e.instance_id, e.payload, e.job_id, i.configuration, i.secrets_encrypted,
            i.delivery_disabled_at IS NOT NULL AS delivery_disabled
       FROM events e JOIN instances i ON i.id = e.instance_id
      WHERE e.id = $1`,
    [id],
  );
  return rows[0];
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

async function record(
  client: PoolClient,
  jobId: string,
  event: EventForDelivery,
  job: DeliveryJob,
  tried: Awaited<ReturnType<typeof attempt>>,
  outcome: Outcome,
): Promise<{ attempt: number; owned: boolean }> {
  const { result, startedAt } = tried;
  const { rows } = await client.query<{ job_id: string | null; attempts: number }>(
    "SELECT job_id, attempts FROM events WHERE id = $1 FOR UPDATE",
    [event.id],
  );
  const current = rows[0];
  if (!current) return { attempt: 0, owned: false };
  const number = current.attempts + 1;
  // A redeliver may have taken the event over while we were sending: record the attempt, change nothing else.
  const owned = current.job_id === jobId;
  const nextJobId = owned && outcome.status === "RETRYING" ? uuidv7() : null;
  await client.query(
    `UPDATE events SET attempts = $2, last_attempt_at = $3, last_status_code = $4, last_error = $5
       ${owned ? `, status = $6::"EventStatus", job_id = $7::uuid,
         next_attempt_at = CASE WHEN $8::float8 IS NULL THEN NULL ELSE now() + make_interval(secs => $8::float8) END,
         delivered_at = CASE WHEN $6 = 'DELIVERED' THEN now() ELSE delivered_at END` : ""}
     WHERE id = $1`,
    [event.id, number, startedAt, result.status, result.error, ...(owned ? [outcome.status, nextJobId, outcome.delaySeconds] : [])],
  );
  await client.query(
    `INSERT INTO delivery_attempts (id, event_id, attempt, started_at, url, status_code, latency_ms, response_excerpt, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [uuidv7(), event.id, number, startedAt, tried.url, result.status, result.ms, result.excerpt, result.error],
  );
  if (owned && nextJobId && outcome.delaySeconds !== null) {
    await enqueueDeliveries(executorFor(client), [
      { id: nextJobId, data: { ...job, step: job.step + 1 }, startAfterSeconds: outcome.delaySeconds },
    ]);
  }
  if (owned && outcome.disableInstance) {
    await client.query("UPDATE instances SET delivery_disabled_at = now() WHERE id = $1 AND delivery_disabled_at IS NULL", [
      event.instance_id,
    ]);
  }
  if (owned && outcome.enableInstance) {
    await client.query("UPDATE instances SET delivery_disabled_at = NULL WHERE id = $1", [event.instance_id]);
  }
  return { attempt: number, owned };
}

/** One job, start to finish. Throws only when the job must be retried by pg-boss (shutdown, database trouble). */
async function processJob(boss: PgBoss, job: PgBoss.Job<unknown>, settings: Settings, signal: AbortSignal): Promise<void> {
  const data = deliveryJobSchema.safeParse(job.data);
  if (!data.success) {
    log("error", "delivery job with bad data dropped", { jobId: job.id });
    return;
  }
  const event = await loadEvent(data.data.event);
  // Gone (instance deleted) or superseded (redelivered since this job was made): nothing to do.
  if (!event || event.job_id !== job.id) return;

  const tried = await attempt(event, data.data, settings, signal);
  if (tried.result.aborted) throw new Abandoned("worker stopped during delivery");
  const outcome = decide(data.data, tried.result, settings.schedule, tried.disabledSkip);
  const recorded = await inTransaction(async (client) => {
    const done = await record(client, job.id, event, data.data, tried, outcome);
    // Completing the job in the same transaction: a crash after COMMIT cannot make pg-boss retry a try
    // that was already recorded and rescheduled.
    await boss.complete(DELIVERY_QUEUE, job.id, {}, { db: executorFor(client) });
    return done;
  });
  log("info", "delivery attempt", {
    eventId: event.event_id,
    instanceId: event.instance_id,
    attempt: recorded.attempt,
    status: tried.result.status,
    ms: tried.result.ms,
    outcome: recorded.owned ? outcome.status : "superseded",
    ...(tried.result.error ? { error: tried.result.error } : {}),
  });
}

export async function startDeliveryWorker(options: DeliveryWorkerOptions): Promise<DeliveryWorker> {
  const settings: Settings = {
    schedule: options.schedule ?? env().HOOKLINE_DELIVERY_SCHEDULE,
    timeoutMs: options.timeoutMs ?? DELIVERY_TIMEOUT_MS,
    allowPrivate: options.allowPrivate ?? env().HOOKLINE_ALLOW_PRIVATE_CALLBACKS,
  };
  const concurrency = options.concurrency ?? env().HOOKLINE_WORKER_CONCURRENCY;
  // Event rows are read and written through the shared events pool; a worker process may have no DATABASE_URL.
  eventsPool(options.connectionString);
  // A few polling loops, each taking a small batch: one slow receiver holds up only its own batch,
  // and an idle process costs a handful of cheap queries per second, not one per delivery slot.
  const loops = Math.min(concurrency, 4);
  const batchSize = Math.ceil(concurrency / loops);

  const boss = new PgBoss({
    connectionString: options.connectionString,
    max: loops + 2,
    application_name: "hookline-worker",
    schedule: false,
    supervise: true,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 60,
  });
  boss.on("error", (error) => log("error", "delivery worker error", { error: error.message }));
  await boss.start();
  await boss.createQueue(DELIVERY_QUEUE, { name: DELIVERY_QUEUE, ...QUEUE_OPTIONS });

  const inFlight = new Set<AbortController>();
  const handle = async (jobs: PgBoss.Job<unknown>[]) => {
    const results = await Promise.allSettled(
      jobs.map(async (job) => {
        const controller = new AbortController();
        inFlight.add(controller);
        try {
          await processJob(boss, job, settings, controller.signal);
        } finally {
          inFlight.delete(controller);
        }
      }),
    );
    const failed = jobs.filter((_, i) => results[i]?.status === "rejected");
    for (const [i, result] of results.entries()) {
      if (result.status === "rejected" && !(result.reason instanceof Abandoned)) {
        log("error", "delivery job failed; the queue will retry it", { jobId: jobs[i]?.id, error: String(result.reason) });
      }
    }
    // Only the failed jobs go back to the queue; pg-boss completes the rest when this returns.
    if (failed.length) await boss.fail(DELIVERY_QUEUE, failed.map((job) => job.id));
  };

  const workerIds: string[] = [];
  for (let i = 0; i < loops; i += 1) {
    workerIds.push(
      await boss.work<unknown>(
        DELIVERY_QUEUE,
        { batchSize, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1 },
        handle,
      ),
    );
  }
  const unsubscribe = onEnqueued(() => {
    for (const id of workerIds) boss.notifyWorker(id);
  });
  log("info", "delivery worker started", { loops, batchSize, schedule: settings.schedule });

  return {
    async stop({ graceMs = 15_000 } = {}) {
      unsubscribe();
      const stopped = boss.stop({ graceful: true, timeout: Math.max(graceMs, 1000), wait: true });
      const waitUntil = Date.now() + graceMs;
      while (inFlight.size > 0 && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 50));
      for (const controller of inFlight) controller.abort();
      await stopped;
    },
  };
}
