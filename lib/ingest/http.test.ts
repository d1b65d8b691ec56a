import http from "node:http";
import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { handleIngestRequest, matchIngestRoute } from "@/lib/ingest/http";

// Reading a webhook's body, before any instance is looked up (so no database here). Found by
// reliability/fuzz.test.ts: a 413 closed the connection under a sender still sending, which then saw
// a reset instead of the answer; and a sender hanging up mid-body was logged as our error.

let server: http.Server;
let port: number;
const handled: Promise<void>[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const route = matchIngestRoute(req.method, req.url);
    if (route) handled.push(handleIngestRequest(req, res, route));
    else res.writeHead(404, { "content-type": "application/json" }).end('{"message":"other"}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => vi.restoreAllMocks());

const PATH = "/elements/api-v2/events/campaignmonitor/MQ==";

/** Reads answers off one connection, each complete once its Content-Length of body is in. */
function answers(socket: net.Socket) {
  let buffered = "";
  const waiting: Array<(answer: string) => void> = [];
  const take = () => {
    const at = buffered.indexOf("\r\n\r\n");
    if (at < 0 || waiting.length === 0) return;
    const length = Number(/content-length: (\d+)/i.exec(buffered.slice(0, at))?.[1] ?? 0);
    if (buffered.length < at + 4 + length) return;
    const answer = buffered.slice(0, at + 4 + length);
    buffered = buffered.slice(at + 4 + length);
    waiting.shift()!(answer);
    take();
  };
  socket.on("data", (chunk) => {
    buffered += chunk.toString("latin1");
    take();
  });
  return {
    next: () =>
      new Promise<string>((resolve, reject) => {
        waiting.push(resolve);
        socket.once("close", () => reject(new Error(`connection closed; had ${JSON.stringify(buffered.slice(0, 200))}`)));
        take();
      }),
  };
}

describe("handleIngestRequest, reading the body", () => {
  it("answers 413 to a body over 1 MB sent without a length, reads the rest, and keeps the connection usable", async () => {
    const socket = net.connect(port, "127.0.0.1");
    const read = answers(socket);
    const piece = Buffer.alloc(64 * 1024, "x");
    socket.write(`POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
    for (let i = 0; i < 40; i += 1) socket.write(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n")]));
    socket.write("0\r\n\r\n");
    const first = await read.next();
    expect(first).toMatch(/^HTTP\/1\.1 413 /);
    expect(first).not.toMatch(/connection: close/i);
    expect(first).toContain('{"message":"The body is larger than 1048576 bytes."}');
    // The same connection carries the next request: the refused body was read to its end.
    socket.write("GET /other HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(await read.next()).toMatch(/^HTTP\/1\.1 404 /);
    socket.destroy();
  });

  it("a declared length over 1 MB is answered at once and the body dropped as it arrives", async () => {
    const socket = net.connect(port, "127.0.0.1");
    const read = answers(socket);
    const body = Buffer.alloc(3 * 1024 * 1024, "x");
    socket.write(`POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`);
    expect(await read.next()).toMatch(/^HTTP\/1\.1 413 /);
    socket.write(body);
    socket.write("GET /other HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(await read.next()).toMatch(/^HTTP\/1\.1 404 /);
    socket.destroy();
  });

  it("a sender that hangs up mid-body is not logged as an error", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const before = handled.length;
    const socket = net.connect(port, "127.0.0.1");
    socket.write(`POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":1`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    await vi.waitFor(() => expect(handled.length).toBe(before + 1));
    await handled[before];
    const lines = errors.mock.calls.map((call) => String(call[0]));
    expect(lines.filter((line) => line.includes('"level":"error"'))).toEqual([]);
  });
});
