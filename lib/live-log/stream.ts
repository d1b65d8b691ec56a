import { eventLogCatchUp } from "@/lib/live-log/query";
import { idsMatchingText } from "@/lib/live-log/search";
import { matchesRowFilters, type EventLogFilters, type EventLogRow, type StreamRowsMessage } from "@/lib/live-log/schema";
import { subscribe } from "@/lib/live-log/notify-hub";
import { log } from "@/lib/log";
import { unlessAborted } from "@/lib/net/deadline";

/**
 * The live event log as Server-Sent Events for one organization (the route handler authenticates and
 * passes the organization in; nothing here trusts the client for it).
 *
 * Messages: `rows` (`StreamRowsMessage`, rows as the table renders them, new or changed),
 * `ready` (caught up, now live), `ping` (every 15 s) and `end` (the session is gone). Every message but
 * `end` carries an `id:` = the server time it covers, so a browser reconnecting with `Last-Event-ID` (or
 * `?since=`) first gets what was created or tried since then, minus a margin for transactions that
 * committed late, and then live rows. Rows may come twice; the client keeps the last copy by id.
 */

/** Covers rows stamped before they committed: ingest stamps on receipt, an attempt when it starts (≤ 10 s). */
export const CATCH_UP_MARGIN_MS = 30_000;
const MAX_CATCH_UP_MS = 24 * 3_600_000;
const HEARTBEAT_MS = 15_000;
const RECHECK_MS = 60_000;
const READY_TIMEOUT_MS = 3_000;
/**
 * Bytes a stream may have queued for its reader before it counts as fallen behind. A reader that stops
 * reading (a paused tab, a stalled proxy, a script) once made the server buffer every row for it: 300
 * such streams took the process from 2.1 to 7.7 GB. Now the stream is closed instead, and its memory
 * freed; a live browser reconnects with `Last-Event-ID` and catches up from the database. One message
 * is always accepted into an empty queue, so a large catch-up (≤ 500 rows, ~400 KB) never trips it.
 */
export const MAX_QUEUED_BYTES = 128 * 1024;
/** Steps (row batches, catch-ups) waiting their turn; past this the stream is behind in the same way. */
const MAX_PENDING_STEPS = 200;

export type EventLogStreamOptions = {
  organizationId: string;
  filters: EventLogFilters;
  /** Ms since the epoch (`Last-Event-ID` or `?since=`): send what changed after it first. */
  since: number | null;
  signal?: AbortSignal;
  /** Asked every minute; false ends the stream (the account was deleted or moved). */
  stillAllowed?: () => Promise<boolean>;
  heartbeatMs?: number;
  /** Called once when the stream ends, however it ends (gives the user's stream slot back). */
  onClose?: () => void;
  maxQueuedBytes?: number;
};

/** A `Last-Event-ID` / `since` value: a past ms timestamp, at most a day back; null otherwise. */
export function parseSince(value: string | null | undefined, now = Date.now()): number | null {
  if (!value || !/^\d{1,15}$/.test(value)) return null;
  const since = Number(value);
  if (since > now + 60_000) return null;
  return Math.max(since, now - MAX_CATCH_UP_MS);
}

/**
 * The `rows` message of one hub batch, encoded once for every stream that shows all of it (most do: one
 * batch is one organization's rows). Each stream used to serialize it again: with 300 streams open,
 * 300 copies of every row in memory and 300 JSON.stringify calls per batch on the ingest process.
 */
const sharedMessages = new WeakMap<EventLogRow[], Uint8Array>();

function sharedRowsMessage(rows: EventLogRow[], at: number): Uint8Array {
  let encoded = sharedMessages.get(rows);
  if (!encoded) {
    const message: StreamRowsMessage = { rows };
    encoded = new TextEncoder().encode(`id: ${at}\nevent: rows\ndata: ${JSON.stringify(message)}\n\n`);
    sharedMessages.set(rows, encoded);
  }
  return encoded;
}

const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  // no-transform: compression would buffer the stream
  "cache-control": "no-cache, no-store, no-transform",
  "x-accel-buffering": "no",
};

export function eventLogStream(options: EventLogStreamOptions): Response {
  const { organizationId, filters } = options;
  const encoder = new TextEncoder();
  let stop: () => void = () => undefined;

  const maxQueuedBytes = options.maxQueuedBytes ?? MAX_QUEUED_BYTES;

  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let closed = false;
        let chain = Promise.resolve();
        let pending = 0;
        const timers: NodeJS.Timeout[] = [];

        const write = (text: string | Uint8Array) => {
          if (closed) return;
          // desiredSize = highWaterMark − queued bytes: at or below 0 the reader has not taken what it was sent.
          if ((controller.desiredSize ?? 0) <= 0) return fallBehind();
          try {
            controller.enqueue(typeof text === "string" ? encoder.encode(text) : text);
          } catch {
            close();
          }
        };
        const send = (event: string, data: unknown, id?: number) =>
          write(`${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        // One message at a time, in order: a catch-up finishes before the live rows that came during it.
        const enqueue = (work: () => Promise<void>) => {
          if (closed) return;
          if (++pending > MAX_PENDING_STEPS) return fallBehind();
          chain = chain
            .then(() => (closed ? undefined : work()))
            .catch((error: unknown) => {
              log("warn", "live event log stream step failed", { error: error instanceof Error ? error.message : String(error) });
            })
            .finally(() => void pending--);
        };

        const sendRows = async (rows: EventLogRow[], at: number) => {
          let shown = rows.filter((row) => matchesRowFilters(row, filters));
          if (filters.q && shown.length) {
            const matching = await idsMatchingText(organizationId, shown.map((row) => row.id), filters.q, options.signal);
            shown = shown.filter((row) => matching.has(row.id));
          }
          if (shown.length === rows.length) write(sharedRowsMessage(rows, at));
          else if (shown.length) send("rows", { rows: shown }, at);
        };
        const catchUp = async (since: number) => {
          const at = Date.now();
          const result = await eventLogCatchUp(organizationId, filters, new Date(since - CATCH_UP_MARGIN_MS), undefined, options.signal);
          const message: StreamRowsMessage = { rows: result.rows, truncatedAt: result.truncatedAt };
          send("rows", message, at);
        };

        const subscription = subscribe(organizationId, (message) => {
          if (message.kind === "rows") enqueue(() => sendRows(message.rows, message.at));
          else enqueue(() => catchUp(message.since));
        });

        function finish(): boolean {
          if (closed) return false;
          closed = true;
          for (const timer of timers) clearInterval(timer);
          subscription.unsubscribe();
          options.signal?.removeEventListener("abort", close);
          options.onClose?.();
          return true;
        }
        function close() {
          if (!finish()) return;
          try {
            controller.close();
          } catch {
            // already closed by the reader going away
          }
        }
        /**
         * Errors the stream, which drops what is queued at once (closing would keep it until the reader
         * takes it, which a paused reader never does) and unsubscribes it. Next.js then resets the
         * connection as soon as the reader takes what the socket still holds, and EventSource reconnects
         * with Last-Event-ID; a reader that never reads keeps only that socket (one message, kernel
         * buffers) until it goes away. Named AbortError so Next.js treats it as the client leaving.
         */
        function fallBehind() {
          if (!finish()) return;
          log("warn", "live event log stream fell behind its reader; closed it", { organizationId });
          const error = new Error("the reader fell behind: reconnect with Last-Event-ID");
          error.name = "AbortError";
          controller.error(error);
        }
        stop = close;
        if (options.signal?.aborted) return close();
        options.signal?.addEventListener("abort", close);

        write("retry: 2000\n\n");
        enqueue(async () => {
          // Listen first, then read what was missed: a row committed in between is in one or the other.
          await unlessAborted(subscription.ready, AbortSignal.timeout(READY_TIMEOUT_MS));
          if (options.since !== null) await catchUp(options.since);
          send("ready", {}, Date.now());
        });
        timers.push(setInterval(() => enqueue(async () => send("ping", {}, Date.now())), options.heartbeatMs ?? HEARTBEAT_MS));
        if (options.stillAllowed) {
          const stillAllowed = options.stillAllowed;
          timers.push(
            setInterval(
              () =>
                enqueue(async () => {
                  if (await stillAllowed()) return;
                  send("end", { reason: "signed-out" });
                  close();
                }),
              RECHECK_MS,
            ),
          );
        }
      },
      cancel() {
        stop();
      },
    },
    // Queue size in bytes, so desiredSize says how far behind the reader is.
    { highWaterMark: maxQueuedBytes, size: (chunk) => chunk.byteLength },
  );

  return new Response(body, { status: 200, headers: SSE_HEADERS });
}
