import type { PoolClient } from "pg";
import { changeKey } from "@/lib/polling/changes";
import { claimChangeKeys, type ChangeKeyClaim } from "@/lib/polling/change-keys";

/**
 * Reconciliation of webhooks and polls (README, Polling): where an instance both polls and receives
 * webhooks, each change (object type, id, updated date) becomes one event, whichever reports it first.
 * Processing (lib/ingest/process-requests.ts) calls this in the transaction that inserts the events.
 */

/** What reconciliation needs of one notification about to be inserted. */
export type Reconcilable = {
  instanceId: number;
  /** The stored request it comes from: the first notification kept of each request takes its id (the live log's row). */
  requestId: string;
  /** From a poll: dropped when its changes were reported already (a webhook's is kept as DUPLICATE). */
  polled: boolean;
  keys: string[];
  status: "PENDING" | "DISABLED" | "DUPLICATE";
  event: { id: string };
};

/** A webhook's changes are keyed only where a poll may report them too: the instance polls as well. */
export function webhooksReconciled(vendorType: string | null): boolean {
  return vendorType === "both" || vendorType === "polling";
}

/** The change keys of normalized events that carry the record's id and updated date. */
export function changeKeysOf(events: readonly { objectType: string; objectId: string | null; changeDate?: string }[]): string[] {
  return events.flatMap((e) => (e.changeDate && e.objectId ? [changeKey(e.objectType, e.objectId, e.changeDate)] : []));
}

/**
 * Each notification's change keys are claimed; a polled change already reported (by a webhook, or an
 * earlier poll) is dropped, a webhook whose changes were all reported already is kept as DUPLICATE.
 */
export async function reconcile<T extends Reconcilable>(client: PoolClient, made: T[]): Promise<T[]> {
  const claims: ChangeKeyClaim[] = made.flatMap((m) => m.keys.map((key) => ({ instanceId: m.instanceId, key })));
  if (claims.length === 0) return made;
  const held = await claimChangeKeys(client, claims);
  const claimedHere = new Set<string>();
  const kept: T[] = [];
  for (const m of made) {
    // A key repeated within the batch belongs to its first notification only.
    const fresh = m.keys.filter((key) => {
      const id = `${m.instanceId}:${key}`;
      if (!held.has(id) || claimedHere.has(id)) return false;
      claimedHere.add(id);
      return true;
    });
    const seen = m.keys.length > 0 && fresh.length === 0;
    if (seen && m.polled) continue;
    kept.push(seen ? { ...m, status: "DUPLICATE" } : m);
  }
  const firstOf = new Map<string, T>();
  for (const m of kept) if (!firstOf.has(m.requestId)) firstOf.set(m.requestId, m);
  for (const [requestId, m] of firstOf) m.event = { ...m.event, id: requestId };
  return kept;
}
