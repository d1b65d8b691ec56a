import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES, readJsonBody } from "@/lib/api/body";
import { AppError } from "@/lib/errors";

// Found by reliability/fuzz.test.ts: a body cut off by the sender was a 500 logged as our error, and a
// body over the limit was abandoned half-read, which stalled the kept-alive connection it came on.

function post(body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Request {
  return new Request("http://localhost/elements/api-v2/instances", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    duplex: "half",
  } as RequestInit);
}

describe("readJsonBody", () => {
  it("a body that breaks off mid-stream is a 400 with a message, not an unknown error", async () => {
    let sent = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(new TextEncoder().encode('{"name":'));
        } else controller.error(new Error("aborted"));
      },
    });
    const error = await readJsonBody(post(stream)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 400, message: expect.stringMatching(/ended before it was complete/) });
  });

  it("a body over the limit without a declared length is read to its end before the 413", async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x78);
    const chunks = (3 * MAX_BODY_BYTES) / chunk.length;
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled === chunks) return controller.close();
        pulled += 1;
        controller.enqueue(chunk);
      },
    });
    const error = await readJsonBody(post(stream)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 413 });
    expect(pulled).toBe(chunks);
  });
});
