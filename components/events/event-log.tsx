"use client";

import { ChevronDown, LoaderCircle, Pause, Play, SearchX } from "lucide-react";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState, useTransition, type ReactNode } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import type { EventLogPage, EventLogRow, LogStatus, StreamRowsMessage } from "@/lib/live-log/schema";
import { EventPanel } from "./event-panel";
import { EventsTable } from "./events-table";
import { LiveIndicator } from "./live-indicator";
import { appendPage, applyStreamRows, EVENTS_ARRIVED, initialLogState, nextCursorOf, releaseHeld, type LogState } from "@/lib/live-log/state";
import { useEventStream } from "./use-event-stream";

const FLASH_MS = 2500;

export type EventLogProps = {
  initialPage: EventLogPage;
  /** The filters as a query string: the stream and "load more" use the same ones as the first page. */
  query: string;
  /** Delivery status filter, applied here to live rows (the stream sends every status). */
  status?: LogStatus;
  /** When the first page was read (ms): the stream catches up from there. */
  renderedAt: number;
  /** Whether any filter narrows the list (an empty list then says "no match" instead of `emptyState`). */
  filtered: boolean;
  /** What an empty, unfiltered log shows: how to get a first event. */
  emptyState: ReactNode;
  clearFiltersHref?: string;
  caption: string;
  showInstance?: boolean;
};

/**
 * The live event log: the first page from the server, then every new or changed event from the SSE
 * stream, in place. Pause holds new rows back (changes to shown rows still apply); "Load more" pages
 * down with the keyset cursor; a row opens the side panel.
 */
export function EventLog(props: EventLogProps) {
  const { query, status, renderedAt } = props;
  const [state, setState] = useState<LogState>(() => initialLogState(props.initialPage));
  const stateRef = useRef(state);
  const [paused, setPaused] = useState(false);
  const pausedRef = useRef(paused);
  const [now, setNow] = useState(() => new Date(renderedAt));
  const [highlighted, setHighlighted] = useState<ReadonlySet<string>>(() => new Set());
  const [selected, setSelected] = useState<EventLogRow | null>(null);
  const [loadingMore, startLoadingMore] = useTransition();

  const commit = useCallback((next: LogState, added: string[]) => {
    stateRef.current = next;
    setState(next);
    if (!added.length) return;
    setHighlighted((current) => new Set([...current, ...added]));
    setTimeout(() => {
      setHighlighted((current) => new Set([...current].filter((id) => !added.includes(id))));
    }, FLASH_MS);
  }, []);

  const onRows = useCallback(
    (message: StreamRowsMessage) => {
      const result = applyStreamRows(stateRef.current, message, { status, paused: pausedRef.current });
      commit(result.state, result.added);
      window.dispatchEvent(new Event(EVENTS_ARRIVED));
    },
    [commit, status],
  );

  const streamState = useEventStream(`/events/stream${query ? `?${query}` : ""}`, renderedAt, onRows);

  useEffect(() => {
    const tick = () => setNow(new Date());
    const timer = setInterval(tick, 10_000);
    const first = setTimeout(tick, 0);
    return () => {
      clearInterval(timer);
      clearTimeout(first);
    };
  }, []);

  const togglePause = () => {
    const next = !pausedRef.current;
    pausedRef.current = next;
    setPaused(next);
    if (!next) {
      const result = releaseHeld(stateRef.current);
      commit(result.state, result.added);
    }
  };

  // Leaving the log (unmount) aborts a "Load more" in flight, which cancels its query on the server.
  const loadingRef = useRef<AbortController | null>(null);
  useEffect(() => () => loadingRef.current?.abort(), []);

  const loadMore = () => {
    const cursor = nextCursorOf(stateRef.current);
    if (!cursor) return;
    const controller = new AbortController();
    loadingRef.current?.abort();
    loadingRef.current = controller;
    startLoadingMore(async () => {
      const result = await fetchPage(query, cursor, controller.signal);
      if (controller.signal.aborted) return;
      if (!result.ok) {
        toast.error(result.message);
        return;
      }
      if (result.page.notice) toast.warning(result.page.notice);
      commit(appendPage(stateRef.current, result.page), []);
    });
  };

  const close = () => {
    const id = selected?.id;
    setSelected(null);
    // Focus goes back to the row the panel was opened from.
    if (id) requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-open-event="${id}"]`)?.focus());
  };

  // The panel follows its row: a status change from the stream shows in it at once.
  const selectedRow = selected ? (state.rows.find((row) => row.id === selected.id) ?? selected) : null;
  const nextCursor = nextCursorOf(state);
  const empty = state.rows.length === 0;

  return (
    <div className="grid gap-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <LiveIndicator state={paused ? "paused" : streamState} />
        <div className="flex items-center gap-2">
          {paused && state.held.length > 0 ? (
            <span className="text-sm text-muted-foreground">
              {state.held.length} new {state.held.length === 1 ? "event" : "events"} waiting
            </span>
          ) : null}
          <Button type="button" variant="outline" size="sm" onClick={togglePause} aria-pressed={paused}>
            {paused ? <Play aria-hidden /> : <Pause aria-hidden />}
            {paused ? "Resume" : "Pause"}
          </Button>
        </div>
      </div>

      {empty && !props.filtered ? (
        props.emptyState
      ) : empty ? (
        <div className="flex flex-col items-center justify-center gap-3 rounded-lg border border-dashed bg-card px-6 py-12 text-center">
          <SearchX className="size-8 text-muted-foreground" aria-hidden />
          <h2 className="text-base font-semibold">No event matches</h2>
          <p className="max-w-md text-sm text-muted-foreground">
            New events that match will appear here as they arrive.{" "}
            {props.clearFiltersHref ? (
              <Link className="font-medium text-primary underline-offset-4 hover:underline" href={props.clearFiltersHref}>
                Clear the filters
              </Link>
            ) : null}
          </p>
        </div>
      ) : (
        <EventsTable
          rows={state.rows}
          now={now}
          caption={props.caption}
          showInstance={props.showInstance}
          highlighted={highlighted}
          selectedId={selectedRow?.id ?? null}
          onOpen={setSelected}
        />
      )}

      {nextCursor ? (
        <div className="flex justify-center">
          <Button type="button" variant="outline" onClick={loadMore} disabled={loadingMore}>
            {loadingMore ? <LoaderCircle className="animate-spin" aria-hidden /> : <ChevronDown aria-hidden />} Load more
          </Button>
        </div>
      ) : null}

      {selectedRow ? <EventPanel key={selectedRow.id} row={selectedRow} now={now} onClose={close} /> : null}
    </div>
  );
}

/**
 * The next page from `GET /events/rows`: a route, not a server action, so an aborted request cancels
 * its query on the server. Its 4xx/5xx carry a message (429: too many searches).
 */
async function fetchPage(query: string, cursor: string, signal: AbortSignal): Promise<{ ok: true; page: EventLogPage } | { ok: false; message: string }> {
  const params = new URLSearchParams(query);
  params.set("cursor", cursor);
  try {
    const response = await fetch(`/events/rows?${params}`, { cache: "no-store", signal });
    const body = (await response.json().catch(() => ({}))) as Partial<EventLogPage> & { message?: string };
    if (!response.ok) return { ok: false, message: body.message ?? `Could not load more events (HTTP ${response.status}).` };
    return { ok: true, page: body as EventLogPage };
  } catch {
    return { ok: false, message: "Could not load more events; check the connection and try again." };
  }
}
