import { randomUUID } from "node:crypto";
import { wakeableLoop } from "@/lib/events/wakeable-loop";
import { log } from "@/lib/log";
import { withDeadline } from "@/lib/net/deadline";
import { pollInstance, type PollOutcome } from "@/lib/polling/poll-instance";
import { claimPolls, finishPoll, renewPollLeases, syncPollJob, type ClaimedPoll } from "@/lib/polling/poll-jobs";

/**
 * The poller of one worker process: claims due polls (lib/polling/poll-jobs.ts), runs at most
 * `concurrency` at once, renews their leases while they run, and schedules each instance's next poll:
 * its refresh interval after a poll, the provider's Retry-After after a 429, and a growing backoff
 * (never sooner than the interval) after failures.
 */

export type PollerOptions = { concurrency?: number; leaseSeconds?: number; idleMs?: number };

const MAX_BACKOFF_SECONDS = 6 * 3600;
/** One poll may take this long at most (every provider call has its own 10 s deadline too), so a slow provider holds a slot for a bounded time. */
const POLL_DEADLINE_MS = 5 * 60_000;

/** Seconds until the next poll after `outcome`, the instance's `failures` in a row before it. */
export function nextPollDelaySeconds(outcome: Pick<PollOutcome, "retryAfterSeconds" | "failed">, intervalSeconds: number, failures: number): number {
  if (outcome.retryAfterSeconds !== undefined) return outcome.retryAfterSeconds;
  if (!outcome.failed) return intervalSeconds;
  return Math.max(intervalSeconds, Math.min(MAX_BACKOFF_SECONDS, 60 * 2 ** failures));
}

export function startPoller({ concurrency = 4, leaseSeconds = 60, idleMs = 1000 }: PollerOptions = {}) {
  const lease = randomUUID();
  const running = new Map<number, AbortController>();

  async function run(poll: ClaimedPoll, abort: AbortController): Promise<void> {
    try {
      const outcome = await withDeadline(POLL_DEADLINE_MS, (signal) => pollInstance(poll, signal), abort.signal);
      if (outcome.stopped) {
        await syncPollJob(poll.instanceId, false).catch(() => undefined);
        return;
      }
      const delay = nextPollDelaySeconds(outcome, outcome.intervalSeconds, poll.failures);
      await finishPoll(poll, delay, outcome.failed);
      log(outcome.failed ? "warn" : "info", "instance polled", {
        instanceId: poll.instanceId,
        resources: outcome.results.length,
        failed: outcome.failed,
        nextInSeconds: delay,
      });
    } catch (error) {
      log("error", "polling an instance failed; it is tried again when its lease runs out", { instanceId: poll.instanceId, error: String(error) });
    } finally {
      running.delete(poll.instanceId);
      loop.wake();
    }
  }

  const loop = wakeableLoop("poller", idleMs, async () => {
    const free = concurrency - running.size;
    if (free <= 0) return false;
    const claimed = await claimPolls(lease, free, leaseSeconds);
    for (const poll of claimed) {
      const abort = new AbortController();
      running.set(poll.instanceId, abort);
      void run(poll, abort);
    }
    return false;
  });

  const heartbeat = setInterval(() => {
    void renewPollLeases(lease, [...running.keys()], leaseSeconds)
      .then((lost) => lost.forEach((id) => running.get(id)?.abort()))
      .catch((error: unknown) => log("warn", "could not renew poll leases", { error: String(error) }));
  }, (leaseSeconds * 1000) / 3);
  heartbeat.unref();

  return {
    wake: loop.wake,
    /** Stops claiming; polls in flight are aborted (their leases run out, another worker takes them). */
    async stop() {
      clearInterval(heartbeat);
      for (const abort of running.values()) abort.abort();
      await loop.stop();
    },
  };
}
