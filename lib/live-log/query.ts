import type pg from "pg";
import { getConnector } from "@/lib/connectors";
import { decodeUtf8 } from "@/lib/connectors/webhooks/shared";
import { deliveryHeaders } from "@/lib/delivery/deliver";
import type { NotificationEvent } from "@/lib/events/envelope";
import { isUuid } from "@/lib/events/ids";
import { redactHeaders } from "@/lib/events/redact";
import type {
  AttemptEntry,
  BodyView,
  EventLogDetail,
  EventLogFilters,
  EventLogPage,
  EventLogRow,
  EventStats,
  LogStatus,
} from "@/lib/live-log/schema";
import { compareRows, cursorFor, PAGE_SIZE, TIME_RANGES } from "@/lib/live-log/schema";
import { RECEIVED_ROWS, receivedRow, type ReceivedRecord } from "@/lib/live-log/received-rows";
import { ReadPoolBusyError, readQuery, ReadTimeoutError } from "@/lib/db/read-pool";
import { withSearchSlot } from "@/lib/live-log/search-slots";
import { decodeCursor, type Cursor } from "@/lib/events/schema";
import { AppError } from "@/lib/errors";
import { signingKeys } from "@/lib/delivery/signing-keys";

/**
 * Reads for the live event log (server only: raw SQL on the read pool, lib/db/read-pool.ts, never the
 * pool ingest and delivery use). Every query is scoped to one
 * organization and backed by an index (see migration 20261125040000_live_log): the keyset order
 * (created_at DESC, id DESC) per organization, per instance, per status and per connector; the summary
 * GIN index for event types; a trigram index over the raw request body for free text. Pages are keyset
 * paginated, never OFFSET, so page 1000 costs what page 1 does.
 */

const CALLBACK_URL = "event.notification.callback.url";

/** Positional parameters for one statement. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

const ROW_COLUMNS = `e.id, e.event_id, e.organization_id, e.created_at, e.instance_id, i.name AS instance_name,
       e.element_key, e.summary, e.event_count, e.status, e.attempts, e.last_status_code, e.delivered_at,
       e.next_attempt_at, e.test,
       (SELECT CASE WHEN a.status_code IS NOT NULL THEN a.latency_ms END FROM delivery_attempts a WHERE a.event_id = e.id
         ORDER BY a.started_at DESC, a.attempt DESC LIMIT 1) AS latency_ms`;

const ROW_FROM = `FROM events e JOIN instances i ON i.id = e.instance_id`;

/**
 * Events looked up by `condition` alone (an indexed key: ids, a request id), other conditions applied to
 * what it returns. `OFFSET 0` keeps the planner from combining them into the lookup: with no statistics
 * (autovacuum off) it took `organization_id = …` for selective and ANDed the lookup with a bitmap of every
 * event of the organization, once per row looked up.
 */
function eventsWhere(condition: string): string {
  return `(SELECT * FROM events WHERE ${condition} OFFSET 0) e`;
}

type RowRecord = {
  id: string;
  event_id: string;
  organization_id: string;
  created_at: Date;
  instance_id: number;
  instance_name: string;
  element_key: string;
  summary: unknown;
  event_count: number;
  status: LogStatus;
  attempts: number;
  last_status_code: number | null;
  delivered_at: Date | null;
  next_attempt_at: Date | null;
  test: boolean;
  latency_ms: number | null;
};

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

function connectorView(elementKey: string): EventLogRow["connector"] {
  const connector = getConnector(elementKey);
  return {
    name: connector?.name ?? elementKey,
    monogram: connector?.tile.monogram ?? elementKey.slice(0, 2).toUpperCase(),
    color: connector?.tile.color ?? "#64748b",
  };
}

function toRow(record: RowRecord): EventLogRow {
  const events = (Array.isArray(record.summary) ? record.summary : []) as Partial<NotificationEvent>[];
  const first = events[0];
  return {
    id: record.id,
    eventId: record.event_id,
    createdAt: record.created_at.toISOString(),
    instanceId: record.instance_id,
    instanceName: record.instance_name,
    elementKey: record.element_key,
    connector: connectorView(record.element_key),
    eventType: first?.eventType ?? "UNKNOWN",
    eventTypes: [...new Set(events.map((event) => event.eventType ?? "UNKNOWN"))],
    objectType: first?.objectType ?? null,
    objectId: first?.objectId ?? null,
    eventCount: record.event_count,
    unrecognized: typeof (first as { unrecognized?: unknown } | undefined)?.unrecognized === "string" ? (first as { unrecognized: string }).unrecognized : null,
    status: record.status,
    attempts: record.attempts,
    lastStatusCode: record.last_status_code,
    latencyMs: record.latency_ms,
    deliveredAt: iso(record.delivered_at),
    nextAttemptAt: iso(record.next_attempt_at),
    test: record.test,
  };
}

/**
 * bytea `escape` encoding of the UTF-8 bytes of `text`, the form `hookline_body_text()` gives stored
 * bodies: a backslash doubled, NUL and non-ASCII bytes as `\ooo`, everything else as is.
 */
export function escapeEncode(text: string): string {
  let encoded = "";
  for (const byte of Buffer.from(text, "utf8")) {
    if (byte === 0x5c) encoded += "\\\\";
    else if (byte === 0 || byte >= 0x80) encoded += `\\${byte.toString(8).padStart(3, "0")}`;
    else encoded += String.fromCharCode(byte);
  }
  return encoded;
}

/** `text` as a regular expression (ARE) matching it literally: a backslash before each character but a letter or digit. */
function regexLiteral(text: string): string {
  return text.replace(/[^A-Za-z0-9]/g, (char) => `\\${char}`);
}

/**
 * A search term as typed, and as it appears inside a JSON string (quotes and backslashes escaped,
 * non-ASCII possibly as \u00e9) or a form-encoded body (`%40` for `@`, `+` for a space), so a value is
 * found however the provider encoded its body.
 */
function searchVariants(term: string): string[] {
  const json = JSON.stringify(term).slice(1, -1);
  const asciiJson = json.replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const uri = encodeURIComponent(term);
  return [...new Set([term, json, asciiJson, uri, uri.replace(/%20/g, "+")])];
}

/**
 * The search for a term as one case-insensitive regular expression (`~*`): the variants, escape-encoded
 * (so ASCII only, where ~* and ILIKE fold case alike) and quoted, as alternatives. It finds what
 * `ILIKE '%variant%'` for each variant finds, but faster on a large table: pg_trgm looks up every
 * trigram of a LIKE pattern in the index, word-boundary ones such as " co" or "om " that nearly every
 * body has included, one index scan per pattern; from a regex it takes a bounded set, dropping those
 * first, in one index scan for all variants. Measured at 1 M events (bench/event-log.ts): an email
 * address 40 → 8 ms, a 32-digit hex id 5.2 → 3.8 ms.
 */
export function searchRegex(term: string): string {
  return searchVariants(term)
    .map((variant) => regexLiteral(escapeEncode(variant)))
    .join("|");
}

type ConditionOptions = { now: Date; status: boolean };

/** WHERE conditions for `filters`, always starting with the organization. */
function conditions(params: Params, organizationId: string, filters: EventLogFilters, options: ConditionOptions): string[] {
  const org = params.add(organizationId);
  const where = [`e.organization_id = ${org}::uuid`];
  if (filters.connector) where.push(`e.element_key = ${params.add(filters.connector)}`);
  if (filters.instance) where.push(`e.instance_id = ${params.add(filters.instance)}::int`);
  if (filters.type) where.push(`e.summary @> ${params.add(JSON.stringify([{ eventType: filters.type }]))}::jsonb`);
  if (filters.status && options.status) where.push(`e.status = ${params.add(filters.status)}::"EventStatus"`);
  if (filters.range) {
    where.push(`e.created_at >= ${params.add(new Date(options.now.getTime() - TIME_RANGES[filters.range].ms))}::timestamptz`);
  }
  if (filters.q) where.push(bodyMatches(params, filters.q));
  return where;
}

/**
 * Whether event `e`'s request body matches `term`, checked row by row through the request's primary key.
 * A scalar subquery is never turned into a join, so its plan needs no statistics: used where the rows to
 * check are already bounded (ids, a catch-up window, the newest events of a search).
 */
function bodyMatches(params: Params, term: string): string {
  return `(SELECT hookline_body_text(r.body) ~* ${params.add(searchRegex(term))} FROM webhook_requests r WHERE r.id = e.request_id)`;
}

export const SEARCH_TOO_SLOW =
  "This search took too long; narrow it with a time range, an instance or a longer, more specific term, then search again.";
const READ_TOO_SLOW = "Reading the event log took too long; narrow the filters or try again in a moment.";
const READ_BUSY = "The event log is busy right now; try again in a few seconds.";

/** A read on the read pool, its timeouts turned into messages a person can act on (503, never a 500). */
async function read<T extends pg.QueryResultRow>(
  text: string,
  values: unknown[],
  options: { signal?: AbortSignal; slowMessage?: string } = {},
): Promise<pg.QueryResult<T>> {
  try {
    return await readQuery<T>(text, values, options.signal);
  } catch (error) {
    if (error instanceof ReadTimeoutError) throw new AppError("unavailable", options.slowMessage ?? READ_TOO_SLOW);
    if (error instanceof ReadPoolBusyError) throw new AppError("unavailable", READ_BUSY);
    throw error;
  }
}

function keysetBefore(params: Params, cursor: Cursor): string {
  return `(e.created_at, e.id) < (${params.add(cursor.createdAt)}::timestamptz, ${params.add(cursor.id)}::uuid)`;
}


export type ListOptions = { cursor?: string | null; limit?: number; now?: Date; signal?: AbortSignal };

/** One page of the organization's events matching `filters`, newest first. */
export async function listEventLog(organizationId: string, filters: EventLogFilters, options: ListOptions = {}): Promise<EventLogPage> {
  const limit = Math.min(Math.max(options.limit ?? PAGE_SIZE, 1), 200);
  const cursor = options.cursor ? decodeCursor(options.cursor) : null;
  if (options.cursor && !cursor) throw new AppError("bad_request", "That page position is not valid; reload the page.");
  const now = options.now ?? new Date();
  if (filters.q) return searchPage(organizationId, { ...filters, q: filters.q }, cursor, limit, now, options.signal);
  const params = new Params();
  const where = conditions(params, organizationId, filters, { now, status: true });
  if (cursor) where.push(keysetBefore(params, cursor));
  const { rows } = await read<RowRecord>(
    `SELECT ${ROW_COLUMNS} ${ROW_FROM} WHERE ${where.join(" AND ")}
      ORDER BY e.created_at DESC, e.id DESC LIMIT ${params.add(limit + 1)}`,
    params.values,
    { signal: options.signal },
  );
  const page = rows.slice(0, limit).map(toRow);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: rows.length > limit && last ? cursorFor(last) : null };
}

/** `listEventLog` for a person: a text search takes one of their MAX_SEARCHES_PER_USER slots (429 when none is free). */
export function listEventLogFor(userId: string, organizationId: string, filters: EventLogFilters, options: ListOptions = {}): Promise<EventLogPage> {
  if (!filters.q) return listEventLog(organizationId, filters, options);
  return withSearchSlot(userId, () => listEventLog(organizationId, filters, options));
}

/** Newest events (after the cursor) whose bodies a search checks one by one before it asks the trigram index. */
export const SEARCH_WINDOW = 2000;
/** Requests the trigram index may return for one search; past this the term is too common to sort all matches. */
export const SEARCH_MATCH_LIMIT = 5000;

type SearchStep = { total: number; ids: string[] };

/**
 * A page of a text search in two bounded steps whose plans need no statistics (with autovacuum off, the
 * one-statement search was planned as a nested loop over every event per matching request: 11 minutes):
 * 1. the newest SEARCH_WINDOW events after the cursor (keyset index), each body checked through its
 *    request's primary key: enough for a common term, whose matches are everywhere;
 * 2. if that did not fill the page and there are older events, the trigram index finds at most
 *    SEARCH_MATCH_LIMIT matching requests (materialized, so nothing is joined into that scan) and their
 *    events are looked up by `request_id`. A term in more requests than that is too common to sort:
 *    the page shows step 1's matches and says so.
 */
async function searchPage(
  organizationId: string,
  filters: EventLogFilters & { q: string },
  cursor: Cursor | null,
  limit: number,
  now: Date,
  signal: AbortSignal | undefined,
): Promise<EventLogPage> {
  const slow = { signal, slowMessage: SEARCH_TOO_SLOW };
  const eventFilters = { ...filters, q: undefined };

  const recent = new Params();
  const recentWhere = conditions(recent, organizationId, eventFilters, { now, status: true });
  if (cursor) recentWhere.push(keysetBefore(recent, cursor));
  const windowSql = `SELECT e.id, e.created_at, e.request_id FROM events e WHERE ${recentWhere.join(" AND ")}
     ORDER BY e.created_at DESC, e.id DESC LIMIT ${recent.add(SEARCH_WINDOW)}`;
  const first = await searchStep(
    `WITH win AS MATERIALIZED (${windowSql})
     SELECT s.total, m.id FROM (SELECT count(*)::int AS total FROM win) s
       LEFT JOIN LATERAL (SELECT e.id, e.created_at FROM win e WHERE ${bodyMatches(recent, filters.q)}
                           ORDER BY e.created_at DESC, e.id DESC LIMIT ${recent.add(limit + 1)}) m ON true
      ORDER BY m.created_at DESC, m.id DESC`,
    recent.values,
    slow,
  );
  let ids = first.ids;
  let notice: string | undefined;
  if (first.ids.length <= limit && first.total >= SEARCH_WINDOW) {
    const older = new Params();
    const org = older.add(organizationId);
    const olderWhere = conditions(older, organizationId, eventFilters, { now, status: true });
    if (cursor) olderWhere.push(keysetBefore(older, cursor));
    const second = await searchStep(
      `WITH matched AS MATERIALIZED (
         SELECT r.id FROM webhook_requests r
          WHERE r.organization_id = ${org}::uuid AND hookline_body_text(r.body) ~* ${older.add(searchRegex(filters.q))}
          LIMIT ${older.add(SEARCH_MATCH_LIMIT + 1)})
       SELECT s.total, m.id FROM (SELECT count(*)::int AS total FROM matched) s
         LEFT JOIN LATERAL (SELECT e.id, e.created_at FROM matched q
                              CROSS JOIN LATERAL ${eventsWhere("request_id = q.id")}
                             WHERE ${olderWhere.join(" AND ")}
                             ORDER BY e.created_at DESC, e.id DESC LIMIT ${older.add(limit + 1)}) m ON true
        ORDER BY m.created_at DESC, m.id DESC`,
      older.values,
      slow,
    );
    if (second.total <= SEARCH_MATCH_LIMIT) ids = second.ids;
    else notice = `Only the newest ${SEARCH_WINDOW.toLocaleString("en")} events were searched: this term is in more than ${SEARCH_MATCH_LIMIT.toLocaleString("en")} requests. Narrow it with a time range, an instance or a longer term.`;
  }
  const rows = await rowsById(organizationId, ids, signal);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: !notice && rows.length > limit && last ? cursorFor(last) : null, ...(notice ? { notice } : {}) };
}

async function searchStep(text: string, values: unknown[], options: { signal?: AbortSignal; slowMessage: string }): Promise<SearchStep> {
  const { rows } = await read<{ total: number; id: string | null }>(text, values, options);
  return { total: rows[0]?.total ?? 0, ids: rows.flatMap((row) => (row.id ? [row.id] : [])) };
}

/** The organization's rows with these ids, in keyset order. */
async function rowsById(organizationId: string, ids: readonly string[], signal?: AbortSignal): Promise<EventLogRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await read<RowRecord>(
    `SELECT ${ROW_COLUMNS} FROM ${eventsWhere("id = ANY($1::uuid[])")} JOIN instances i ON i.id = e.instance_id
      WHERE e.organization_id = $2::uuid`,
    [ids, organizationId],
    { signal },
  );
  return rows.map(toRow).sort(compareRows);
}

/**
 * Rows by id with their organization, for the notify hub to fan out (any organization: it routes them).
 * An id that is no event yet may be a stored request still waiting to be processed: a RECEIVED row.
 */
export async function fetchEventLogRows(ids: readonly string[]): Promise<{ organizationId: string; row: EventLogRow }[]> {
  if (ids.length === 0) return [];
  const { rows } = await read<RowRecord>(`SELECT ${ROW_COLUMNS} ${ROW_FROM} WHERE e.id = ANY($1::uuid[])`, [ids]);
  const found = rows.map((record) => ({ organizationId: record.organization_id, row: toRow(record) }));
  const missing = ids.filter((id) => !rows.some((record) => record.id === id));
  if (missing.length === 0) return found;
  const received = await read<ReceivedRecord>(RECEIVED_ROWS, [missing]);
  return [...found, ...received.rows.map((record) => ({ organizationId: record.organization_id, row: receivedRow(record, connectorView(record.element_key)) }))];
}

/** The ids among `ids` whose raw request body contains `term` (the organization's only). */
export async function idsMatchingText(organizationId: string, ids: readonly string[], term: string, signal?: AbortSignal): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const params = new Params();
  const lookup = eventsWhere(`id = ANY(${params.add(ids)}::uuid[])`);
  const where = conditions(params, organizationId, { q: term }, { now: new Date(), status: false });
  const { rows } = await read<{ id: string }>(`SELECT e.id FROM ${lookup} WHERE ${where.join(" AND ")}`, params.values, { signal });
  return new Set(rows.map((row) => row.id));
}

export type CatchUp = {
  rows: EventLogRow[];
  /** Set when more rows were created since than `limit`: the rows are the newest ones, this the oldest of them. */
  truncatedAt: Pick<EventLogRow, "createdAt" | "id"> | null;
};

/**
 * What changed since `since` for a stream that reconnects: rows created after it (newest first, at most
 * `limit`) and rows with a delivery attempt after it. The delivery status filter is left to the client,
 * which also updates rows it shows that no longer match.
 */
export async function eventLogCatchUp(
  organizationId: string,
  filters: EventLogFilters,
  since: Date,
  limit = 500,
  signal?: AbortSignal,
): Promise<CatchUp> {
  const created = new Params();
  const createdWhere = conditions(created, organizationId, filters, { now: new Date(), status: false });
  createdWhere.push(`e.created_at > ${created.add(since)}::timestamptz`);
  const fresh = await read<RowRecord>(
    `SELECT ${ROW_COLUMNS} ${ROW_FROM} WHERE ${createdWhere.join(" AND ")}
      ORDER BY e.created_at DESC, e.id DESC LIMIT ${created.add(limit + 1)}`,
    created.values,
    { signal },
  );
  const tried = new Params();
  const triedWhere = conditions(tried, organizationId, filters, { now: new Date(), status: false });
  triedWhere.push(`e.last_attempt_at > ${tried.add(since)}::timestamptz`);
  const updated = await read<RowRecord>(
    `SELECT ${ROW_COLUMNS} ${ROW_FROM} WHERE ${triedWhere.join(" AND ")}
      ORDER BY e.last_attempt_at DESC LIMIT ${tried.add(limit)}`,
    tried.values,
    { signal },
  );
  const byId = new Map<string, EventLogRow>();
  for (const record of fresh.rows.slice(0, limit)) byId.set(record.id, toRow(record));
  // Read second, so the fresher snapshot of a row in both wins.
  for (const record of updated.rows) byId.set(record.id, toRow(record));
  const oldest = fresh.rows[limit - 1];
  return {
    rows: [...byId.values()],
    truncatedAt: fresh.rows.length > limit && oldest ? { createdAt: oldest.created_at.toISOString(), id: oldest.id } : null,
  };
}

const MAX_JSON_BYTES = 256 * 1024;
const MAX_TEXT_CHARS = 64 * 1024;
const MAX_FORM_FIELDS = 1000;

/** A stored body decoded for display: JSON parsed, form fields listed, other text as text, bytes as hex. */
export function bodyView(body: Buffer, contentType: string): BodyView {
  if (body.length === 0) return { kind: "empty" };
  const decoded = decodeUtf8(body);
  if (!decoded.ok) return { kind: "binary", bytes: body.length, hexPreview: body.subarray(0, 256).toString("hex") };
  const type = contentType.toLowerCase();
  if (type.includes("application/x-www-form-urlencoded")) {
    return { kind: "form", fields: [...new URLSearchParams(decoded.text)].slice(0, MAX_FORM_FIELDS), text: decoded.text.slice(0, MAX_TEXT_CHARS) };
  }
  if (body.length <= MAX_JSON_BYTES && (type.includes("json") || /^\s*[[{]/.test(decoded.text))) {
    try {
      return { kind: "json", value: JSON.parse(decoded.text) as unknown, text: decoded.text };
    } catch {
      // Declared JSON but is not: shown as text below.
    }
  }
  return { kind: "text", text: decoded.text.slice(0, MAX_TEXT_CHARS), truncated: decoded.text.length > MAX_TEXT_CHARS };
}

type DetailRecord = RowRecord & {
  payload: Buffer;
  last_error: string | null;
  received_at: Date | null;
  content_type: string | null;
  headers: unknown;
  body: Buffer | null;
  remote_address: string | null;
  duplicate_of: string | null;
};

function parseNotification(payload: Buffer): { normalized: unknown; raw: unknown } {
  try {
    const parsed = JSON.parse(payload.toString("utf8")) as { message?: Record<string, unknown> };
    const { raw, ...normalized } = parsed.message ?? {};
    return { normalized, raw: raw ?? null };
  } catch {
    // Payloads are always our own JSON; a row edited by hand still opens.
    return { normalized: null, raw: null };
  }
}

function headerList(headers: unknown): [string, string][] {
  if (typeof headers !== "object" || headers === null) return [];
  const strings = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)]));
  // Stored redacted already; redacting again costs nothing and survives older rows or a changed rule.
  return Object.entries(redactHeaders(strings)).sort(([a], [b]) => a.localeCompare(b));
}

/** One event of the organization with its request and every delivery attempt; null when there is none. */
export async function getEventDetail(organizationId: string, id: string): Promise<EventLogDetail | null> {
  if (!isUuid(id)) return null;
  const { rows } = await read<DetailRecord>(
    `SELECT ${ROW_COLUMNS}, e.payload, e.last_error, r.received_at, r.content_type, r.headers, r.body, r.remote_address,
            r.duplicate_of
       ${ROW_FROM} LEFT JOIN webhook_requests r ON r.id = e.request_id
      WHERE e.id = $1::uuid AND e.organization_id = $2::uuid`,
    [id, organizationId],
  );
  const record = rows[0];
  if (!record) return null;
  const attempts = await read<{
    attempt: number;
    started_at: Date;
    url: string | null;
    status_code: number | null;
    latency_ms: number;
    response_excerpt: string | null;
    error: string | null;
  }>(
    `SELECT attempt, started_at, url, status_code, latency_ms, response_excerpt, error
       FROM delivery_attempts WHERE event_id = $1::uuid ORDER BY started_at, attempt`,
    [id],
  );
  const notification = parseNotification(record.payload);
  const request =
    record.body && record.received_at
      ? {
          receivedAt: record.received_at.toISOString(),
          contentType: record.content_type ?? "",
          remoteAddress: record.remote_address,
          headers: headerList(record.headers),
          body: bodyView(record.body, record.content_type ?? ""),
          duplicateOf: record.duplicate_of,
        }
      : null;
  return {
    row: toRow(record),
    normalized: notification.normalized,
    request,
    notificationRaw: request ? null : notification.raw,
    attempts: attempts.rows.map(
      (attempt): AttemptEntry => ({
        attempt: attempt.attempt,
        startedAt: attempt.started_at.toISOString(),
        url: attempt.url,
        statusCode: attempt.status_code,
        latencyMs: attempt.latency_ms,
        responseExcerpt: attempt.response_excerpt,
        error: attempt.error,
      }),
    ),
    lastError: record.last_error,
  };
}

/** Events per minute over the last 60 minutes (the current one included) and how their delivery went. */
export async function eventStats(organizationId: string, options: { instanceId?: number; now?: Date } = {}): Promise<EventStats> {
  const now = options.now ?? new Date();
  const currentMinute = Math.floor(now.getTime() / 60_000);
  const firstMinute = currentMinute - 59;
  const params = new Params();
  const where = [
    `e.organization_id = ${params.add(organizationId)}::uuid`,
    `e.created_at >= ${params.add(new Date(firstMinute * 60_000))}::timestamptz`,
  ];
  if (options.instanceId !== undefined) where.push(`e.instance_id = ${params.add(options.instanceId)}::int`);
  const { rows } = await read<{ minute: string; total: number; delivered: number; failed: number }>(
    `SELECT floor(extract(epoch FROM e.created_at) / 60)::int8 AS minute, count(*)::int AS total,
            count(*) FILTER (WHERE e.status = 'DELIVERED')::int AS delivered,
            count(*) FILTER (WHERE e.status IN ('RETRYING', 'DEAD', 'DISABLED'))::int AS failed
       FROM events e WHERE ${where.join(" AND ")} GROUP BY 1`,
    params.values,
  );
  return statsOf(firstMinute, new Map(rows.map((row) => [Number(row.minute), row])));
}

/** The chart with nothing in it, when its figures could not be read in time (the page still renders). */
function emptyStats(now: Date): EventStats {
  return statsOf(Math.floor(now.getTime() / 60_000) - 59, new Map());
}

function statsOf(firstMinute: number, byMinute: Map<number, { total: number; delivered: number; failed: number }>): EventStats {
  const minutes = Array.from({ length: 60 }, (_, index) => {
    const minute = firstMinute + index;
    const row = byMinute.get(minute);
    return { start: new Date(minute * 60_000).toISOString(), total: row?.total ?? 0, delivered: row?.delivered ?? 0, failed: row?.failed ?? 0 };
  });
  const total = minutes.reduce((sum, minute) => sum + minute.total, 0);
  const delivered = minutes.reduce((sum, minute) => sum + minute.delivered, 0);
  const failed = minutes.reduce((sum, minute) => sum + minute.failed, 0);
  return { minutes, total, delivered, failed, successRate: delivered + failed > 0 ? delivered / (delivered + failed) : null };
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The delivery request of an event as a cURL command: the instance's callback URL, the headers a
 * delivery sends now (signatures computed over the stored bytes with the instance's key) and those bytes.
 */
export async function deliveryCurl(organizationId: string, id: string, now = new Date()): Promise<string> {
  const { rows } = isUuid(id)
    ? await read<{ event_id: string; payload: Buffer; configuration: Record<string, unknown>; secrets_encrypted: string | null; previous_signature_key_encrypted: string | null }>(
        `SELECT e.event_id, e.payload, i.configuration, i.secrets_encrypted, i.previous_signature_key_encrypted
           FROM events e JOIN instances i ON i.id = e.instance_id
          WHERE e.id = $1::uuid AND e.organization_id = $2::uuid`,
        [id, organizationId],
      )
    : { rows: [] };
  const event = rows[0];
  if (!event) throw new AppError("not_found", "No event with that id.");
  const url = event.configuration[CALLBACK_URL];
  if (typeof url !== "string" || url === "") {
    throw new AppError("bad_request", "This instance has no Event Notification Callback URL to send to.");
  }
  const keys = signingKeys(event.secrets_encrypted, event.previous_signature_key_encrypted, now);
  const headers = deliveryHeaders({ payload: event.payload, eventId: event.event_id, ...keys, now });
  return [
    `curl -X POST ${shellQuote(url)}`,
    ...Object.entries(headers).map(([name, value]) => `-H ${shellQuote(`${name}: ${value}`)}`),
    `--data-raw ${shellQuote(event.payload.toString("utf8"))}`,
  ].join(" \\\n  ");
}

/**
 * What a page with the log renders first: the first page, the chart's figures, and when they were read.
 * A search refused or cut short (too many at once, too slow, the pool busy) renders as an empty page
 * with the reason, not as an error page: the filters stay on screen to narrow it.
 */
export async function loadEventLogView(
  user: { id: string; organizationId: string },
  filters: EventLogFilters,
  options: { statsInstanceId?: number } = {},
): Promise<{ page: EventLogPage; stats: EventStats; renderedAt: number }> {
  const now = new Date();
  const [page, stats] = await Promise.all([
    listEventLogFor(user.id, user.organizationId, filters, { limit: PAGE_SIZE, now }).catch((error: unknown) => {
      if (error instanceof AppError) return { rows: [], nextCursor: null, notice: error.message };
      throw error;
    }),
    eventStats(user.organizationId, { instanceId: options.statsInstanceId, now }).catch((error: unknown) => {
      if (error instanceof AppError) return emptyStats(now);
      throw error;
    }),
  ]);
  return { page, stats, renderedAt: now.getTime() };
}
