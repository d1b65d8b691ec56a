import { db } from "@/lib/db/client";
import { eventsPool } from "@/lib/db/pg-pool";

/**
 * The polling schedule: one `poll_jobs` row per instance that polls, due at `run_at`. Workers claim due
 * rows the way they claim deliveries (FOR UPDATE SKIP LOCKED, then a lease renewed while the poll runs),
 * so any number of processes share the polls and each instance is polled by one of them at a time; a
 * worker that dies mid-poll loses its lease and the poll runs again elsewhere.
 */

export type ClaimedPoll = { instanceId: number; lease: string; since: Date; failures: number; claimedAt: Date };

/** Makes the schedule match an instance: a row while it polls with events on, none otherwise. */
export async function syncPollJob(instanceId: number, polling: boolean): Promise<void> {
  // Called by the instances service (console process, Prisma's pool); the worker's pool stays the worker's.
  // Polling off forgets the marks too: switched on again later, it starts from then, not from the gap.
  if (!polling) {
    await db().$transaction([
      db().$executeRaw`DELETE FROM poll_jobs WHERE instance_id = ${instanceId}`,
      db().$executeRaw`DELETE FROM poll_resources WHERE instance_id = ${instanceId}`,
    ]);
    return;
  }
  // A new row is due at once; an existing one keeps its time (a save must not reset the high-water marks).
  await db().$executeRaw`INSERT INTO poll_jobs (instance_id, run_at, since) VALUES (${instanceId}, now(), now())
     ON CONFLICT (instance_id) DO NOTHING`;
}

/**
 * "Poll now": due at once (after the poll running, if one is). `since`: history asked for: every
 * resource's high-water mark goes back to it (never forward), so the poll reads the changes since then.
 * False when the instance does not poll.
 */
export async function requestPoll(instanceId: number, since?: Date): Promise<boolean> {
  if (!since) {
    const count = await db().$executeRaw`UPDATE poll_jobs SET run_at = now(), failures = 0 WHERE instance_id = ${instanceId}`;
    return count > 0;
  }
  const [count] = await db().$transaction([
    db().$executeRaw`UPDATE poll_jobs SET run_at = now(), failures = 0, since = LEAST(since, ${since}) WHERE instance_id = ${instanceId}`,
    db().$executeRaw`UPDATE poll_resources SET high_water = LEAST(high_water, ${since}) WHERE instance_id = ${instanceId}`,
  ]);
  return count > 0;
}

/** Claims up to `limit` due polls for `leaseSeconds`. */
export async function claimPolls(lease: string, limit: number, leaseSeconds: number): Promise<ClaimedPoll[]> {
  const { rows } = await eventsPool().query<{ instance_id: number; since: Date; failures: number; claimed_at: Date }>(
    `UPDATE poll_jobs j SET lease = $1, leased_until = now() + make_interval(secs => $3)
      WHERE j.instance_id IN (
        SELECT instance_id FROM poll_jobs
         WHERE run_at <= now() AND (lease IS NULL OR leased_until < now())
         ORDER BY run_at LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING j.instance_id, j.since, j.failures, now() AS claimed_at`,
    [lease, limit, leaseSeconds],
  );
  return rows.map((row) => ({ instanceId: row.instance_id, lease, since: row.since, failures: row.failures, claimedAt: row.claimed_at }));
}

/** Renews the lease of polls still running; returns the instances whose lease was lost (taken over). */
export async function renewPollLeases(lease: string, instanceIds: readonly number[], leaseSeconds: number): Promise<number[]> {
  if (instanceIds.length === 0) return [];
  const { rows } = await eventsPool().query<{ instance_id: number }>(
    `UPDATE poll_jobs SET leased_until = now() + make_interval(secs => $3)
      WHERE lease = $1 AND instance_id = ANY($2::int[]) RETURNING instance_id`,
    [lease, instanceIds, leaseSeconds],
  );
  const kept = new Set(rows.map((row) => row.instance_id));
  return instanceIds.filter((id) => !kept.has(id));
}

/**
 * Ends a poll: due again in `delaySeconds`, with the run of failures reset or counted. Only the lease
 * that claimed it may; a "Poll now" asked for while it ran (run_at moved before the claim) still runs.
 */
export async function finishPoll(poll: ClaimedPoll, delaySeconds: number, failed: boolean): Promise<void> {
  await eventsPool().query(
    `UPDATE poll_jobs SET lease = NULL, leased_until = NULL,
            failures = CASE WHEN $4 THEN failures + 1 ELSE 0 END,
            run_at = CASE WHEN run_at > $5 THEN run_at ELSE now() + make_interval(secs => $3) END
      WHERE instance_id = $1 AND lease = $2`,
    [poll.instanceId, poll.lease, delaySeconds, failed, poll.claimedAt],
  );
}

export type PollSchedule = { runAt: Date; running: boolean; failures: number; since: Date };

export async function pollSchedule(instanceId: number): Promise<PollSchedule | null> {
  const rows = await db().$queryRaw<{ run_at: Date; running: boolean; failures: number; since: Date }[]>`
    SELECT run_at, lease IS NOT NULL AND leased_until > now() AS running, failures, since FROM poll_jobs WHERE instance_id = ${instanceId}`;
  const row = rows[0];
  return row ? { runAt: row.run_at, running: row.running, failures: row.failures, since: row.since } : null;
}
