import { z } from "zod";
import type { NormalizedEventType } from "@/lib/connectors/contract";

/**
 * The live event log's shared vocabulary: the filters as they appear in the URL (`/events?status=dead&q=…`),
 * the row the table renders, the detail the side panel shows and the chart's figures. Used by the page,
 * the SSE stream, the server actions and the client components alike, so it imports nothing server-only.
 */

export const LOG_STATUSES = ["PENDING", "DELIVERED", "RETRYING", "DEAD", "DISABLED", "DUPLICATE", "REJECTED"] as const;
export type LogStatus = (typeof LOG_STATUSES)[number];
/** A row's status: an event's, or RECEIVED for a stored request not processed yet (not a filter). */
export type RowStatus = LogStatus | "RECEIVED";

/**
 * How Hookline learned of an event (the `EventSource` column of events and stored requests): a webhook,
 * a poll of the provider's API, or a reconciliation poll of a "both" instance that found a change no
 * webhook reported (a lost webhook, recovered). A stored request is WEBHOOK or POLL.
 */
export const EVENT_SOURCES = ["WEBHOOK", "POLL", "RECOVERED"] as const;
export type EventSourceName = (typeof EVENT_SOURCES)[number];

export const LOG_EVENT_TYPES = ["CREATED", "UPDATED", "DELETED", "UNKNOWN"] as const satisfies readonly NormalizedEventType[];
export type LogEventType = (typeof LOG_EVENT_TYPES)[number];

/** Time ranges offered by the filter bar, newest-relative. */
export const TIME_RANGES = {
  "15m": { label: "Last 15 minutes", ms: 15 * 60_000 },
  "1h": { label: "Last hour", ms: 3_600_000 },
  "24h": { label: "Last 24 hours", ms: 24 * 3_600_000 },
  "7d": { label: "Last 7 days", ms: 7 * 24 * 3_600_000 },
  "30d": { label: "Last 30 days", ms: 30 * 24 * 3_600_000 },
} as const;
export type TimeRange = keyof typeof TIME_RANGES;

/** Trigrams need three characters; shorter terms could not use the index. */
export const MIN_SEARCH_LENGTH = 3;
export const MAX_SEARCH_LENGTH = 200;

export const PAGE_SIZE = 50;

export type EventLogFilters = {
  connector?: string;
  instance?: number;
  type?: LogEventType;
  status?: LogStatus;
  range?: TimeRange;
  /** Free text searched in the provider's raw request body. */
  q?: string;
};

const lowerEnum = <T extends string>(values: readonly T[]) =>
  z
    .string()
    .transform((value) => value.toUpperCase())
    .pipe(z.enum(values as [T, ...T[]]));

/** Each filter on its own: a bad value drops that filter only, so an edited URL still shows a page. */
const filterFields = {
  connector: z.string().trim().min(1).max(100).regex(/^[a-z0-9]+$/i),
  instance: z.coerce.number().int().positive().max(2_147_483_647),
  type: lowerEnum(LOG_EVENT_TYPES),
  status: lowerEnum(LOG_STATUSES),
  range: z.enum(Object.keys(TIME_RANGES) as [TimeRange, ...TimeRange[]]),
  q: z.string().trim().min(MIN_SEARCH_LENGTH).max(MAX_SEARCH_LENGTH),
};

type SearchParamsLike = URLSearchParams | Record<string, string | string[] | undefined>;

function single(params: SearchParamsLike, name: string): string | undefined {
  if (params instanceof URLSearchParams) return params.get(name) ?? undefined;
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The filters in a query string; unknown or invalid values are ignored. */
export function parseEventLogFilters(params: SearchParamsLike): EventLogFilters {
  const filters: EventLogFilters = {};
  for (const name of Object.keys(filterFields) as (keyof typeof filterFields)[]) {
    const raw = single(params, name);
    if (raw === undefined || raw === "") continue;
    const parsed = filterFields[name].safeParse(raw);
    if (parsed.success) Object.assign(filters, { [name]: parsed.data });
  }
  return filters;
}

/** The canonical query string of `filters` (lower-case enum values, fixed order), without `?`. */
export function eventLogFiltersToQuery(filters: EventLogFilters): string {
  const params = new URLSearchParams();
  if (filters.q) params.set("q", filters.q);
  if (filters.connector) params.set("connector", filters.connector);
  if (filters.instance) params.set("instance", String(filters.instance));
  if (filters.type) params.set("type", filters.type.toLowerCase());
  if (filters.status) params.set("status", filters.status.toLowerCase());
  if (filters.range) params.set("range", filters.range);
  return params.toString();
}

export function hasFilters(filters: EventLogFilters): boolean {
  return eventLogFiltersToQuery(filters) !== "";
}

/** One event as a row of the log: what the table renders and each SSE message carries. */
export type EventLogRow = {
  id: string;
  /** The id receivers dedupe on. */
  eventId: string;
  /** ISO-8601. */
  createdAt: string;
  instanceId: number;
  instanceName: string;
  elementKey: string;
  connector: { name: string; monogram: string; color: string };
  /** Of the first normalized event; `eventCount` says how many the notification carries. */
  eventType: string;
  /** Every distinct event type in the notification (filters match any of them). */
  eventTypes: string[];
  objectType: string | null;
  objectId: string | null;
  eventCount: number;
  /** The body was not recognized by its connector's parser (eventType UNKNOWN): why. */
  unrecognized: string | null;
  status: RowStatus;
  attempts: number;
  lastStatusCode: number | null;
  /** Receiver response time of the latest attempt; null before any attempt and when it got no answer (refused, timed out). */
  latencyMs: number | null;
  deliveredAt: string | null;
  nextAttemptAt: string | null;
  test: boolean;
  /** The log marks POLL and RECOVERED rows; WEBHOOK, the usual case, goes unmarked. */
  source: EventSourceName;
};

export type EventLogPage = {
  rows: EventLogRow[];
  nextCursor: string | null;
  /** Why the page is empty or partial when that is not the whole answer (a search too slow, too broad, or too many at once). */
  notice?: string;
};

/** A stored request body, decoded for display. */
export type BodyView =
  | { kind: "empty" }
  | { kind: "json"; value: unknown; text: string }
  | { kind: "form"; fields: [string, string][]; text: string }
  | { kind: "text"; text: string; truncated: boolean }
  | { kind: "binary"; bytes: number; hexPreview: string };

export type AttemptEntry = {
  attempt: number;
  startedAt: string;
  url: string | null;
  statusCode: number | null;
  latencyMs: number;
  responseExcerpt: string | null;
  error: string | null;
};

export type EventLogDetail = {
  row: EventLogRow;
  /** The notification as delivered, without `raw`: eventId, elementKey, instance, normalized events. */
  normalized: unknown;
  /** Null for a test event, which no provider sent. */
  request: {
    receivedAt: string;
    contentType: string;
    remoteAddress: string | null;
    headers: [string, string][];
    body: BodyView;
    /** A DUPLICATE's first: the id of the request it repeats (also the id of that request's first event). */
    duplicateOf: string | null;
  } | null;
  /** `message.raw` of the notification, for an event without a stored request (a test event). */
  notificationRaw: unknown;
  attempts: AttemptEntry[];
  lastError: string | null;
};

export type EventStats = {
  /** ISO start of each of the 60 minutes, oldest first, with the events received in it. */
  minutes: { start: string; total: number; delivered: number; failed: number }[];
  total: number;
  delivered: number;
  /** Dead, disabled or still retrying. */
  failed: number;
  /** delivered / (delivered + failed), null when nothing has been tried yet. */
  successRate: number | null;
};

/** Keyset order: newest first, ties broken by id. Negative when `a` comes first. */
export function compareRows(a: Pick<EventLogRow, "createdAt" | "id">, b: Pick<EventLogRow, "createdAt" | "id">): number {
  if (a.createdAt !== b.createdAt) return a.createdAt > b.createdAt ? -1 : 1;
  if (a.id === b.id) return 0;
  return a.id > b.id ? -1 : 1;
}

/**
 * Whether a live row belongs in a stream with `filters`, for the filters a row carries. Status is left to
 * the client (a shown row keeps updating after it stops matching), the time range is met by anything new,
 * and free text needs the stored body (the stream asks the database).
 */
export function matchesRowFilters(row: EventLogRow, filters: EventLogFilters): boolean {
  if (filters.connector && row.elementKey !== filters.connector) return false;
  if (filters.instance && row.instanceId !== filters.instance) return false;
  if (filters.type && !row.eventTypes.includes(filters.type)) return false;
  return true;
}

/**
 * The keyset position after `row`, in the format of `encodeCursor` (lib/events/schema.ts): base64url of
 * `[createdAt, id]`. Built here without Buffer, so the browser can make one when it trims its list.
 */
export function cursorFor(row: Pick<EventLogRow, "createdAt" | "id">): string {
  return btoa(JSON.stringify([row.createdAt, row.id])).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A `rows` message of the stream (`event: rows`). */
export type StreamRowsMessage = {
  rows: EventLogRow[];
  /**
   * Set on a catch-up that found more new rows than it sends: `rows` hold the newest ones, and anything
   * older than this row may be missing, so the client continues with "load more" from here.
   */
  truncatedAt?: Pick<EventLogRow, "createdAt" | "id"> | null;
};
