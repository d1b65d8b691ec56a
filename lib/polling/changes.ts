import { createHash } from "node:crypto";
import type { PollerResource } from "@/lib/polling/config";
import { parseRecordDate } from "@/lib/polling/date-format";

/**
 * What a poll makes of one provider record: a change (CREATED when its created and updated dates are
 * equal, else UPDATED, as Cloud Elements decides, unless the resource fixes the type), with the record
 * itself as the event's `raw`.
 */
export type PolledChange = {
  eventType: "CREATED" | "UPDATED" | "DELETED";
  objectType: string;
  objectId: string;
  /** ISO-8601 UTC: the record's updated date, which is also the event's `eventDate`. */
  updatedDate: string;
  record: unknown;
};

/** `a.b.c` of a record; arrays by index (`items.0.id`). */
export function valueAt(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function idText(value: unknown): string | null {
  if (typeof value === "string" && value.trim() !== "") return value.trim();
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

/** The change a record is, or why it is not one (no id, an unreadable updated date). */
export function changeOf(record: unknown, objectType: string, resource: PollerResource): PolledChange | { skipped: string } {
  const dates = resource.datesConfiguration;
  const objectId = idText(valueAt(record, resource.idField));
  if (!objectId) return { skipped: `a record has no ${resource.idField}` };
  const updated = parseRecordDate(valueAt(record, dates.updatedDateField), dates.updatedDateFormat, dates.updatedDateTimezone);
  if (!updated) return { skipped: `a record's ${dates.updatedDateField} is not a date in the format ${dates.updatedDateFormat}` };
  const created = dates.createdDateField
    ? parseRecordDate(valueAt(record, dates.createdDateField), dates.createdDateFormat ?? dates.updatedDateFormat, dates.createdDateTimezone ?? dates.updatedDateTimezone)
    : null;
  return {
    eventType: resource.eventType ?? (created && created.getTime() === updated.getTime() ? "CREATED" : "UPDATED"),
    objectType,
    objectId,
    updatedDate: updated.toISOString(),
    record,
  };
}

/**
 * The key of one change of one object: (object type, object id, updated date), hashed to a fixed
 * length. A webhook and a poll that report the same change make the same key, so it becomes one event.
 */
export function changeKey(objectType: string, objectId: string, updatedDate: string): string {
  const iso = new Date(updatedDate).toISOString();
  return createHash("sha256").update(JSON.stringify([objectType.toLowerCase(), objectId, iso])).digest("base64url");
}
