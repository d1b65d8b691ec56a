/**
 * Deadlines for outbound HTTP that hold in Node 20, whose fetch (undici) can miss them twice over:
 * - AbortSignal.timeout() is held only weakly by its timer; once fetch() has resolved with the headers
 *   nothing else need hold the signal, and a collected signal never fires;
 * - an abort while `response.json()`/`text()` reads the body can leave that read pending for ever on a
 *   busy machine (nodejs/undici#4232). The reliability suite's searchers hung on exactly that.
 * So the timer here holds its controller, and bodies are read through `readBody`, which cancels its
 * own reader when the deadline passes instead of trusting the abort to reach it.
 */

/**
 * Runs `work` with a signal that aborts after `ms` (with a TimeoutError, as AbortSignal.timeout's does)
 * or as soon as `parent` aborts, and clears its timer once the work settles.
 */
export async function withDeadline<T>(ms: number, work: (signal: AbortSignal) => Promise<T>, parent?: AbortSignal): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`The operation timed out after ${ms} ms.`, "TimeoutError")), ms);
  const follow = () => controller.abort(parent?.reason);
  if (parent?.aborted) follow();
  else parent?.addEventListener("abort", follow, { once: true });
  try {
    return await work(controller.signal);
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener("abort", follow);
  }
}

/**
 * `promise`'s value, or null as soon as `signal` aborts; the abort listener is removed either way, so a
 * signal that outlives many awaits (a worker's shutdown signal) does not collect one per call.
 */
export async function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | null> {
  if (signal.aborted) return null;
  let onAbort = () => undefined as void;
  const aborted = new Promise<null>((resolve) => {
    onAbort = () => resolve(null);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** The body was longer than the caller's cap: reading stopped there, and the connection was let go. */
export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The answer's body is over ${maxBytes} bytes.`);
    this.name = "BodyTooLargeError";
  }
}

/**
 * The whole body of `response`, or the signal's reason once it aborts: the reader is cancelled here,
 * which ends a pending read whatever state the fetch that made the response is in. With `maxBytes`,
 * reading stops (and the reader is cancelled) as soon as the body passes it: a BodyTooLargeError.
 */
export async function readBody(response: Response, signal: AbortSignal, maxBytes = Infinity): Promise<Buffer> {
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const cancel = (reason: unknown) => void reader.cancel(reason).catch(() => undefined);
  const onAbort = () => cancel(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  try {
    const chunks: Uint8Array[] = [];
    let length = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (signal.aborted) throw signal.reason;
      if (done) return Buffer.concat(chunks);
      length += value.byteLength;
      if (length > maxBytes) {
        const error = new BodyTooLargeError(maxBytes);
        cancel(error);
        throw error;
      }
      chunks.push(value);
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
