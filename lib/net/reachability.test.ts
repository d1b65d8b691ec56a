import http from "node:http";
import type { AddressInfo } from "node:net";
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
});
