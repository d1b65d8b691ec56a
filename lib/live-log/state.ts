import {
  compareRows,
  cursorFor,
  type EventLogPage,
  type EventLogRow,
  type LogStatus,
  type StreamRowsMessage,
} from "@/lib/live-log/schema";

/**
 * The client's list of events, kept in keyset order while the stream adds and changes rows. Pure
 * functions, so the rules are tested without a browser:
 * - a row already shown (or held while paused) is replaced in place, whatever the filters say now;
 * - a new row is added when it matches the status filter and is newer than the end of what is loaded
 *   (older ones arrive with "load more"); while paused it is held back instead;
 * - the list keeps at most MAX_ROWS rows; trimming moves the "load more" boundary up.
 */

export const MAX_ROWS = 500;

/** Fired on window when live rows arrive, so other widgets (the chart) can refresh. */
export const EVENTS_ARRIVED = "hookline:events-arrived";

type Position = Pick<EventLogRow, "createdAt" | "id">;

export type LogState = {
  rows: EventLogRow[];
  /** New rows that arrived while paused, shown on resume. */
  held: EventLogRow[];
  /** Where "load more" continues: the last loaded position; null when everything is loaded. */
  boundary: Position | null;
};

function positionOf(row: EventLogRow): Position {
  return { createdAt: row.createdAt, id: row.id };
}

export function initialLogState(page: EventLogPage): LogState {
  const last = page.rows[page.rows.length - 1];
  return { rows: page.rows, held: [], boundary: page.nextCursor && last ? positionOf(last) : null };
}

export function nextCursorOf(state: LogState): string | null {
  return state.boundary ? cursorFor(state.boundary) : null;
}

function trimmed(state: LogState): LogState {
  if (state.rows.length <= MAX_ROWS) return state;
  const rows = state.rows.slice(0, MAX_ROWS);
  return { ...state, rows, boundary: positionOf(rows[rows.length - 1]!) };
}

export function applyStreamRows(
  state: LogState,
  message: StreamRowsMessage,
  options: { status?: LogStatus; paused: boolean },
): { state: LogState; added: string[] } {
  let { rows, held, boundary } = state;
  const cut = message.truncatedAt ?? null;
  if (cut) {
    // A catch-up that could not send everything: keep what is contiguous with its rows, load the rest on demand.
    rows = rows.filter((row) => compareRows(row, cut) <= 0);
    held = held.filter((row) => compareRows(row, cut) <= 0);
    if (!boundary || compareRows(boundary, cut) > 0) boundary = cut;
  }
  rows = [...rows];
  held = [...held];
  const shown = new Map(rows.map((row, index) => [row.id, index]));
  const waiting = new Map(held.map((row, index) => [row.id, index]));
  const added: string[] = [];
  for (const row of message.rows) {
    const at = shown.get(row.id);
    if (at !== undefined) {
      rows[at] = row;
      continue;
    }
    const heldAt = waiting.get(row.id);
    if (heldAt !== undefined) {
      held[heldAt] = row;
      continue;
    }
    if (options.status && row.status !== options.status) continue;
    if (boundary && compareRows(row, boundary) > 0) continue;
    if (options.paused) {
      waiting.set(row.id, held.length);
      held.push(row);
    } else {
      shown.set(row.id, rows.length);
      rows.push(row);
      added.push(row.id);
    }
  }
  if (added.length) rows.sort(compareRows);
  return { state: trimmed({ rows, held, boundary }), added };
}

/** Resume: the held rows join the list. */
export function releaseHeld(state: LogState): { state: LogState; added: string[] } {
  if (state.held.length === 0) return { state, added: [] };
  const known = new Set(state.rows.map((row) => row.id));
  const fresh = state.held.filter((row) => !known.has(row.id));
  const rows = [...state.rows, ...fresh].sort(compareRows);
  return { state: trimmed({ ...state, rows, held: [] }), added: fresh.map((row) => row.id) };
}

/** "Load more": the next page goes below what is shown. */
export function appendPage(state: LogState, page: EventLogPage): LogState {
  const known = new Set(state.rows.map((row) => row.id));
  const rows = [...state.rows, ...page.rows.filter((row) => !known.has(row.id))];
  const last = page.rows[page.rows.length - 1];
  return { ...state, rows, boundary: page.nextCursor && last ? positionOf(last) : null };
}
