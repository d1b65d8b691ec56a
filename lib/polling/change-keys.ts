import type { PoolClient } from "pg";
import { eventsPool } from "@/lib/db/pg-pool";

/**
 * Reconciliation of webhooks and polls (`event.vendor.type` "both"): each change reported is keyed by
 * (object type, object id, updated date) (lib/polling/changes.ts) and held in `change_keys`. The first
 * report of a change holds its key and becomes the event; a later one of the same change, by the other
 * route, does not: a webhook is kept as DUPLICATE (shown, not delivered), a polled change is dropped.
 * Claimed in the processing transaction, so a webhook and a poll processed at the same moment by two
 * processes still make one event (the second INSERT waits on the first's row, then finds it held).
 */

export type ChangeKeyClaim = { instanceId: number; key: string };

const id = (claim: ChangeKeyClaim) => `${claim.instanceId}:${claim.key}`;

/** Claims `claims` (in order: the first of a repeated key wins); returns the ids (`instance:key`) this call now holds. */
export async function claimChangeKeys(client: PoolClient, claims: readonly ChangeKeyClaim[]): Promise<Set<string>> {
  const first = new Map<string, ChangeKeyClaim>();
  for (const claim of claims) if (!first.has(id(claim))) first.set(id(claim), claim);
  if (first.size === 0) return new Set();
  const unique = [...first.values()];
  const { rows } = await client.query<{ instance_id: number; key: string }>(
    `INSERT INTO change_keys (instance_id, key)
     SELECT * FROM unnest($1::int[], $2::text[]) ORDER BY 1, 2
     ON CONFLICT (instance_id, key) DO NOTHING
     RETURNING instance_id, key`,
    [unique.map((c) => c.instanceId), unique.map((c) => c.key)],
  );
  return new Set(rows.map((row) => id({ instanceId: row.instance_id, key: row.key })));
}

/** Which of `keys` an instance already holds: a poll leaves those out before it stores anything. */
export async function heldChangeKeys(instanceId: number, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const { rows } = await eventsPool().query<{ key: string }>(
    "SELECT key FROM change_keys WHERE instance_id = $1 AND key = ANY($2::text[])",
    [instanceId, keys],
  );
  return new Set(rows.map((row) => row.key));
}
