import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

/*
 * Answers the custom server (scripts/start.ts) gives itself, before Next.js, to requests no route can
 * handle: they get a JSON body carrying a message, like every other error answer of Hookline, instead
 * of node:http's empty one or a Next.js 500. Nothing is logged: these come from scanners and broken
 * clients, not from a fault of ours.
 */

const JSON_TYPE = "application/json; charset=utf-8";

const CLIENT_ERRORS: Record<string, [status: number, reason: string, message: string]> = {
  HPE_HEADER_OVERFLOW: [431, "Request Header Fields Too Large", "The request headers are too large."],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, "Payload Too Large", "The chunk extensions of the body are too large."],
  ERR_HTTP_REQUEST_TIMEOUT: [408, "Request Timeout", "The request took too long to arrive."],
};
const BAD_REQUEST: [number, string, string] = [400, "Bad Request", "The request is not valid HTTP/1.1."];

/** The raw bytes of the answer to a request node:http could not parse (exported for tests). */
export function clientErrorResponse(code: string | undefined): string {
  const [status, reason, message] = (code !== undefined && Object.hasOwn(CLIENT_ERRORS, code) ? CLIENT_ERRORS[code] : undefined) ?? BAD_REQUEST;
  const body = JSON.stringify({ message });
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${JSON_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/**
 * `server.on("clientError", answerClientError)`: a malformed request line or header, headers over the
 * size limit, a Content-Length that is not a number, broken chunked framing, a body cut short, a timeout.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // As node:http does: answer only when no response of this connection has started, else just close it.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code !== "ECONNRESET" && socket.writable && !inFlight?.headersSent) {
    // Destroyed once the answer is flushed: the server's sockets are half-open, `end` alone keeps it.
    socket.end(clientErrorResponse(error.code), () => socket.destroy());
    return;
  }
  socket.destroy();
}

/** The methods Hookline's routes use. Next.js answers others with 400, or TRACE with a 500 and a stack. */
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

function refuse(response: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): true {
  const body = JSON.stringify({ message });
  response.writeHead(status, { "content-type": JSON_TYPE, "content-length": String(Buffer.byteLength(body)), ...headers });
  response.end(body);
  return true;
}

/**
 * Answers what Next.js would answer with a 500 and a stack trace in the log (or node:http with an empty
 * 400), and returns true; else returns false and the request goes on:
 * - a method no route has (TRACE, WebDAV's, …): 405;
 * - an HTTP/1.1 request without Host: 400;
 * - a request target that is not a path: 400 (`GET http://host/x` is first rewritten to `/x`, as RFC
 *   9112 asks of servers; `*` and anything else are refused);
 * - a path with a malformed percent-escape (`/instances/%`): 400.
 */
export function refuseUnroutable(request: IncomingMessage, response: ServerResponse): boolean {
  if (request.method === undefined || !METHODS.includes(request.method)) {
    return refuse(response, 405, `The HTTP method ${request.method ?? ""} is not supported.`, { allow: METHODS.join(", ") });
  }
  // node:http would answer this with an empty 400 itself (the server is created with requireHostHeader off).
  if (request.httpVersion === "1.1" && !request.headers.host) return refuse(response, 400, "An HTTP/1.1 request needs a Host header.");
  const target = request.url ?? "";
  if (/^https?:\/\//i.test(target)) {
    try {
      const url = new URL(target);
      request.url = `${url.pathname}${url.search}`;
    } catch {
      return refuse(response, 400, "The request target is not a valid URL.");
    }
  }
  if (!request.url?.startsWith("/")) return refuse(response, 400, "The request target must be a path starting with /.");
  try {
    decodeURIComponent(request.url.split("?")[0]!);
  } catch {
    return refuse(response, 400, "The URL path has a malformed percent-escape (a % must be followed by two hex digits of UTF-8).");
  }
  return false;
}

/** Next.js refuses a router state header longer than this (parse-and-validate-flight-router-state). */
const ROUTER_STATE_MAX_LENGTH = 40_000;

/**
 * The shape Next.js's client router sends in `Next-Router-State-Tree`: `[segment, {child: state},
 * …]`. Looser than Next's own check (extra elements and any segment tuple pass), never stricter: a
 * header refused here is one Next.js would have failed with a 500.
 */
function looksLikeRouterState(value: unknown, depth = 0): boolean {
  if (!Array.isArray(value) || value.length < 2 || depth > 2_000) return false;
  const [segment, children] = value as unknown[];
  if (typeof segment !== "string" && !Array.isArray(segment)) return false;
  if (typeof children !== "object" || children === null || Array.isArray(children)) return false;
  return Object.values(children).every((child) => looksLikeRouterState(child, depth + 1));
}

/**
 * A request carrying a `Next-Router-State-Tree` header Next.js cannot parse: 400 here, and true. Next.js
 * would throw while rendering (a 500 and "router state header … could not be parsed" in the log); it
 * strips the header itself only when the proxy runs, which it does not for requests with a body.
 */
export function refuseMalformedRouterState(request: IncomingMessage, response: ServerResponse): boolean {
  const sent = request.headers["next-router-state-tree"];
  if (sent === undefined) return false;
  const header = [sent].flat().join(",");
  let parsed: unknown;
  try {
    if (header.length > ROUTER_STATE_MAX_LENGTH) throw new Error("too long");
    parsed = JSON.parse(decodeURIComponent(header));
  } catch {
    parsed = undefined;
  }
  if (looksLikeRouterState(parsed)) return false;
  return refuse(response, 400, "The Next-Router-State-Tree header is not a router state Next.js sent; reload the page.");
}
