import { eventsPool } from "@/lib/db/pg-pool";
import type { EventStatusName } from "@/lib/events/schema";

/**
 * Recording delivery outcomes: a batch of them in ONE statement (data-modifying CTEs, one round trip,
 * atomic): each attempt row, each event's new state, each job finished or rescheduled, and each lane's
 * breaker. A job is only finished or rescheduled by the lease that claimed it: if the event was
 * redelivered meanwhile (its job reset, lease cleared) or the lease ran out and another worker took it,
 * the attempt is still recorded and counted, but the event's state is left to the newer job.
 */

export type AttemptRecord = {
  id: string;
  startedAt: Date;
  url: string | null;
  statusCode: number | null;
  ms: number;
  excerpt: string | null;
  error: string | null;
};

export type DeliveryOutcome = {
  /** `events.id`. */
  event: string;
  lease: string;
  instanceId: number;
  status: Extract<EventStatusName, "DELIVERED" | "RETRYING" | "DEAD" | "DISABLED">;
  /** RETRYING: seconds until the next try, and its step in the schedule. */
  delaySeconds: number | null;
  nextStep: number;
  attempt: AttemptRecord;
  /** What the attempt tells the lane's circuit breaker: the receiver answered 2xx, failed, or was not asked. */
  breaker: "success" | "failure" | "none";
  /** 410 Gone: automatic delivery to this instance stops until a manual send succeeds. */
  disableInstance: boolean;
  /** A manual send succeeded: automatic delivery is on again. */
  enableInstance: boolean;
};

export type BreakerSettings = { threshold: number; probeSeconds: number };

export type RecordResult = {
  /** Attempts recorded whose lease still owned the event. */
  owned: Set<string>;
  /** Lanes whose breaker opened / closed with this batch. */
  paused: number[];
  resumed: number[];
};

type LaneTally = { succeeded: boolean; failures: number; reason: string | null };

/** Each lane's breaker input, in the batch's order: a success resets the count of failures after it. */
export function tallyLanes(outcomes: readonly DeliveryOutcome[]): Map<number, LaneTally> {
  const lanes = new Map<number, LaneTally>();
  for (const outcome of outcomes) {
    if (outcome.breaker === "none") continue;
    const lane = lanes.get(outcome.instanceId) ?? { succeeded: false, failures: 0, reason: null };
    if (outcome.breaker === "success") {
      lane.succeeded = true;
      lane.failures = 0;
    } else {
      lane.failures += 1;
      lane.reason = outcome.attempt.error ?? (outcome.attempt.statusCode ? `receiver answered ${outcome.attempt.statusCode}` : "failed");
    }
    lanes.set(outcome.instanceId, lane);
  }
  return lanes;
}

/*
 * A lane's counts and state are computed from its row as locked by the UPDATE (`l.`), not from a read
 * earlier in the statement, so two processes recording outcomes of one lane at once both count.
 */
const FAILURES = "CASE WHEN t.succeeded THEN t.failures ELSE l.consecutive_failures + t.failures END";
const STATE = `(CASE WHEN ${FAILURES} >= $17 THEN 'PAUSED' WHEN t.succeeded THEN 'ACTIVE' ELSE l.state::text END)::"LaneState"`;

const RECORD = `WITH input AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::float8[], $5::int[], $6::uuid[], $7::timestamptz[],
                         $8::text[], $9::int[], $10::int[], $11::text[], $12::text[])
      AS t(event_id, lease, status, delay, next_step, attempt_id, started_at, url, status_code, latency_ms, excerpt, error)
  ),
  finished AS (
    DELETE FROM delivery_jobs j USING input i
     WHERE j.event_id = i.event_id AND j.lease = i.lease AND i.status <> 'RETRYING'
    RETURNING j.event_id, NULL::timestamptz AS run_at
  ),
  retried AS (
    UPDATE delivery_jobs j SET lease = NULL, step = i.next_step, run_at = now() + make_interval(secs => i.delay)
      FROM input i
     WHERE j.event_id = i.event_id AND j.lease = i.lease AND i.status = 'RETRYING'
    RETURNING j.event_id, j.run_at
  ),
  owned AS (SELECT * FROM finished UNION ALL SELECT * FROM retried),
  upd AS (
    UPDATE events e SET attempts = e.attempts + 1, last_attempt_at = i.started_at, last_status_code = i.status_code,
        last_error = i.error,
        status = CASE WHEN o.event_id IS NULL THEN e.status ELSE i.status::"EventStatus" END,
        next_attempt_at = CASE WHEN o.event_id IS NULL THEN e.next_attempt_at ELSE o.run_at END,
        delivered_at = CASE WHEN o.event_id IS NOT NULL AND i.status = 'DELIVERED' THEN now() ELSE e.delivered_at END
      FROM input i LEFT JOIN owned o ON o.event_id = i.event_id
     WHERE e.id = i.event_id
    RETURNING e.id, e.attempts, o.event_id IS NOT NULL AS owned
  ),
  attempts AS (
    INSERT INTO delivery_attempts (id, event_id, attempt, started_at, url, status_code, latency_ms, response_excerpt, error)
    SELECT i.attempt_id, u.id, u.attempts, i.started_at, i.url, i.status_code, i.latency_ms, i.excerpt, i.error
      FROM upd u JOIN input i ON i.event_id = u.id
  ),
  tally AS (
    SELECT * FROM unnest($13::int[], $14::bool[], $15::int[], $16::text[]) AS t(instance_id, succeeded, failures, reason)
  ),
  before AS (SELECT l.instance_id, l.state FROM delivery_lanes l JOIN tally t ON t.instance_id = l.instance_id),
  -- Lane rows locked in id order: two processes recording outcomes of the same lanes cannot deadlock.
  locked AS (SELECT l.instance_id FROM delivery_lanes l WHERE l.instance_id = ANY($13::int[]) ORDER BY l.instance_id FOR UPDATE),
  lanes AS (
    UPDATE delivery_lanes l SET
        consecutive_failures = ${FAILURES},
        state = ${STATE},
        paused_at = CASE WHEN ${STATE} = 'ACTIVE' THEN NULL WHEN l.state = 'ACTIVE' THEN now() ELSE l.paused_at END,
        pause_reason = CASE WHEN ${STATE} = 'ACTIVE' THEN NULL WHEN l.state = 'ACTIVE' THEN t.reason ELSE l.pause_reason END,
        probe_at = CASE WHEN ${STATE} = 'ACTIVE' THEN NULL
                        WHEN l.state = 'ACTIVE' THEN now() + make_interval(secs => $18) ELSE l.probe_at END
      FROM tally t JOIN locked k ON k.instance_id = t.instance_id
     WHERE l.instance_id = t.instance_id
    RETURNING l.instance_id, l.state
  )
  SELECT 'event' AS kind, u.id::text AS id, u.owned AS flag FROM upd u
  UNION ALL
  SELECT 'lane', l.instance_id::text, l.state = 'PAUSED' FROM lanes l JOIN before b ON b.instance_id = l.instance_id
   WHERE l.state IS DISTINCT FROM b.state`;

/** Records `outcomes` in one statement; returns which attempts still owned their event and which lanes changed. */
export async function recordOutcomes(outcomes: readonly DeliveryOutcome[], breaker: BreakerSettings): Promise<RecordResult> {
  const lanes = tallyLanes(outcomes);
  const laneIds = [...lanes.keys()];
  const { rows } = await eventsPool().query<{ kind: "event" | "lane"; id: string; flag: boolean }>(RECORD, [
    outcomes.map((o) => o.event),
    outcomes.map((o) => o.lease),
    outcomes.map((o) => o.status),
    outcomes.map((o) => o.delaySeconds ?? 0),
    outcomes.map((o) => o.nextStep),
    outcomes.map((o) => o.attempt.id),
    outcomes.map((o) => o.attempt.startedAt),
    outcomes.map((o) => o.attempt.url),
    outcomes.map((o) => o.attempt.statusCode),
    outcomes.map((o) => o.attempt.ms),
    outcomes.map((o) => o.attempt.excerpt),
    outcomes.map((o) => o.attempt.error),
    laneIds,
    laneIds.map((id) => lanes.get(id)!.succeeded),
    laneIds.map((id) => lanes.get(id)!.failures),
    laneIds.map((id) => lanes.get(id)!.reason),
    breaker.threshold,
    breaker.probeSeconds,
  ]);
  const result: RecordResult = { owned: new Set(), paused: [], resumed: [] };
  for (const row of rows) {
    if (row.kind === "event" && row.flag) result.owned.add(row.id);
    if (row.kind === "lane") (row.flag ? result.paused : result.resumed).push(Number(row.id));
  }
  await applyInstanceSwitches(outcomes, result.owned);
  if (result.resumed.length) await releaseWaitingRetries(result.resumed);
  return result;
}

/** 410 Gone turns an instance's automatic delivery off; a successful manual send turns it back on. Rare. */
async function applyInstanceSwitches(outcomes: readonly DeliveryOutcome[], owned: ReadonlySet<string>): Promise<void> {
  const disable = outcomes.filter((o) => o.disableInstance && owned.has(o.event)).map((o) => o.instanceId);
  const enable = outcomes.filter((o) => o.enableInstance && owned.has(o.event)).map((o) => o.instanceId);
  if (disable.length) {
    await eventsPool().query("UPDATE instances SET delivery_disabled_at = now() WHERE id = ANY($1::int[]) AND delivery_disabled_at IS NULL", [disable]);
  }
  if (enable.length) {
    await eventsPool().query("UPDATE instances SET delivery_disabled_at = NULL WHERE id = ANY($1::int[]) AND delivery_disabled_at IS NOT NULL", [enable]);
  }
}

/**
 * A lane whose receiver is back delivers what waited behind it now, retries included: the events that
 * failed while it was down would otherwise sit out their schedule's delays (minutes to hours).
 */
export async function releaseWaitingRetries(lanes: readonly number[]): Promise<void> {
  await eventsPool().query(
    `WITH released AS (
       UPDATE delivery_jobs SET run_at = now() WHERE instance_id = ANY($1::int[]) AND lease IS NULL AND run_at > now() RETURNING event_id
     )
     UPDATE events e SET next_attempt_at = now() FROM released r WHERE e.id = r.event_id`,
    [lanes],
  );
}
