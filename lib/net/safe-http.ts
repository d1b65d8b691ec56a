import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { unlessAborted, withDeadline } from "@/lib/net/deadline";
import { resolveCallbackTarget, type Lookup } from "@/lib/net/ssrf";

/**
 * Outgoing HTTP to addresses someone else chose (callback URLs, ConnectWise key URLs), guarded against
 * SSRF: the host is resolved once and checked (`resolveCallbackTarget`), then the socket connects to that
 * very address through a pinned `lookup`, so a DNS answer that changes between check and connect
 * (rebinding) cannot reach a forbidden address. Host header and TLS SNI/certificate checks still use
 * the name in the URL. Redirects are never followed, and one deadline covers DNS, connect, headers and
 * the (size-capped) body.
 */

export type SafeRequest = {
  url: string;
  method: "GET" | "POST" | "DELETE";
  headers?: Record<string, string>;
  body?: Buffer;
  timeoutMs: number;
  allowPrivate: boolean;
  /** Bytes of the response body kept; the rest is not read. */
  maxResponseBytes: number;
  /** Aborts the request from outside (a worker shutting down). */
  signal?: AbortSignal;
  lookup?: Lookup;
  /**
   * Reuse connections (callback deliveries). A kept-alive connection is only ever reused for a request
   * whose own address check resolved to the very address it is connected to (agents are keyed by it).
   */
  keepAlive?: boolean;
};

export type SafeFailureKind =
  /** The URL or its address is not allowed (SSRF guard, bad URL): retrying will not help. */
  | "refused"
  /** DNS, connection refused/reset, TLS…: may work later. */
  | "network"
  | "timeout"
  /** `signal` fired. */
  | "aborted";

export type SafeResponse =
  | { ok: true; status: number; headers: http.IncomingHttpHeaders; body: Buffer; truncated: boolean; ms: number }
  | { ok: false; kind: SafeFailureKind; error: string; ms: number };

function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  // Node calls lookup with `all: true` when it tries several addresses (autoSelectFamily); answer both forms.
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as unknown as LookupFunction;
}

/*
 * Keep-alive agents, one per (scheme, host, port, checked address): a pooled socket is connected to the
 * address that was checked when it was made, and it is handed only to later requests whose check
 * resolved to that same address, so DNS rebinding cannot ride on it. Idle sockets close after 4 s (before
 * the 5 s keep-alive timeout of Node servers); the map is bounded, the oldest agent going first.
 */
const MAX_AGENTS = 256;
const IDLE_SOCKET_MS = 4_000;
const agents = new Map<string, http.Agent>();

function keepAliveAgent(url: URL, target: { address: string; family: 4 | 6 }): http.Agent {
  const key = `${url.protocol}//${url.host}|${target.address}|${target.family}`;
  const existing = agents.get(key);
  if (existing) return existing;
  const options = { keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: "lifo" as const };
  const agent = url.protocol === "https:" ? new https.Agent(options) : new http.Agent(options);
  agents.set(key, agent);
  if (agents.size > MAX_AGENTS) {
    const [oldestKey, oldest] = agents.entries().next().value as [string, http.Agent];
    agents.delete(oldestKey);
    oldest.destroy();
  }
  return agent;
}

/** A kept-alive socket the receiver closed just as we reused it: worth one retry on a fresh connection. */
function staleSocketError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ECONNRESET" || code === "EPIPE" || code === "ECONNABORTED";
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ECONNRESET") return "connection reset by the receiver";
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return "host unreachable";
  return code ? `${code}: ${error.message}` : error.message;
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

export async function safeRequest(request: SafeRequest): Promise<SafeResponse> {
  const started = performance.now();
  const failure = (kind: SafeFailureKind, error: string): SafeResponse => ({ ok: false, kind, error, ms: elapsed(started) });
  const interrupted = (): SafeResponse =>
    request.signal?.aborted
      ? failure("aborted", "aborted")
      : failure("timeout", `timed out after ${request.timeoutMs} ms`);

  // One deadline (lib/net/deadline.ts) over resolving, connecting, the headers and the body; it follows
  // the caller's signal too (a worker shutting down).
  return withDeadline(
    request.timeoutMs,
    async (signal) => {
      const target = await unlessAborted(resolveCallbackTarget(request.url, { allowPrivate: request.allowPrivate, lookup: request.lookup }), signal);
      if (target === null) return interrupted();
      if (!target.ok) {
        return failure(target.reason.startsWith("could not resolve") ? "network" : "refused", target.reason);
      }
      return send(request, target, signal, started, interrupted, failure);
    },
    request.signal,
  );
}

function send(
  request: SafeRequest,
  target: { address: string; family: 4 | 6 },
  signal: AbortSignal,
  started: number,
  interrupted: () => SafeResponse,
  failure: (kind: SafeFailureKind, error: string) => SafeResponse,
  fresh = false,
): Promise<SafeResponse> {
  const url = new URL(request.url);
  const client = url.protocol === "https:" ? https : http;
  const headers: Record<string, string> = { ...request.headers };
  if (request.body) headers["content-length"] = String(request.body.length);

  return new Promise<SafeResponse>((resolve) => {
    let settled = false;
    const settle = (result: SafeResponse) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const outgoing = client.request(url, {
      method: request.method,
      headers,
      // Without keep-alive, a fresh connection each time; with it, an agent bound to the checked address.
      agent: request.keepAlive && !fresh ? keepAliveAgent(url, target) : false,
      lookup: pinnedLookup(target.address, target.family),
      signal,
    });
    outgoing.on("error", (error) => {
      if (settled) return;
      if (!signal.aborted && outgoing.reusedSocket && !fresh && staleSocketError(error)) {
        // Nothing was answered on this socket; the body may have been read, so this can deliver twice
        // (at-least-once: receivers dedupe on the event id).
        settled = true;
        resolve(send(request, target, signal, started, interrupted, failure, true));
        return;
      }
      settle(signal.aborted ? interrupted() : failure("network", describe(error)));
    });
    outgoing.on("response", (response) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      let truncated = false;
      const finish = () => {
        settle({
          ok: true,
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
          truncated,
          ms: elapsed(started),
        });
        // A response read to its end leaves a kept-alive socket reusable; anything else closes it.
        if (!response.complete) response.destroy();
      };
      response.on("data", (chunk: Buffer) => {
        const room = request.maxResponseBytes - kept;
        if (chunk.length > room) truncated = true;
        if (room > 0) chunks.push(chunk.subarray(0, room));
        kept += Math.min(room, chunk.length);
        if (truncated) finish();
      });
      response.on("end", finish);
      // The status line is the answer; a body cut short (deadline, reset) still leaves what arrived.
      response.on("error", finish);
      response.on("close", finish);
    });
    outgoing.end(request.body);
  });
}
