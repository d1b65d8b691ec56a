"use client";

import { useEffect, useRef, useState } from "react";
import type { StreamRowsMessage } from "@/lib/live-log/schema";

export type StreamState = "connecting" | "live" | "reconnecting" | "offline";

const MAX_BACKOFF_MS = 30_000;

/**
 * Follows `/events/stream` with an EventSource. The browser reconnects by itself after a dropped
 * connection, sending `Last-Event-ID`, and the server replays what was missed; when the browser gives
 * up (an error answer, e.g. a restart in progress) a new EventSource resumes from the last id seen.
 * `since` (ms) is when the page's first rows were read, so nothing between that and the connection is lost.
 */
export function useEventStream(url: string, since: number, onRows: (message: StreamRowsMessage) => void): StreamState {
  const [state, setState] = useState<StreamState>("connecting");
  const handler = useRef(onRows);
  useEffect(() => {
    handler.current = onRows;
  }, [onRows]);

  useEffect(() => {
    let source: EventSource | null = null;
    let lastId = String(since);
    let backoff = 1000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;

    const remember = (event: MessageEvent) => {
      if (event.lastEventId) lastId = event.lastEventId;
    };
    const open = () => {
      const current = new EventSource(`${url}${url.includes("?") ? "&" : "?"}since=${encodeURIComponent(lastId)}`);
      source = current;
      current.addEventListener("rows", (event) => {
        remember(event);
        handler.current(JSON.parse(event.data) as StreamRowsMessage);
      });
      current.addEventListener("ready", (event) => {
        remember(event);
        backoff = 1000;
        setState("live");
      });
      current.addEventListener("ping", remember);
      current.addEventListener("end", () => {
        current.close();
        stopped = true;
        setState("offline");
      });
      current.onerror = () => {
        if (stopped) return;
        setState("reconnecting");
        if (current.readyState !== EventSource.CLOSED) return; // the browser retries with Last-Event-ID
        timer = setTimeout(open, backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      };
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [url, since]);

  return state;
}
