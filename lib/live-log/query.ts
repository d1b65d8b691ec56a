import type { EventLogFilters, EventLogPage, EventLogRow, EventStats } from "@/lib/live-log/schema";
import { cursorFor, PAGE_SIZE } from "@/lib/live-log/schema";
import { RECEIVED_ROWS, receivedRow, type ReceivedRecord } from "@/lib/live-log/received-rows";
import { withSearchSlot } from "@/lib/live-log/search-slots";
import { searchPage } from "@/lib/live-log/search";
import { conditions, connectorView, keysetBefore, Params, read, ROW_COLUMNS, ROW_FROM, toRow, type RowRecord } from "@/lib/live-log/sql";
import { emptyStats, eventStats } from "@/lib/live-log/stats";
import { decodeCursor } from "@/lib/events/schema";
import { AppError } from "@/lib/errors";

/**
 * Pages of the live event log (server only: raw SQL on the read pool, lib/db/read-pool.ts, never the
 * pool ingest and delivery use). Every query is scoped to one organization and backed by an index (see
 * migration 20261125040000_live_log): the keyset order (created_at DESC, id DESC) per organization, per
 * instance, per status and per connector; the summary GIN index for event types; a trigram index over
 * the raw request body for free text (lib/live-log/search.ts). Pages are keyset paginated, never
 * OFFSET, so page 1000 costs what page 1 does. One event in full: lib/live-log/event-detail.ts; the
 * chart: lib/live-log/stats.ts.
 */

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
