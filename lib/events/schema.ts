import { z } from "zod";

/** Event statuses as stored; also the `status` filter of event lists. */
export const EVENT_STATUSES = ["PENDING", "DELIVERED", "RETRYING", "DEAD", "DISABLED", "DUPLICATE", "REJECTED"] as const;
export type EventStatusName = (typeof EVENT_STATUSES)[number];

/** Why an event in `status` is never sent, redelivery included, or null: a refused webhook, or a repeat. */
export function notDeliverable(status: string): string | null {
  if (status === "REJECTED") return "A refused (REJECTED) webhook is never delivered: Hookline did not accept it.";
  if (status === "DUPLICATE") return "This DUPLICATE repeats an event received earlier; redeliver that one (its duplicateOf).";
  return null;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** `?pageSize=&nextPage=&status=` of `GET /instances/{id}/events` (Cloud Elements paging names). */
export const listEventsQuerySchema = z.object({
  pageSize: z.coerce
    .number({ error: "pageSize must be a number" })
    .int("pageSize must be a whole number")
    .min(1, "pageSize must be at least 1")
    .max(MAX_PAGE_SIZE, `pageSize must be at most ${MAX_PAGE_SIZE}`)
    .default(DEFAULT_PAGE_SIZE),
  nextPage: z.string().max(200, "nextPage is not a page token").optional(),
  status: z.enum(EVENT_STATUSES, { error: `status must be one of ${EVENT_STATUSES.join(", ")}` }).optional(),
});

/** What callers pass (query-string values as they come); `listEventsQuerySchema` validates it. */
export type ListEventsQuery = { pageSize?: number | string; nextPage?: string; status?: string };

/** The keyset position after the last row of a page: (created_at, id) of that row. */
const cursorSchema = z.tuple([z.iso.datetime(), z.uuid()]);

export type Cursor = { createdAt: Date; id: string };

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id]), "utf8").toString("base64url");
}

/** The cursor in a `nextPage` token, or null for anything that is not one of ours. */
export function decodeCursor(token: string): Cursor | null {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(token, "base64url").toString("utf8")));
    return parsed.success ? { createdAt: new Date(parsed.data[0]), id: parsed.data[1] } : null;
  } catch {
    return null;
  }
}
