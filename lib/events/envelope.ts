import type { NormalizedEvent, NormalizedEventType } from "@/lib/connectors/contract";

/**
 * Cloud Elements notification envelopes, the body delivered to `event.notification.callback.url`:
 * `{ message: { eventId, elementKey, instanceId, instanceName, events: [...], raw } }`.
 *
 * - At most 20 events per notification (what Cloud Elements clients expect). `raw` is the provider
 *   payload of the notification's own events: the whole body when it fits in one notification, else
 *   the body cut down to those events (`sliceRaw`, given by batched providers' parsers), so a large
 *   batch is neither stored nor sent once per notification.
 * - Zero events (a Hootsuite ping, an empty batch) → no notification: there is no object to tell anyone about.
 * - eventId: the caller passes one base id per received request (stable across retries, e.g. the stored
 *   event's id). A single chunk uses it as is; several use `${baseId}-1` … `${baseId}-n`. Chunking is a
 *   pure function of the stored events, so the same request always yields the same ids and receivers can
 *   dedupe on them.
 */

export const MAX_EVENTS_PER_NOTIFICATION = 20;

export type NotificationEvent = {
  eventType: NormalizedEventType;
  objectType: string;
  objectId: string | null;
  eventDate: string;
  elementKey: string;
};

export type Notification = {
  message: {
    eventId: string;
    elementKey: string;
    instanceId: number | string;
    instanceName: string;
    events: NotificationEvent[];
    raw: unknown;
  };
};

export type BuildNotificationsInput = {
  baseEventId: string;
  elementKey: string;
  instanceId: number | string;
  instanceName: string;
  events: NormalizedEvent[];
  raw: unknown;
  /** See `ParseResult.sliceRaw`. */
  sliceRaw?: (start: number, end: number) => unknown;
};

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/** The eventId of chunk `index` (0-based) out of `count`. */
export function chunkEventId(baseEventId: string, index: number, count: number): string {
  return count === 1 ? baseEventId : `${baseEventId}-${index + 1}`;
}

function toNotificationEvent(event: NormalizedEvent, elementKey: string): NotificationEvent {
  return {
    eventType: event.eventType,
    objectType: event.objectType,
    objectId: event.objectId,
    eventDate: event.eventDate,
    elementKey,
  };
}

export function buildNotifications(input: BuildNotificationsInput): Notification[] {
  const chunks = chunk(input.events, MAX_EVENTS_PER_NOTIFICATION);
  return chunks.map((events, index) => ({
    message: {
      eventId: chunkEventId(input.baseEventId, index, chunks.length),
      elementKey: input.elementKey,
      instanceId: input.instanceId,
      instanceName: input.instanceName,
      events: events.map((event) => toNotificationEvent(event, input.elementKey)),
      raw:
        chunks.length > 1 && input.sliceRaw
          ? input.sliceRaw(index * MAX_EVENTS_PER_NOTIFICATION, index * MAX_EVENTS_PER_NOTIFICATION + events.length)
          : input.raw,
    },
  }));
}

/**
 * `JSON.stringify(notification)` as bytes, with the raw payload serialized by the caller (once, when
 * several notifications share it) and spliced in. `raw` is the last key of `message`, so the result is
 * byte-for-byte what `JSON.stringify` gives.
 */
export function serializeNotification(notification: Notification, rawJson: string): Buffer {
  const { eventId, elementKey, instanceId, instanceName, events } = notification.message;
  const prefix = JSON.stringify({ message: { eventId, elementKey, instanceId, instanceName, events } });
  return Buffer.concat([
    Buffer.from(`${prefix.slice(0, -2)},"raw":`, "utf8"),
    Buffer.from(rawJson, "utf8"),
    Buffer.from("}}", "utf8"),
  ]);
}

/** `JSON.stringify(raw)`, with `null` for a value JSON cannot represent (never the case for parsed payloads). */
export function serializeRaw(raw: unknown): string {
  return JSON.stringify(raw) ?? "null";
}
