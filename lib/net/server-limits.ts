import type { Server, ServerOptions } from "node:http";

/**
 * Timeouts and accept queue of the web server (ingest and console share it). node:http's defaults (60 s for headers,
 * 300 s for a request, checked every 30 s) let a client that trickles a byte now and then hold a
 * connection for minutes; each one costs a file descriptor. Timed-out requests get a JSON 408
 * (lib/net/http-edge.ts).
 */

/** All headers of a request: senders and browsers send them in one go, in milliseconds. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** A whole request, body included (≤ 1 MB for webhooks; the console's forms are small). */
export const REQUEST_TIMEOUT_MS = 20_000;
/** An idle kept-alive connection between two requests. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** How often node:http looks for expired requests (the timeouts above are only as precise as this). */
const CHECK_INTERVAL_MS = 1_000;

export const SERVER_TIMEOUTS: ServerOptions = {
  headersTimeout: HEADERS_TIMEOUT_MS,
  requestTimeout: REQUEST_TIMEOUT_MS,
  connectionsCheckingInterval: CHECK_INTERVAL_MS,
};

/** What the server options cannot set. */
export function applyKeepAliveTimeout(server: Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
}

/**
 * Connections the kernel queues before the server accepts them (Linux caps it at net.core.somaxconn).
 * Node's default of 511 overflowed under bursts of reconnecting slow clients (TcpExtListenOverflows):
 * a dropped SYN costs a real sender a 1 s retransmit, which was the p99 of ingest under attack.
 */
export const LISTEN_BACKLOG = 4096;
