import type { IncomingMessage, ServerResponse } from "node:http";
import { MAX_BODY_BYTES } from "@/lib/api/body";

/** How much more of a body over the limit is read (and dropped) after the 413 before the connection is cut. */
const MAX_DRAINED_BYTES = 8 * MAX_BODY_BYTES;

/**
 * Reads the rest of a refused body without keeping it. Closing the connection while the sender is still
 * sending makes the kernel reset it, and the sender then sees the reset, not the 413 it was answered.
 * Past `MAX_DRAINED_BYTES` the connection is cut: a sender of that much gets no more of our time.
 */
export function dropRestOf(request: IncomingMessage): void {
  let dropped = 0;
  request.removeAllListeners("data");
  request.on("data", (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > MAX_DRAINED_BYTES) request.socket.destroy();
  });
  request.resume();
}

/** The 413 every body over `MAX_BODY_BYTES` gets, webhook or console request, with a message. */
export function answerTooLarge(response: ServerResponse): void {
  const body = JSON.stringify({ message: `The body is larger than ${MAX_BODY_BYTES} bytes.` });
  response.writeHead(413, { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(body)) });
  response.end(body);
}
