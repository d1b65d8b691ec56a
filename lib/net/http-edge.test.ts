import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerClientError, clientErrorResponse, refuseMalformedRouterState, refuseUnroutable } from "@/lib/net/http-edge";

// What Next.js answered with a 500 and a stack trace in the log (TRACE, `GET *`, `/instances/%`), and
// node:http with an empty body (a malformed request, 20 kB of headers, no Host): found by
// reliability/fuzz.test.ts. Served here as scripts/start.ts serves them, in front of a stand-in for Next.

let server: http.Server;
let port: number;
const reachedNext: string[] = [];

beforeAll(async () => {
  server = http.createServer({ requireHostHeader: false }, (req, res) => {
    if (refuseUnroutable(req, res)) return;
    if (refuseMalformedRouterState(req, res)) return;
    reachedNext.push(req.url ?? "");
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "text/plain" }).end("next"));
  });
  server.on("clientError", answerClientError);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** One raw request on its own connection; the answer's status, headers and body. */
function raw(text: string): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let out = "";
    socket.on("data", (chunk) => (out += chunk.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => {
      const [head = "", body = ""] = out.split("\r\n\r\n");
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body });
    });
    socket.write(text);
  });
}

const message = (body: string) => (JSON.parse(body) as { message: string }).message;

describe("requests no route can take", () => {
  it("a method no route has gets 405 with the methods there are", async () => {
    for (const method of ["TRACE", "PROPFIND", "SEARCH"]) {
      const answer = await raw(`${method} /elements/api-v2/instances HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(answer.status).toBe(405);
      expect(answer.head).toMatch(/allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS/i);
      expect(message(answer.body)).toBe(`The HTTP method ${method} is not supported.`);
    }
  });

  it("a target that is not a path, or a path with a malformed escape, gets 400; absolute-form is rewritten", async () => {
    for (const target of ["*", "https://x:99999/"]) {
      const answer = await raw(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(answer.status, target).toBe(400);
      expect(message(answer.body)).toMatch(/request target/);
    }
    for (const target of ["/elements/api-v2/instances/%", "/login%ZZ", "/a%C3"]) {
      const answer = await raw(`PATCH ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(answer.status, target).toBe(400);
      expect(message(answer.body)).toMatch(/malformed percent-escape/);
    }
    const absolute = await raw("GET http://evil.test/elements/api-v2/instances?a=%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(absolute.status).toBe(200);
    expect(reachedNext).toContain("/elements/api-v2/instances?a=%ZZ");
  });

  it("a Next-Router-State-Tree header Next.js could not parse gets 400; the router's own goes on", async () => {
    for (const value of ["", "gzip", "null", "%E0%A4%A", "[1]", encodeURIComponent('["",{"children":"x"}]')]) {
      const answer = await raw(`POST /ELEMENTS HTTP/1.1\r\nHost: x\r\nRSC: 1\r\nNext-Router-State-Tree: ${value}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      expect(answer.status, value.slice(0, 40)).toBe(400);
      expect(message(answer.body)).toMatch(/Next-Router-State-Tree/);
    }
    const sent = encodeURIComponent(JSON.stringify(["", { children: ["events", { children: ["__PAGE__", {}, null, null] }] }, null, null, true]));
    const answer = await raw(`POST /events HTTP/1.1\r\nHost: x\r\nNext-Router-State-Tree: ${sent}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    expect(answer.status).toBe(200);
    expect(reachedNext).toContain("/events");
  });

  it("an HTTP/1.1 request without Host gets 400 with a message; HTTP/1.0 needs none", async () => {
    const answer = await raw("GET /login HTTP/1.1\r\nConnection: close\r\n\r\n");
    expect(answer.status).toBe(400);
    expect(message(answer.body)).toMatch(/Host header/);
    expect((await raw("GET /login HTTP/1.0\r\n\r\n")).status).toBe(200);
  });

  it("what node:http cannot parse gets its status with a JSON message", async () => {
    const huge = await raw(`GET /login HTTP/1.1\r\nHost: x\r\nX-Huge: ${"h".repeat(20_000)}\r\n\r\n`);
    expect(huge.status).toBe(431);
    expect(huge.head).toMatch(/content-type: application\/json/i);
    expect(message(huge.body)).toBe("The request headers are too large.");
    for (const text of [
      "\u0000\u0001 HELLO\r\n\r\n",
      "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
      "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
      "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "GET /x HTTP/9.9\r\nHost: x\r\n\r\n",
    ]) {
      const answer = await raw(text);
      expect(answer.status, JSON.stringify(text)).toBe(400);
      expect(message(answer.body)).toBe("The request is not valid HTTP/1.1.");
    }
  });

  it("clientErrorResponse is a complete HTTP/1.1 answer", () => {
    const text = clientErrorResponse("ERR_HTTP_REQUEST_TIMEOUT");
    const [head, body] = text.split("\r\n\r\n");
    expect(head).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body!)}`);
    expect(clientErrorResponse("__proto__")).toMatch(/^HTTP\/1\.1 400 /);
  });
});
