import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import net from "node:net";
import type { Duplex } from "node:stream";
import { MAX_BODY_BYTES } from "@/lib/api/body";
import { log } from "@/lib/log";
import { answerTooLarge, dropRestOf } from "@/lib/net/oversized-body";
import { requestHead } from "@/lib/net/request-head";

/**
 * The edge's side of the console (scripts/console.ts): every request that is not a provider webhook is
 * forwarded, as it came, to the Next.js process over a Unix socket, and its answer streamed back as it
 * is written (live-log streams included, with their backpressure: a client that stops reading stops the
 * console's writes, and the console's bounded queue closes the stream). A client that goes away aborts
 * the forwarded request, so the console cancels its queries. While the console starts (again), its
 * requests get a 503 with a message; webhooks are not affected.
 *
 * Bodies over `MAX_BODY_BYTES` (every console route's limit) are refused here with a 413, declared or
 * streamed: a console that answered early and closed its end mid-body would otherwise turn its own 413
 * into a reset for the client.
 */

/** The environment variable that tells the console process where to listen. */
export const CONSOLE_SOCKET_ENV = "HOOKLINE_CONSOLE_SOCKET";
/**
 * Requests forwarded to the console at once (live-log streams hold theirs). Their sockets are reserved
 * out of the edge's open-file limit (lib/runtime/outbound-sockets.ts); more wait for a free one.
 */
export const CONSOLE_UPSTREAM_SOCKETS = 1024;

/** Headers about one connection (RFC 9110 §7.6.1), not the request: each hop sets its own. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "expect"]);

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const listed = new Set(
    String(headers.connection ?? "")
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
  const kept: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && !listed.has(name)) kept[name] = value;
  }
  return kept;
}

function answerJson(response: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ message });
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(body)), ...headers });
  response.end(body);
}

export type ConsoleProxy = {
  forward: (request: IncomingMessage, response: ServerResponse) => void;
  /** A protocol upgrade (the dev server's hot reload): the two sockets are joined. */
  upgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
  close: () => void;
};

export function consoleProxy(socketPath: string): ConsoleProxy {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONSOLE_UPSTREAM_SOCKETS, maxFreeSockets: 64 });

  const forward = (request: IncomingMessage, response: ServerResponse) => {
    if (Number(request.headers["content-length"] ?? "0") > MAX_BODY_BYTES) {
      dropRestOf(request);
      return answerTooLarge(response);
    }
    const headers = withoutHopByHop(request.headers);
    // A chunked body (Transfer-Encoding is hop-by-hop, so it was dropped) goes on chunked: for GET and
    // DELETE, node would otherwise write the bytes unframed, and the console would read them as the
    // start of a next request and answer a bare 400 (fuzzing, CI: GET with a chunked "{}").
    if (request.headers["transfer-encoding"] !== undefined && headers["content-length"] === undefined) headers["transfer-encoding"] = "chunked";
    const upstream = http.request({ socketPath, agent, method: request.method, path: request.url, headers });
    let refused = false;
    upstream.on("response", (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.statusMessage, withoutHopByHop(answer.headers));
      answer.pipe(response);
      // The console stopped mid-answer (a crash, a restart): the client sees the connection end.
      answer.on("error", () => response.destroy());
      // Answered before the whole body came (a 401, a 415): the rest is dropped here, so the client's
      // kept-alive connection is ready for its next request.
      answer.on("end", () => {
        if (request.complete || refused) return;
        refused = true;
        request.unpipe(upstream);
        dropRestOf(request);
      });
    });
    upstream.on("error", (error: NodeJS.ErrnoException) => {
      // The answer is out (the console closed its end after it), or the edge refused the body itself.
      if (refused || response.writableEnded) return;
      if (response.headersSent || response.destroyed) return void response.destroy();
      if (error.code === "ECONNREFUSED" || error.code === "ENOENT") {
        return answerJson(response, 503, "The console is starting; try again in a few seconds. Webhooks are still accepted.", { "retry-after": "2" });
      }
      // The console closed the connection before its answer could be read (it answered early and
      // closed while the body was still coming, or it crashed mid-request).
      log("warn", "console request failed", { error: error.message });
      refused = true;
      if (!request.complete) dropRestOf(request);
      answerJson(response, 502, "The console closed the connection before it answered; try again.");
    });
    // The client went away first: the console's request is aborted too, and its reads are cancelled.
    response.on("close", () => {
      if (!response.writableFinished) upstream.destroy();
    });
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES || refused) return;
      refused = true;
      request.unpipe(upstream);
      upstream.destroy();
      dropRestOf(request);
      if (!response.headersSent) answerTooLarge(response);
    });
    request.pipe(upstream);
  };

  const upgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const upstream = net.connect(socketPath);
    upstream.on("connect", () => {
      upstream.write(requestHead(request));
      if (head.length) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
    socket.on("close", () => upstream.destroy());
  };

  return { forward, upgrade, close: () => agent.destroy() };
}
