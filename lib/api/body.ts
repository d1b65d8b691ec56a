import { AppError } from "@/lib/errors";

export const MAX_BODY_BYTES = 1024 * 1024;

/** How much of a body over the limit is still read, and dropped, before the 413 (see `drain`). */
const MAX_DRAINED_BYTES = 8 * MAX_BODY_BYTES;

const cutShort = () =>
  // The client closed the connection mid-body (or sent a malformed one): its mistake, not ours, and
  // the answer most likely reaches no one, but it must not be a 500 logged as our failure.
  new AppError("bad_request", "The body ended before it was complete: the connection was closed or the body was malformed.");

/**
 * Reads the rest of a refused body without keeping it. A body read partway and then abandoned stalls a
 * kept-alive connection: the next request on it waits behind the unread bytes and is reset seconds
 * later. Past `MAX_DRAINED_BYTES` the stream is cancelled instead: a sender of that much gets its 413
 * and a connection that is no use afterwards.
 */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, alreadyRead: number): Promise<void> {
  let size = alreadyRead;
  while (size <= MAX_DRAINED_BYTES) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      return;
    }
    if (chunk.done) return;
    size += chunk.value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
}

/**
 * Reads a request body once, refusing more than `maxBytes` without buffering the excess (413). The
 * declared Content-Length is checked first (node:http then discards the unread body itself); a body
 * that lies about it is cut off while streaming.
 */
export async function readBodyBytes(request: Request, maxBytes = MAX_BODY_BYTES): Promise<Buffer> {
  const tooLarge = () => new AppError("payload_too_large", `The body is larger than ${maxBytes} bytes.`);
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge();
  if (!request.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      throw cutShort();
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await drain(reader, size);
      throw tooLarge();
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

function isJsonContentType(value: string | null): boolean {
  const type = value?.split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

/** A JSON request body: 415 for another content type, 413 over 1 MB, 400 for bytes that are not JSON. */
export async function readJsonBody(request: Request): Promise<unknown> {
  if (!isJsonContentType(request.headers.get("content-type"))) {
    throw new AppError("unsupported_media_type", "Send the body as JSON with Content-Type: application/json.");
  }
  const bytes = await readBodyBytes(request);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("bad_request", "The body is not valid UTF-8.");
  }
  if (text.trim() === "") throw new AppError("bad_request", "The body is empty; send a JSON object.");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AppError("bad_request", `The body is not valid JSON: ${(error as Error).message}`);
  }
}
