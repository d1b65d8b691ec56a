import type { EventLogRow, EventSourceName } from "@/lib/live-log/schema";

/**
 * A webhook request stored and not yet processed, as a row of the live log: shown as soon as ingest
 * stored it (the store statement queues its id for announcing, lib/ingest/store.ts), with status
 * RECEIVED. Its id is the request's id, which the first notification made from it takes too
 * (lib/events/notification-rows.ts): when processing announces that notification, the browser
 * replaces the received row in place, at the same position (same `createdAt` and id).
 */
export const RECEIVED_ROWS = `
  SELECT r.id, r.organization_id, r.received_at, r.instance_id, i.name AS instance_name, r.element_key, r.source
    FROM ingest_queue q JOIN webhook_requests r ON r.id = q.request_id JOIN instances i ON i.id = r.instance_id
   WHERE q.request_id = ANY($1::uuid[])`;

export type ReceivedRecord = {
  id: string;
  organization_id: string;
  received_at: Date;
  instance_id: number;
  instance_name: string;
  element_key: string;
  /** WEBHOOK or POLL: a poll's changes are stored as a request too (lib/polling/store-polled.ts). */
  source: EventSourceName;
};

export function receivedRow(record: ReceivedRecord, connector: EventLogRow["connector"]): EventLogRow {
  return {
    id: record.id,
    eventId: record.id,
    createdAt: record.received_at.toISOString(),
    instanceId: record.instance_id,
    instanceName: record.instance_name,
    elementKey: record.element_key,
    connector,
    eventType: "UNKNOWN",
    eventTypes: [],
    objectType: null,
    objectId: null,
    eventCount: 0,
    unrecognized: null,
    status: "RECEIVED",
    attempts: 0,
    lastStatusCode: null,
    latencyMs: null,
    deliveredAt: null,
    nextAttemptAt: null,
    test: false,
    source: record.source,
  };
}
