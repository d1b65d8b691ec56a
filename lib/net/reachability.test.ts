import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@/lib/net/free-port";
import { probeReachable } from "@/lib/net/reachability";

let server: http.Server;
let port: number;

beforeAll(async () => {
  server = http.createServer((_, res) => res.end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("probeReachable", () => {
  it("is ok for a host that resolves and accepts the connection", async () => {
    expect(await probeReachable(new URL(`http://127.0.0.1:${port}/authorize`))).toEqual({ ok: true });
    expect(await probeReachable(new URL(`http://localhost:${port}/authorize`))).toEqual({ ok: true });
  });

  it("says the connection was refused, or the name does not resolve", async () => {
    expect(await probeReachable(new URL(`http://127.0.0.1:${await freePort()}/authorize`))).toEqual({ ok: false, reason: "refused" });
    expect(await probeReachable(new URL("https://provider.invalid/oauth"))).toEqual({ ok: false, reason: "dns" });
  });

  it("says it did not answer when the handshake gets no reply, and closes its socket", async () => {
    const host = await unansweringListener();
    try {
      const sockets = () => process.getActiveResourcesInfo().filter((kind) => kind === "TCPSocketWrap").length;
      const before = sockets();
      const started = Date.now();
      expect(await probeReachable(new URL(`http://127.0.0.1:${host.port}/authorize`), 300)).toEqual({ ok: false, reason: "timeout" });
      expect(Date.now() - started).toBeLessThan(2_000);
      // A probe that only stopped waiting would leave its socket connecting for the kernel's ~2 minutes.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(sockets()).toBe(before);
    } finally {
      await host.close();
    }
  });
});

/**
 * A listener that completes no more handshakes: it listens with an accept queue of one on a worker
 * thread that then blocks, and two connections fill that queue, so the kernel drops every further SYN.
 */
async function unansweringListener(): Promise<{ port: number; close: () => Promise<void> }> {
  const release = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { workerData, parentPort } = require("node:worker_threads");
     const server = require("node:net").createServer();
     server.listen({ port: 0, host: "127.0.0.1", backlog: 1 }, () => {
       parentPort.postMessage(server.address().port);
       Atomics.wait(workerData, 0, 0, 30000);
     });`,
    { eval: true, workerData: release },
  );
  const port = await new Promise<number>((resolve) => worker.once("message", resolve));
  const fillers = [net.connect({ host: "127.0.0.1", port }), net.connect({ host: "127.0.0.1", port })];
  await Promise.all(fillers.map((socket) => new Promise((resolve) => socket.once("connect", resolve))));
  return {
    port,
    close: async () => {
      fillers.forEach((socket) => socket.destroy());
      Atomics.store(release, 0, 1);
      Atomics.notify(release, 0);
      await worker.terminate();
    },
  };
}
