import http from "node:http";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionGate, refusalResponse, type ConnectionLimits } from "@/lib/net/connection-gate";
import { gateConnections } from "@/lib/net/gate-connections";

// The connection caps of scripts/start.ts, on a real node:http server wired the same way. Clients pick
// their source address inside 127.0.0.0/8 (all loopback on Linux) to act as different senders.

type Started = { server: http.Server; gate: ConnectionGate; port: number; holds: http.ServerResponse[] };
let started: Started | undefined;
const sockets: net.Socket[] = [];

async function start(limits: ConnectionLimits, timeouts: http.ServerOptions = {}): Promise<Started> {
  const holds: http.ServerResponse[] = [];
  const server = http.createServer(timeouts, (req, res) => {
    req.resume();
    req.on("end", () => {
      // `/hold` is a request being answered slowly (a database write, a live stream): kept open.
      if (req.url === "/hold") holds.push(res);
      else res.end("ok");
    });
  });
  const gate = new ConnectionGate(limits);
  gateConnections(server, gate);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  started = { server, gate, port: (server.address() as net.AddressInfo).port, holds };
  return started;
}

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  if (!started) return;
  for (const res of started.holds) res.end();
  started.server.closeAllConnections();
  await new Promise((resolve) => started!.server.close(resolve));
  started = undefined;
});

/** A connection from `from` that sends nothing (or `text`), collecting what it is answered. */
async function connect(port: number, from: string, text = ""): Promise<{ socket: net.Socket; answer: Promise<string> }> {
  const socket = net.connect({ port, host: "127.0.0.1", localAddress: from });
  sockets.push(socket);
  let out = "";
  socket.on("data", (chunk) => (out += chunk.toString("latin1")));
  socket.on("error", () => undefined);
  const answer = new Promise<string>((resolve) => socket.on("close", () => resolve(out)));
  await new Promise((resolve) => socket.once("connect", resolve));
  if (text) socket.write(text);
  return { socket, answer };
}

/** A GET from `from` on a connection of its own: the status and body. */
function get(port: number, from: string, path = "/"): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: "127.0.0.1", port, path, localAddress: from, agent: false }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    request.on("error", reject);
  });
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 10));
};

describe("the per-address cap", () => {
  it("answers a connection over it with 429 JSON before reading its request; other addresses go on", async () => {
    const { port, gate } = await start({ total: 100, perAddress: 3, stalledAfterMs: 60_000 });
    const held = [];
    for (let i = 0; i < 3; i += 1) held.push(await connect(port, "127.0.0.2"));
    await until(() => gate.size === 3);
    const over = await connect(port, "127.0.0.2", "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    const answer = await over.answer;
    expect(answer).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\n/);
    expect(answer).toMatch(/connection: close/i);
    expect(JSON.parse(answer.split("\r\n\r\n")[1]!)).toEqual({ message: expect.stringMatching(/too many open connections from your address/i) });
    expect(await get(port, "127.0.0.3")).toEqual({ status: 200, body: "ok" });
    expect(gate.stats.refusedAddress).toBe(1);

    // A closed connection gives its place back.
    held[0]!.socket.destroy();
    await until(() => gate.size === 2);
    expect(await get(port, "127.0.0.2")).toEqual({ status: 200, body: "ok" });
  });

  it("counts an IPv4-mapped IPv6 peer as the same address", async () => {
    const gate = new ConnectionGate({ total: 10, perAddress: 1, stalledAfterMs: 0 });
    const peer = (remoteAddress: string) => Object.defineProperty(new net.Socket(), "remoteAddress", { value: remoteAddress }) as net.Socket;
    const first = peer("10.0.0.1");
    const second = peer("::ffff:10.0.0.1");
    expect(gate.admit(first)).toBe(true);
    expect(gate.admit(second)).toBe(false);
    first.destroy();
    second.destroy();
  });
});

describe("the total cap", () => {
  it("sheds the longest-open stalled connection to let a new one in", async () => {
    const { port, gate } = await start({ total: 4, perAddress: 100, stalledAfterMs: 50 });
    // Trickled headers: a request line and a header, never the blank line that ends them.
    const slow = [];
    for (let i = 0; i < 4; i += 1) slow.push(await connect(port, "127.0.0.4", "POST /x HTTP/1.1\r\nHost: x\r\n"));
    await until(() => gate.size === 4);
    await new Promise((r) => setTimeout(r, 80));
    expect(await get(port, "127.0.0.1")).toEqual({ status: 200, body: "ok" });
    expect(gate.stats.shed).toBe(1);
    await slow[0]!.answer; // the oldest was closed (the test times out otherwise)
    expect(slow.slice(1).every((c) => !c.socket.destroyed)).toBe(true);
  });

  it("sheds a body that is still arriving, but never a request being answered", async () => {
    const { port, gate, holds } = await start({ total: 2, perAddress: 100, stalledAfterMs: 0 });
    const answering = await connect(port, "127.0.0.5", "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
    await until(() => holds.length === 1);
    const trickling = await connect(port, "127.0.0.5", "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab");
    await new Promise((r) => setTimeout(r, 50));
    expect(await get(port, "127.0.0.1")).toEqual({ status: 200, body: "ok" });
    await trickling.answer;
    expect(answering.socket.destroyed).toBe(false);
    expect(gate.stats.shed).toBe(1);
  });

  it("answers 503 JSON when nothing is stalled long enough to shed", async () => {
    const { port, gate } = await start({ total: 2, perAddress: 100, stalledAfterMs: 60_000 });
    await connect(port, "127.0.0.6");
    await connect(port, "127.0.0.7");
    await until(() => gate.size === 2);
    const answer = await (await connect(port, "127.0.0.8", "GET / HTTP/1.1\r\nHost: x\r\n\r\n")).answer;
    expect(answer).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(answer).toMatch(/retry-after: 1/i);
    expect(gate.stats).toMatchObject({ refusedTotal: 1, shed: 0 });
  });
});

describe("gated server", () => {
  it("keeps node:http's header timeout: a silent connection gets 408 and is closed", async () => {
    const { port, gate } = await start(
      { total: 10, perAddress: 10, stalledAfterMs: 60_000 },
      { headersTimeout: 300, requestTimeout: 600, connectionsCheckingInterval: 50 },
    );
    const silent = await connect(port, "127.0.0.9");
    const trickled = await connect(port, "127.0.0.9", "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\na");
    const began = performance.now();
    expect(await silent.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(await trickled.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(performance.now() - began).toBeLessThan(2_000);
    await until(() => gate.size === 0);
    expect(gate.size).toBe(0);
  });

  it("writes a complete refusal", () => {
    const raw = refusalResponse(503, "busy");
    const [head, body] = raw.split("\r\n\r\n");
    expect(head).toMatch(/content-length: 18/i);
    expect(body).toBe('{"message":"busy"}');
  });
});
