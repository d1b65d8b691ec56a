import { getEventListeners } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BodyTooLargeError, readBody, unlessAborted, withDeadline } from "@/lib/net/deadline";

// A server that sends its headers and the start of a body, then nothing more (a provider that stalls).
let server: http.Server;
let url: string;
beforeAll(async () => {
  server = http.createServer((_request, response) => {
    response.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
    response.write('{"access_token":"');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("withDeadline and readBody", () => {
  it("gives up on a body that stalls after its headers, at the deadline, with a TimeoutError", async () => {
    const started = performance.now();
    const reading = withDeadline(300, async (signal) => readBody(await fetch(url, { signal }), signal));
    await expect(reading).rejects.toMatchObject({ name: "TimeoutError" });
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(2_000);
  });

  it("gives up on a body whose stream ignores the abort (nodejs/undici#4232: json() then waits for ever)", async () => {
    // A body that never ends and is not wired to the signal: only cancelling the reader ends the read.
    const stalled = new Response(new ReadableStream({ start: (controller) => controller.enqueue(new TextEncoder().encode("{")) }));
    await expect(withDeadline(200, (signal) => readBody(stalled, signal))).rejects.toMatchObject({ name: "TimeoutError" });
  });

  it("reads a whole body that arrives in time", async () => {
    const body = await withDeadline(1_000, (signal) => readBody(new Response("x".repeat(100_000)), signal));
    expect(body.toString()).toBe("x".repeat(100_000));
  });

  it("stops reading a body that passes its byte cap, without waiting for the rest", async () => {
    // A body that never ends: only the cap ends the read (a provider answering a token request with
    // gigabytes would otherwise be buffered whole before its size was looked at).
    let pulled = 0;
    const endless = new Response(
      new ReadableStream({
        pull: (controller) => {
          pulled += 1;
          controller.enqueue(new Uint8Array(16 * 1024));
        },
      }),
    );
    const started = performance.now();
    await expect(withDeadline(5_000, (signal) => readBody(endless, signal, 64 * 1024))).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(pulled).toBeLessThan(10);
    // At the cap exactly: the whole body.
    const exact = await withDeadline(1_000, (signal) => readBody(new Response("y".repeat(64 * 1024)), signal, 64 * 1024));
    expect(exact.length).toBe(64 * 1024);
  });

  it("aborts at once when the parent signal aborts, with the parent's reason", async () => {
    const parent = new AbortController();
    const reading = withDeadline(60_000, async (signal) => readBody(await fetch(url, { signal }), signal), parent.signal);
    setTimeout(() => parent.abort(new Error("shutting down")), 50);
    await expect(reading).rejects.toThrow("shutting down");
  });

  it("leaves the signal alone once the work is done: no late abort, no listener left on the parent", async () => {
    const parent = new AbortController();
    let seen: AbortSignal | undefined;
    const answer = await withDeadline(50, async (signal) => ((seen = signal), "done"), parent.signal);
    expect(answer).toBe("done");
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(seen?.aborted).toBe(false);
    parent.abort();
    expect(seen?.aborted).toBe(false);
  });

  it("unlessAborted: the value, or null at the abort, and no listener left behind either way", async () => {
    const controller = new AbortController();
    for (let i = 0; i < 5; i++) expect(await unlessAborted(Promise.resolve(i), controller.signal)).toBe(i);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    const never = new Promise<string>(() => undefined);
    setTimeout(() => controller.abort(), 20);
    expect(await unlessAborted(never, controller.signal)).toBeNull();
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    expect(await unlessAborted(Promise.resolve("late"), controller.signal)).toBeNull();
  });
});
