import type { Cursor } from "@/lib/events/schema";
import type { EventLogFilters, EventLogPage } from "@/lib/live-log/schema";
import { cursorFor } from "@/lib/live-log/schema";
import { searchRegex } from "@/lib/live-log/search-terms";
import { conditions, eventsWhere, keysetBefore, Params, read, rowsById, bodyMatches } from "@/lib/live-log/sql";

/**
 * Text search of the live event log: a page of events whose stored request body contains a term, and
 * which of a set of rows match (for a stream's filter). Plans need no statistics (see `searchPage`).
 */

export const SEARCH_TOO_SLOW =
  "This search took too long; narrow it with a time range, an instance or a longer, more specific term, then search again.";
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
export async function searchPage(
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

/** The ids among `ids` whose raw request body contains `term` (the organization's only). */
export async function idsMatchingText(organizationId: string, ids: readonly string[], term: string, signal?: AbortSignal): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const params = new Params();
  const lookup = eventsWhere(`id = ANY(${params.add(ids)}::uuid[])`);
  const where = conditions(params, organizationId, { q: term }, { now: new Date(), status: false });
  const { rows } = await read<{ id: string }>(`SELECT e.id FROM ${lookup} WHERE ${where.join(" AND ")}`, params.values, { signal });
  return new Set(rows.map((row) => row.id));
}
