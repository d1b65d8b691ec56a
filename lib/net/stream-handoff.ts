import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { z } from "zod";
import { requestHead } from "@/lib/net/request-head";

/**
 * Live-log streams skip the edge's proxy: the edge hands the client's connection itself to the console
 * process (Node's `subprocess.send(message, socket)`, the public way cluster passes connections), with
 * the request head it already read, rebuilt. The console serves the stream on that socket as if it had
 * accepted it. Proxied, every row of every stream was read and written once more by the edge: with 300
 * streams fed 15 000 rows that grew the edge by 50–85 MB (README, Performance).
 *
 * The rebuilt head carries the client address the edge decided (lib/auth/client-address.ts) and
 * `Connection: close`, so the console answers this one request on the socket and closes it: nothing
 * the client sends after it reaches the console without passing the edge's checks.
 */

export const STREAM_PATH = "/events/stream";

export const streamHandoff = z.object({ type: z.literal("stream"), head: z.string() });
export type StreamHandoff = z.infer<typeof streamHandoff>;

/** Headers the edge replaces in the rebuilt head. */
const REPLACED = ["connection", "keep-alive", "proxy-connection"];

/** Whether the edge hands this request's connection to the console instead of proxying it. */
export function isLiveLogStream(request: IncomingMessage): boolean {
  if (request.method !== "GET" || !request.url) return false;
  return request.url === STREAM_PATH || request.url.startsWith(`${STREAM_PATH}?`);
}

/** The request line and headers as the console must read them, with `set` replacing the client's own, and `connection: close`. */
export function rebuiltHead(request: IncomingMessage, set: Record<string, string>): string {
  return requestHead(request, { set, drop: [...REPLACED], close: true });
}

/**
 * The console's side: serves a handed-over connection with `emit` (the server's `connection` event),
 * its already-read head put back in front of whatever the client sends next.
 */
export function acceptHandedStream(message: StreamHandoff, socket: Socket, emit: (socket: Socket) => void): void {
  socket.unshift(Buffer.from(message.head, "latin1"));
  emit(socket);
}
