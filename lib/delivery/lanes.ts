import type { PoolClient } from "pg";
import { eventsPool } from "@/lib/db/pg-pool";
import { releaseWaitingRetries } from "@/lib/delivery/record";

/**
 * Where an instance's delivery lane stands, as the API and the console show it:
 * `delivery: { state, reason, since }`. `DISABLED` is the receiver's 410 Gone (instances'
 * `delivery_disabled_at`); `PAUSED` is the circuit breaker after consecutive failures; otherwise `ACTIVE`.
 */
export type DeliveryState = {
  state: "ACTIVE" | "PAUSED" | "DISABLED";
  reason: string | null;
  since: string | null;
  /** PAUSED: when the next probe delivery may go out. */
  nextProbe: string | null;
};

type LaneRow = { instance_id: number; state: "ACTIVE" | "PAUSED"; pause_reason: string | null; paused_at: Date | null; probe_at: Date | null };

const ACTIVE: DeliveryState = { state: "ACTIVE", reason: null, since: null, nextProbe: null };

/** The lanes of these instances (a missing lane is ACTIVE: it has never delivered). */
export async function laneStates(instanceIds: readonly number[]): Promise<Map<number, DeliveryState>> {
  const states = new Map<number, DeliveryState>();
  if (instanceIds.length === 0) return states;
  const { rows } = await eventsPool().query<LaneRow>(
    "SELECT instance_id, state, pause_reason, paused_at, probe_at FROM delivery_lanes WHERE instance_id = ANY($1::int[]) AND state = 'PAUSED'",
    [instanceIds],
  );
  for (const row of rows) {
    states.set(row.instance_id, {
      state: "PAUSED",
      reason: row.pause_reason,
      since: row.paused_at?.toISOString() ?? null,
      nextProbe: row.probe_at?.toISOString() ?? null,
    });
  }
  return states;
}

/** The state shown for one instance, given its lane (if paused) and its 410 switch. */
export function deliveryState(lane: DeliveryState | undefined, deliveryDisabledAt: Date | null): DeliveryState {
  if (deliveryDisabledAt) {
    return { state: "DISABLED", reason: "The callback URL answered 410 Gone.", since: deliveryDisabledAt.toISOString(), nextProbe: null };
  }
  return lane ?? ACTIVE;
}

/**
 * "Resume now": closes the lane's breaker and lets everything that waited behind it go at once,
 * retries included. Runs on `db` when given (the caller's transaction).
 */
export async function resumeLane(instanceId: number, db?: Pick<PoolClient, "query">): Promise<void> {
  await (db ?? eventsPool()).query(
    `UPDATE delivery_lanes SET state = 'ACTIVE', consecutive_failures = 0, paused_at = NULL, pause_reason = NULL, probe_at = NULL
      WHERE instance_id = $1`,
    [instanceId],
  );
  await releaseWaitingRetries([instanceId]);
}
