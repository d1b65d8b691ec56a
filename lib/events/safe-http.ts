import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { resolveCallbackTarget, type Lookup } from "@/lib/events/ssrf";

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
  method: "GET" | "POST";
  headers?: Record<string, string>;
  body?: Buffer;
  timeoutMs: number;
  allowPrivate: boolean;
  /** Bytes of the response body kept; the rest is not read. */
  maxResponseBytes: number;
  /** Aborts the request from outside (a worker shutting down). */
  signal?: AbortSignal;
  lookup?: Lookup;
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
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([deadline.signal, request.signal]) : deadline.signal;
  const failure = (kind: SafeFailureKind, error: string): SafeResponse => ({ ok: false, kind, error, ms: elapsed(started) });
  const interrupted = (): SafeResponse =>
    request.signal?.aborted
      ? failure("aborted", "aborted")
      : failure("timeout", `timed out after ${request.timeoutMs} ms`);

  try {
    const target = await Promise.race([
      resolveCallbackTarget(request.url, { allowPrivate: request.allowPrivate, lookup: request.lookup }),
      new Promise<null>((resolve) => signal.addEventListener("abort", () => resolve(null), { once: true })),
    ]);
    if (target === null) return interrupted();
    if (!target.ok) {
      return failure(target.reason.startsWith("could not resolve") ? "network" : "refused", target.reason);
    }
    return await send(request, target, signal, started, interrupted, failure);
  } finally {
    clearTimeout(timer);
  }
}

function send(
  request: SafeRequest,
  target: { address: string; family: 4 | 6 },
  signal: AbortSignal,
  started: number,
  interrupted: () => SafeResponse,
  failure: (kind: SafeFailureKind, error: string) => SafeResponse,
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
      // A fresh connection each time: a pooled socket could outlive the address check it was made under.
      agent: false,
      lookup: pinnedLookup(target.address, target.family),
      signal,
    });
    outgoing.on("error", (error) => settle(signal.aborted ? interrupted() : failure("network", describe(error))));
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
        response.destroy();
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
