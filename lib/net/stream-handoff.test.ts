import type { IncomingMessage } from "node:http";
import { expect, it } from "vitest";
import { isLiveLogStream, rebuiltHead } from "@/lib/net/stream-handoff";

const request = (method: string, url: string, rawHeaders: string[] = []) => ({ method, url, rawHeaders }) as unknown as IncomingMessage;

it("hands over GETs of the live-log stream only", () => {
  expect(isLiveLogStream(request("GET", "/events/stream"))).toBe(true);
  expect(isLiveLogStream(request("GET", "/events/stream?status=DEAD&since=1"))).toBe(true);
  expect(isLiveLogStream(request("POST", "/events/stream"))).toBe(false);
  expect(isLiveLogStream(request("GET", "/events/streams"))).toBe(false);
  expect(isLiveLogStream(request("GET", "/events/rows?q=x"))).toBe(false);
});

it("rebuilds the head with the edge's client address instead of the client's, and Connection: close", () => {
  const head = rebuiltHead(
    request("GET", "/events/stream?instance=3", [
      "Host", "hookline.test",
      "Cookie", "session=abc",
      "X-Hookline-Client-Address", "1.2.3.4",
      "Connection", "keep-alive",
      "Last-Event-ID", "1700000000000",
    ]),
    { "x-hookline-client-address": "203.0.113.9" },
  );
  expect(head).toBe(
    "GET /events/stream?instance=3 HTTP/1.1\r\nHost: hookline.test\r\nCookie: session=abc\r\nLast-Event-ID: 1700000000000\r\n" +
      "x-hookline-client-address: 203.0.113.9\r\nconnection: close\r\n\r\n",
  );
});
