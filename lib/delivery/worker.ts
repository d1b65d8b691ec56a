import { env } from "@/lib/env";
import { eventsPool } from "@/lib/db/pg-pool";
import { deliver, DELIVERY_TIMEOUT_MS, type DeliveryResult } from "@/lib/delivery/deliver";
import { startMaintenance } from "@/lib/delivery/maintenance";
import { startPendingListMerge } from "@/lib/db/gin-pending-lists";
import { claimDeliveries, extendLeases, onEnqueued, type ClaimedDelivery } from "@/lib/delivery/queue";
import { recordOutcomes, type DeliveryOutcome } from "@/lib/delivery/record";
import { nextDelaySeconds } from "@/lib/delivery/schedule";
import { signingKeys } from "@/lib/delivery/signing-keys";
import { uuidv7 } from "@/lib/events/ids";
import { wakeableLoop, sleep } from "@/lib/events/wakeable-loop";
import { startRequestProcessor } from "@/lib/ingest/process-requests";
import { log } from "@/lib/log";

/**
 * The worker of one process (`HOOKLINE_WORKER`): any number of processes may run one against the same
 * database, and they share the work through row locks, not through anything kept in memory.
 *
 * - Processor: turns stored webhook requests into events and delivery jobs (lib/ingest/process-requests.ts),
 *   woken by this process's ingest, else polling.
 * - Dispatcher: keeps up to `concurrency` deliveries in flight. It claims as many due jobs as it has free
 *   slots, round-robin over the instances' lanes (lib/delivery/queue.ts), so a backlog or a slow or dead
 *   receiver on one instance holds at most its lane's cap of slots, never another instance's deliveries.
 * - Recorder: outcomes are written in batches, one statement each (lib/delivery/record.ts): while one
 *   batch is being written, the next collects.
 * - Heartbeat: pushes on the leases of what is in flight; a worker that dies stops, and its deliveries
 *   are handed out again once their lease (HOOKLINE_DELIVERY_LEASE_SECONDS) runs out.
 *
 * Outcomes: 2xx → DELIVERED; 410 → DISABLED and the instance's automatic delivery off; a refused URL
 * (SSRF guard) or no callback URL → DEAD at once (retrying cannot help); anything else → RETRYING on the
 * schedule, DEAD after the last delay, and a failure for the lane's circuit breaker. A paused lane's
 * probe that fails is tried again at the next probe without using up a step of the schedule. Delivery is
 * at-least-once: receivers dedupe on the eventId.
 */

const CALLBACK_URL = "event.notification.callback.url";

export type DeliveryWorkerOptions = {
  connectionString: string;
  /** Seconds before each retry; default `HOOKLINE_DELIVERY_SCHEDULE`. */
  schedule?: readonly number[];
  /** Deliveries at the same time in this process; default `HOOKLINE_WORKER_CONCURRENCY`. */
  concurrency?: number;
  /** Deliveries in flight per lane across processes; default `HOOKLINE_LANE_CONCURRENCY`. */
  laneConcurrency?: number;
  /** How often an idle worker looks for due jobs and stored requests of other processes. */
  pollingIntervalSeconds?: number;
  timeoutMs?: number;
  /** Default `HOOKLINE_ALLOW_PRIVATE_CALLBACKS`. */
  allowPrivate?: boolean;
  leaseSeconds?: number;
  breakerThreshold?: number;
  probeSeconds?: number;
  /** Run the stored-request processor too (default true). */
  process?: boolean;
};

export type DeliveryWorker = {
  /**
   * Stops taking work, waits up to `graceMs` (default 15 s) for deliveries in flight, then abandons the
   * rest (their leases run out and other workers take them). `graceMs: 0` behaves like a crash.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
};

type Settings = {
  schedule: readonly number[];
  timeoutMs: number;
  allowPrivate: boolean;
  leaseSeconds: number;
  breaker: { threshold: number; probeSeconds: number };
};

function skipped(error: string): DeliveryResult {
  return { ok: false, status: null, ms: 0, excerpt: null, error, retryable: false, aborted: false };
}

type Decision = Pick<DeliveryOutcome, "status" | "delaySeconds" | "nextStep" | "breaker" | "disableInstance" | "enableInstance">;

/** What a delivery's result means for its event, its job and its lane. */
export function decide(job: Pick<ClaimedDelivery, "step" | "manual" | "probe">, result: DeliveryResult, schedule: readonly number[], disabledSkip: boolean): Decision {
  const none = { delaySeconds: null, nextStep: job.step, breaker: "none" as const, disableInstance: false, enableInstance: false };
  if (result.ok) return { ...none, status: "DELIVERED", breaker: "success", enableInstance: job.manual };
  if (disabledSkip) return { ...none, status: "DISABLED" };
  // 410 is the receiver's answer that it wants no more: not a failure to count.
  if (result.status === 410) return { ...none, status: "DISABLED", disableInstance: true };
  if (!result.retryable) return { ...none, status: "DEAD" };
  // A paused lane's probe: the event keeps its place and its step; the next probe tries it again.
  if (job.probe) return { ...none, status: "RETRYING", delaySeconds: 0, breaker: "failure" };
  const delaySeconds = nextDelaySeconds(schedule, job.step);
  if (delaySeconds === null) return { ...none, status: "DEAD", breaker: "failure" };
  return { ...none, status: "RETRYING", delaySeconds, nextStep: job.step + 1, breaker: "failure" };
}

async function attempt(job: ClaimedDelivery, settings: Settings, signal: AbortSignal) {
  const url = job.configuration[CALLBACK_URL];
  const startedAt = new Date();
  const disabledSkip = job.delivery_disabled && !job.manual;
  let result: DeliveryResult;
  if (disabledSkip) {
    result = skipped("not sent: delivery to this instance is disabled (its receiver answered 410 Gone)");
  } else if (typeof url !== "string" || url === "") {
    result = skipped(`not sent: the instance has no ${CALLBACK_URL}`);
  } else {
    result = await deliver({
      url,
      payload: job.payload,
      eventId: job.event_id,
      ...signingKeys(job.secrets_encrypted, job.previous_signature_key_encrypted, startedAt),
      timeoutMs: settings.timeoutMs,
      allowPrivate: settings.allowPrivate,
      signal,
    });
  }
  return { url: typeof url === "string" ? url : null, startedAt, result, disabledSkip };
}

/** Jobs claimed per statement at most: a larger backlog is taken in several claims as slots free. */
const MAX_CLAIM = 64;

export async function startDeliveryWorker(options: DeliveryWorkerOptions): Promise<DeliveryWorker> {
  const settings: Settings = {
    schedule: options.schedule ?? env().HOOKLINE_DELIVERY_SCHEDULE,
    timeoutMs: options.timeoutMs ?? DELIVERY_TIMEOUT_MS,
    allowPrivate: options.allowPrivate ?? env().HOOKLINE_ALLOW_PRIVATE_CALLBACKS,
    leaseSeconds: options.leaseSeconds ?? env().HOOKLINE_DELIVERY_LEASE_SECONDS,
    breaker: {
      threshold: options.breakerThreshold ?? env().HOOKLINE_BREAKER_THRESHOLD,
      probeSeconds: options.probeSeconds ?? env().HOOKLINE_BREAKER_PROBE_SECONDS,
    },
  };
  const concurrency = options.concurrency ?? env().HOOKLINE_WORKER_CONCURRENCY;
  const laneCap = options.laneConcurrency ?? env().HOOKLINE_LANE_CONCURRENCY;
  const pollMs = Math.max(0.05, options.pollingIntervalSeconds ?? 0.25) * 1000;
  // Event rows are read and written through the events pool; a worker process may have no DATABASE_URL.
  eventsPool(options.connectionString);

  /** Claimed and not yet recorded, by `events.id`: their leases are kept alive. */
  const held = new Map<string, ClaimedDelivery>();
  /**
   * Held jobs whose receiver answered 2xx, outcome not yet recorded: the lane's cap need not wait for
   * them. A failed answer keeps its slot until recorded, so a failing lane cannot run ahead of its
   * circuit breaker by claiming again while its failures are still being counted.
   */
  const answeredOk = new Set<string>();
  const release = (id: string) => {
    held.delete(id);
    answeredOk.delete(id);
  };
  const inFlight = new Map<string, AbortController>();
  let accepting = true;

  // ---- recorder: one statement per batch of outcomes, the next batch collecting meanwhile.
  let pending: DeliveryOutcome[] = [];
  let recording: Promise<void> | null = null;
  const flushOutcomes = (): Promise<void> => {
    if (recording || pending.length === 0) return recording ?? Promise.resolve();
    const batch = pending;
    pending = [];
    recording = recordOutcomes(batch, settings.breaker)
      .then((recorded) => {
        for (const lane of recorded.paused) log("warn", "delivery lane paused: its receiver keeps failing", { instanceId: lane });
        for (const lane of recorded.resumed) log("info", "delivery lane resumed", { instanceId: lane });
        for (const outcome of batch) logOutcome(outcome, recorded.owned.has(outcome.event));
      })
      .catch((error: unknown) => {
        // Not recorded: the leases run out and the deliveries are made again (at-least-once).
        log("error", "could not record delivery outcomes; they will be retried", { error: String(error), count: batch.length });
      })
      .finally(() => {
        for (const outcome of batch) release(outcome.event);
        recording = null;
        void flushOutcomes();
        dispatcher.wake();
      });
    return recording;
  };

  const run = (job: ClaimedDelivery) => {
    const controller = new AbortController();
    inFlight.set(job.id, controller);
    void attempt(job, settings, controller.signal)
      .then((tried) => {
        if (tried.result.aborted) {
          release(job.id); // stopped mid-delivery: its lease runs out and another worker sends it
          return;
        }
        const decision = decide(job, tried.result, settings.schedule, tried.disabledSkip);
        if (decision.status === "DELIVERED") answeredOk.add(job.id);
        pending.push({
          ...decision,
          event: job.id,
          lease: job.lease,
          instanceId: job.instance_id,
          attempt: {
            id: uuidv7(),
            startedAt: tried.startedAt,
            url: tried.url,
            statusCode: tried.result.status,
            ms: tried.result.ms,
            excerpt: tried.result.excerpt,
            error: tried.result.error,
          },
        });
        void flushOutcomes();
      })
      .catch((error: unknown) => {
        release(job.id);
        log("error", "delivery failed unexpectedly; its lease will run out and it is retried", { eventId: job.event_id, error: String(error) });
      })
      .finally(() => {
        inFlight.delete(job.id);
        dispatcher.wake();
      });
  };

  // ---- dispatcher: claims round-robin over lanes, starting after the last lane it was given.
  let afterLane = -1;
  const dispatcher = wakeableLoop("delivery dispatcher", pollMs, async () => {
    const free = Math.min(concurrency - inFlight.size, MAX_CLAIM);
    if (!accepting || free <= 0) return false;
    const claimed = await claimDeliveries({
      max: free,
      laneCap,
      afterLane,
      leaseSeconds: settings.leaseSeconds,
      probeSeconds: settings.breaker.probeSeconds,
      // Answered 2xx but not yet recorded: the receiver is free of them, so the lane's cap need not wait.
      answered: [...answeredOk].map((id) => held.get(id)!.lease),
    });
    afterLane = claimed.at(-1)?.instance_id ?? -1;
    for (const job of claimed) {
      held.set(job.id, job);
      run(job);
    }
    // A full claim means more may be due: claim again as soon as there is room.
    return claimed.length === free && inFlight.size < concurrency;
  });

  // ---- processor: stored requests → events and jobs.
  const processor = options.process === false ? null : startRequestProcessor(pollMs);

  // ---- heartbeat: leases of everything claimed and not yet recorded.
  const heartbeat = setInterval(
    () => {
      const leases = [...held.values()].map((job) => ({ id: job.id, lease: job.lease }));
      extendLeases(leases, settings.leaseSeconds).catch((error: unknown) => {
        log("warn", "could not extend delivery leases", { error: String(error), count: leases.length });
      });
    },
    (settings.leaseSeconds * 1000) / 3,
  );
  heartbeat.unref();

  const maintenance = env().HOOKLINE_TABLE_MAINTENANCE ? startMaintenance() : null;
  // Not tied to HOOKLINE_TABLE_MAINTENANCE: autovacuum alone would leave the merges to ingest's statement.
  const pendingLists = processor ? startPendingListMerge() : null;
  const unsubscribe = [onEnqueued(() => dispatcher.wake())];
  log("info", "delivery worker started", { concurrency, laneCap, pollMs, schedule: settings.schedule });

  return {
    async stop({ graceMs = 15_000 } = {}) {
      for (const off of unsubscribe) off();
      accepting = false;
      await Promise.all([dispatcher.stop(), processor?.stop(), maintenance?.stop(), pendingLists?.stop()]);
      const waitUntil = Date.now() + graceMs;
      while (inFlight.size > 0 && Date.now() < waitUntil) await sleep(20);
      for (const controller of inFlight.values()) controller.abort();
      while (inFlight.size > 0) await sleep(10);
      if (graceMs > 0) {
        while (pending.length || recording) await flushOutcomes();
      }
      clearInterval(heartbeat);
    },
  };
}

function logOutcome(outcome: DeliveryOutcome, owned: boolean): void {
  const fields = { eventRowId: outcome.event, instanceId: outcome.instanceId, status: outcome.attempt.statusCode, ms: outcome.attempt.ms };
  if (owned && outcome.status === "DELIVERED") {
    log("debug", "delivery attempt", { ...fields, outcome: "DELIVERED" });
    return;
  }
  log("info", "delivery attempt", {
    ...fields,
    outcome: owned ? outcome.status : "superseded",
    ...(outcome.attempt.error ? { error: outcome.attempt.error } : {}),
  });
}
