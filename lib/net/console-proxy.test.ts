import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "@/lib/api/body";
import { consoleProxy, type ConsoleProxy } from "@/lib/net/console-proxy";

/** A stand-in console on a Unix socket, and an edge that forwards everything to it. */
let dir: string;
let socketPath: string;
let consoleServer: http.Server | null;
let edge: http.Server;
let proxy: ConsoleProxy;
let base: string;
let handler: (request: IncomingMessage, response: ServerResponse) => void;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "proxy-test-"));
  socketPath = path.join(dir, "console.sock");
  proxy = consoleProxy(socketPath);
  edge = http.createServer((request, response) => proxy.forward(request, response));
  await new Promise<void>((resolve) => edge.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(edge.address() as AddressInfo).port}`;
  consoleServer = null;
});

afterEach(async () => {
  proxy.close();
  edge.closeAllConnections();
  await new Promise((resolve) => edge.close(resolve));
  consoleServer?.closeAllConnections();
  if (consoleServer) await new Promise((resolve) => consoleServer!.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function startConsole(handle: typeof handler): Promise<void> {
  handler = handle;
  consoleServer = http.createServer((request, response) => handler(request, response));
  await new Promise<void>((resolve) => consoleServer!.listen(socketPath, resolve));
}

const bodyOf = (request: IncomingMessage) =>
  new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
  });

it("forwards method, path, headers and body, and streams the answer back with its cookies, without hop-by-hop headers", async () => {
  let seen: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string } | null = null;
  await startConsole(async (request, response) => {
    seen = { method: request.method, url: request.url, headers: request.headers, body: (await bodyOf(request)).toString() };
    response.writeHead(201, { "set-cookie": ["a=1", "b=2"], "x-answer": "yes", "keep-alive": "timeout=99" });
    response.end("made");
  });
  const answer = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
    const request = http.request(
      `${base}/elements/api-v2/instances?x=1`,
      { method: "POST", headers: { "content-type": "application/json", "x-custom": "kept", connection: "keep-alive, x-custom-hop", "x-custom-hop": "dropped" } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString() }));
      },
    );
    request.on("error", reject);
    request.end('{"name":"n"}');
  });
  expect(answer).toMatchObject({ status: 201, text: "made", headers: { "set-cookie": ["a=1", "b=2"], "x-answer": "yes" } });
  expect(answer.headers["keep-alive"]).not.toBe("timeout=99");
  expect(seen).toMatchObject({ method: "POST", url: "/elements/api-v2/instances?x=1", body: '{"name":"n"}' });
  expect(seen!.headers["x-custom"]).toBe("kept");
  expect(seen!.headers["x-custom-hop"]).toBeUndefined();
});

it("forwards a chunked body of a GET framed, so the console reads it as this request's body", async () => {
  const seen: { method?: string; body: string }[] = [];
  await startConsole(async (request, response) => {
    seen.push({ method: request.method, body: (await bodyOf(request)).toString() });
    response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
  });
  const socket = net.connect((edge.address() as AddressInfo).port, "127.0.0.1");
  const answer = await new Promise<string>((resolve, reject) => {
    let text = "";
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
    socket.on("end", () => resolve(text));
    socket.on("error", reject);
    socket.write("GET /elements/api-v2/instances HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
  });
  expect(answer).toMatch(/^HTTP\/1\.1 200 /);
  expect(answer).toContain('{"ok":true}');
  expect(seen).toEqual([{ method: "GET", body: "{}" }]);
});

it("streams each chunk as the console writes it (a live-log stream), not at the end", async () => {
  let finish!: () => void;
  await startConsole((_request, response) => {
    response.writeHead(200, { "content-type": "text/event-stream" });
    response.write("data: first\n\n");
    finish = () => response.end("data: last\n\n");
  });
  const answer = await fetch(`${base}/events/stream`);
  const reader = answer.body!.getReader();
  const first = await reader.read();
  expect(new TextDecoder().decode(first.value)).toBe("data: first\n\n");
  finish();
  expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: last\n\n");
});

it("aborts the console's request when the client goes away, so the console can cancel its reads", async () => {
  const closed = new Promise<boolean>((resolve) =>
    startConsole((request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write("data: hello\n\n");
      response.on("close", () => resolve(!response.writableFinished));
    }),
  );
  const controller = new AbortController();
  const answer = await fetch(`${base}/events/stream`, { signal: controller.signal });
  await answer.body!.getReader().read();
  controller.abort();
  expect(await closed).toBe(true);
});

it("refuses bodies over the limit with a 413 itself, declared or streamed, and never passes them on", async () => {
  let reached = 0;
  await startConsole(async (request, response) => {
    reached++;
    await bodyOf(request);
    response.end("ok");
  });
  const declared = await fetch(`${base}/elements/api-v2/instances`, { method: "POST", body: Buffer.alloc(MAX_BODY_BYTES + 1, "x") });
  expect(declared.status).toBe(413);
  expect(((await declared.json()) as { message: string }).message).toMatch(/larger than 1048576 bytes/);

  const streamed = await new Promise<number>((resolve, reject) => {
    const request = http.request(`${base}/elements/api-v2/instances`, { method: "POST", headers: { "transfer-encoding": "chunked" } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("error", reject);
    for (let sent = 0; sent < 3 * MAX_BODY_BYTES; sent += 64 * 1024) request.write(Buffer.alloc(64 * 1024, "x"));
    request.end();
  });
  expect(streamed).toBe(413);
  // The streamed one reached the console, which never got the whole of it.
  expect(reached).toBeLessThanOrEqual(1);
  const fine = await fetch(`${base}/elements/api-v2/instances`, { method: "POST", body: "small" });
  expect(fine.status).toBe(200);
});

it("answers 503 with a message while the console is not there, and forwards again once it is", async () => {
  const down = await fetch(`${base}/login`);
  expect(down.status).toBe(503);
  expect(down.headers.get("retry-after")).toBe("2");
  expect(((await down.json()) as { message: string }).message).toMatch(/console is starting/);
  await startConsole((_request, response) => response.end("up"));
  const up = await fetch(`${base}/login`);
  expect(await up.text()).toBe("up");
});

it("keeps the client's connection usable after the console answers before reading the body, or closes on it", async () => {
  await startConsole((request, response) => {
    if (request.url === "/early") return void response.writeHead(401).end("no");
    if (request.url === "/early-and-close") return void response.writeHead(401, { connection: "close" }).end("no");
    void bodyOf(request).then((body) => response.end(`got ${body.length}`));
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const post = (url: string, body: Buffer) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = http.request(`${base}${url}`, { method: "POST", agent, headers: { "content-length": String(body.length) } }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      });
      request.on("error", reject);
      request.end(body);
    });
  expect(await post("/early", Buffer.alloc(512 * 1024, "x"))).toEqual({ status: 401, text: "no" });
  expect(await post("/later", Buffer.alloc(1000, "y"))).toEqual({ status: 200, text: "got 1000" });
  // Closed while the body was still coming: its answer is lost with the connection, so the client gets
  // a 502 with a message (never the "starting" 503), and its connection stays usable.
  const closed = await post("/early-and-close", Buffer.alloc(900 * 1024, "x"));
  expect([401, 502]).toContain(closed.status);
  if (closed.status === 502) expect(JSON.parse(closed.text)).toEqual({ message: expect.stringMatching(/closed the connection before it answered/) });
  expect(await post("/later", Buffer.alloc(1000, "y"))).toEqual({ status: 200, text: "got 1000" });
  agent.destroy();
});
