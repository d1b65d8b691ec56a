import { buildNotifications, serializeNotification, serializeRaw, type BuildNotificationsInput, type Notification } from "@/lib/events/envelope";
import { uuidv7 } from "@/lib/events/ids";

/** One notification as stored in `events`: its ids, what lists show, and the exact bytes delivered. */
export type EventRow = { id: string; eventId: string; summary: string; count: number; payload: Buffer };

/**
 * Postgres JSONB refuses `\u0000` and half of a surrogate pair (`\ud800` alone), both of which a JSON
 * body can carry as escapes; normalized fields come from provider data, so NUL is stripped there and a
 * lone surrogate becomes U+FFFD, as a UTF-8 decoder would make it.
 */
function jsonbSafe(value: string): string {
  return value.replace(/\u0000/g, "").replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

/**
 * `message.events` without `raw`, as JSON text: what lists show and filter on. A body the parser did not
 * recognize carries the parser's reason (`unrecognized`) for the log.
 */
function summaryOf(notification: Notification, unrecognized: string | undefined): string {
  return JSON.stringify(
    notification.message.events.map((event) => ({
      eventType: event.eventType,
      objectType: jsonbSafe(event.objectType),
      objectId: event.objectId === null ? null : jsonbSafe(event.objectId),
      eventDate: jsonbSafe(event.eventDate),
      elementKey: event.elementKey,
      ...(unrecognized ? { unrecognized: jsonbSafe(unrecognized) } : {}),
    })),
  );
}

/**
 * The rows of one received (or test) payload: ≤ 20 events each, each with its own slice of the raw
 * payload. `firstId`: the id of the first row, the stored request's own id, so the live log's
 * "received" row for the request (lib/live-log/received-rows.ts) becomes that row in place.
 */
export function notificationRows(input: BuildNotificationsInput, options: { firstId?: string; unrecognized?: string } = {}): EventRow[] {
  let wholeRaw: string | undefined;
  return buildNotifications(input).map((notification, index) => {
    // The whole payload (one notification, or a provider without slices) is serialized once.
    const raw = notification.message.raw === input.raw ? (wholeRaw ??= serializeRaw(input.raw)) : serializeRaw(notification.message.raw);
    return {
      id: index === 0 && options.firstId ? options.firstId : uuidv7(),
      eventId: notification.message.eventId,
      summary: summaryOf(notification, options.unrecognized),
      count: notification.message.events.length,
      payload: serializeNotification(notification, raw),
    };
  });
}
