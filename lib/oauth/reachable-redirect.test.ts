import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "@/lib/net/free-port";
import { reachableRedirect } from "@/lib/oauth/reachable-redirect";

const VARIABLE = "HOOKLINE_CAMPAIGNMONITOR_AUTHORIZE_URL";
const saved = process.env[VARIABLE];

afterEach(() => {
  if (saved === undefined) delete process.env[VARIABLE];
  else process.env[VARIABLE] = saved;
});

describe("reachableRedirect", () => {
  it("sends the browser to Hookline's page, naming host, reason and connector, when the consent host refuses", async () => {
    const port = await freePort();
    process.env[VARIABLE] = `http://127.0.0.1:${port}/authorize`;
    const target = await reachableRedirect(`http://127.0.0.1:${port}/authorize?client_id=x&state=s`, "/connectors/campaignmonitor/new?from=abc");
    const url = new URL(target, "http://hookline.test");
    expect(url.pathname).toBe("/oauth/unreachable");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      host: `127.0.0.1:${port}`,
      reason: "refused",
      connector: "campaignmonitor",
      back: "/connectors/campaignmonitor/new?from=abc",
    });
  });

  it("keeps a consent URL whose host answers", async () => {
    const http = await import("node:http");
    const server = http.createServer((_, res) => res.end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const consent = `http://127.0.0.1:${port}/authorize?client_id=x`;
    expect(await reachableRedirect(consent)).toBe(consent);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
