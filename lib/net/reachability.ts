import { lookup } from "node:dns/promises";
import net from "node:net";
import { unlessAborted } from "@/lib/net/deadline";

export type Unreachable = "dns" | "refused" | "timeout" | "error";

/** What a person is told for each way a host could not be reached. */
export const UNREACHABLE_REASONS: Record<Unreachable, string> = {
  dns: "its name does not resolve (no DNS answer from this server)",
  refused: "it refused the connection",
  timeout: "it did not answer within a few seconds",
  error: "the connection failed",
};

/** The DNS step: a lookup cannot be cancelled (it runs on libuv's thread pool), so it is only waited for. */
async function lookupWithin(host: string, ms: number): Promise<{ address: string } | "dns" | "timeout"> {
  const resolved = lookup(host).then(
    ({ address }) => ({ address }),
    () => "dns" as const,
  );
  return (await unlessAborted(resolved, AbortSignal.timeout(ms))) ?? "timeout";
}

/** The TCP step: the socket is destroyed however it ends, a connect that never completes included. */
function connectWithin(address: string, port: number, ms: number): Promise<Unreachable | null> {
  return new Promise((resolve) => {
    // `timeout` arms socket.setTimeout before connecting, so it also ends a handshake that gets no answer.
    const socket = net.connect({ host: address, port, timeout: ms });
    const end = (result: Unreachable | null) => {
      socket.destroy();
      resolve(result);
    };
    socket.once("connect", () => end(null));
    socket.once("timeout", () => end("timeout"));
    socket.once("error", (error: NodeJS.ErrnoException) => end(error.code === "ECONNREFUSED" ? "refused" : "error"));
  });
}

/**
 * Whether `url`'s host resolves and accepts a TCP connection on its port, within `timeoutMs` for each
 * step. Used before sending a person to a provider's consent page, so an unreachable provider gets
 * Hookline's explanation instead of the browser's DNS error page.
 */
export async function probeReachable(url: URL, timeoutMs = 3_000): Promise<{ ok: true } | { ok: false; reason: Unreachable }> {
  const resolved = await lookupWithin(url.hostname.replace(/^\[|\]$/g, ""), timeoutMs);
  if (typeof resolved === "string") return { ok: false, reason: resolved };
  const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
  const connected = await connectWithin(resolved.address, port, timeoutMs);
  return connected === null ? { ok: true } : { ok: false, reason: connected };
}
