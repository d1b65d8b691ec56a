import type pg from "pg";
import { getConnector } from "@/lib/connectors";
import { ReadPoolBusyError, readQuery, ReadTimeoutError } from "@/lib/db/read-pool";
import type { NotificationEvent } from "@/lib/events/envelope";
import type { Cursor } from "@/lib/events/schema";
import { AppError } from "@/lib/errors";
import type { EventLogFilters, EventLogRow, EventSourceName, LogStatus } from "@/lib/live-log/schema";
import { compareRows, TIME_RANGES } from "@/lib/live-log/schema";
import { searchRegex } from "@/lib/live-log/search-terms";

/**
 * The building blocks every read of the live event log shares (lib/live-log/query.ts, search.ts,
 * event-detail.ts, stats.ts): positional parameters, the row's columns and its view, the filters as
 * WHERE conditions, and `read`, which runs a statement on the read pool (lib/db/read-pool.ts, never the
 * pool ingest and delivery use) and turns its timeouts into messages a person can act on.
 */

/** Positional parameters for one statement. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export const ROW_COLUMNS = `e.id, e.event_id, e.organization_id, e.created_at, e.instance_id, i.name AS instance_name,
       e.element_key, e.summary, e.event_count, e.status, e.attempts, e.last_status_code, e.delivered_at,
       e.next_attempt_at, e.test, e.source,
       (SELECT CASE WHEN a.status_code IS NOT NULL THEN a.latency_ms END FROM delivery_attempts a WHERE a.event_id = e.id
         ORDER BY a.started_at DESC, a.attempt DESC LIMIT 1) AS latency_ms`;

export const ROW_FROM = `FROM events e JOIN instances i ON i.id = e.instance_id`;

/**
 * Events looked up by `condition` alone (an indexed key: ids, a request id), other conditions applied to
 * what it returns. `OFFSET 0` keeps the planner from combining them into the lookup: with no statistics
 * (autovacuum off) it took `organization_id = …` for selective and ANDed the lookup with a bitmap of every
 * event of the organization, once per row looked up.
 */
export function eventsWhere(condition: string): string {
  return `(SELECT * FROM events WHERE ${condition} OFFSET 0) e`;
}

export type RowRecord = {
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
  source: EventSourceName;
  latency_ms: number | null;
};

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

export function connectorView(elementKey: string): EventLogRow["connector"] {
  const connector = getConnector(elementKey);
  return {
    name: connector?.name ?? elementKey,
    monogram: connector?.tile.monogram ?? elementKey.slice(0, 2).toUpperCase(),
    color: connector?.tile.color ?? "#64748b",
  };
}

export function toRow(record: RowRecord): EventLogRow {
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
    source: record.source,
  };
}

type ConditionOptions = { now: Date; status: boolean };

/** WHERE conditions for `filters`, always starting with the organization. */
export function conditions(params: Params, organizationId: string, filters: EventLogFilters, options: ConditionOptions): string[] {
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
export function bodyMatches(params: Params, term: string): string {
  return `(SELECT hookline_body_text(r.body) ~* ${params.add(searchRegex(term))} FROM webhook_requests r WHERE r.id = e.request_id)`;
}

const READ_TOO_SLOW = "Reading the event log took too long; narrow the filters or try again in a moment.";
const READ_BUSY = "The event log is busy right now; try again in a few seconds.";

/** A read on the read pool, its timeouts turned into messages a person can act on (503, never a 500). */
export async function read<T extends pg.QueryResultRow>(
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

export function keysetBefore(params: Params, cursor: Cursor): string {
  return `(e.created_at, e.id) < (${params.add(cursor.createdAt)}::timestamptz, ${params.add(cursor.id)}::uuid)`;
}


/** The organization's rows with these ids, in keyset order. */
export async function rowsById(organizationId: string, ids: readonly string[], signal?: AbortSignal): Promise<EventLogRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await read<RowRecord>(
    `SELECT ${ROW_COLUMNS} FROM ${eventsWhere("id = ANY($1::uuid[])")} JOIN instances i ON i.id = e.instance_id
      WHERE e.organization_id = $2::uuid`,
    [ids, organizationId],
    { signal },
  );
  return rows.map(toRow).sort(compareRows);
}
