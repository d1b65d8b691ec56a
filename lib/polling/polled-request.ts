import type { NormalizedEvent } from "@/lib/connectors/contract";
import type { PolledChange } from "@/lib/polling/changes";

/**
 * What one poll of one resource found, stored like a webhook request (`webhook_requests.source = POLL`)
 * so it takes the same way: one durable write, then processing exactly once into events, lanes,
 * delivery and the live log. The body is JSON a person can read on the log:
 * `{ "poll": { "resource", "changes": [{ eventType, objectType, objectId, updatedDate, record }] } }`.
 */

export const POLLED_CONTENT_TYPE = "application/json";

export function encodePolledChanges(resource: string, changes: readonly PolledChange[]): Buffer {
  return Buffer.from(JSON.stringify({ poll: { resource, changes } }), "utf8");
}

/** One polled change as processing needs it: the event (its updated date as `changeDate`) and its `raw`, the record. */
export type PolledEvent = { event: NormalizedEvent; raw: unknown };

function isChange(value: unknown): value is PolledChange {
  if (value === null || typeof value !== "object") return false;
  const change = value as Record<string, unknown>;
  return (
    (change.eventType === "CREATED" || change.eventType === "UPDATED" || change.eventType === "DELETED") &&
    typeof change.objectType === "string" &&
    typeof change.objectId === "string" &&
    typeof change.updatedDate === "string" &&
    !Number.isNaN(new Date(change.updatedDate).getTime())
  );
}

/** The changes of a stored poll body; anything that is not one (it was written by Hookline, so nothing should be) is skipped. */
export function parsePolledChanges(body: Buffer): PolledEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return [];
  }
  const changes = (parsed as { poll?: { changes?: unknown } })?.poll?.changes;
  if (!Array.isArray(changes)) return [];
  return changes.filter(isChange).map((change) => ({
    event: {
      eventType: change.eventType,
      objectType: change.objectType,
      objectId: change.objectId,
      eventDate: new Date(change.updatedDate).toISOString(),
      changeDate: new Date(change.updatedDate).toISOString(),
    },
    raw: change.record,
  }));
}
