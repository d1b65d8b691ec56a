import { lookup } from "node:dns/promises";
import net from "node:net";

export type Unreachable = "dns" | "refused" | "timeout" | "error";

/** What a person is told for each way a host could not be reached. */
export const UNREACHABLE_REASONS: Record<Unreachable, string> = {
  dns: "its name does not resolve (no DNS answer from this server)",
  refused: "it refused the connection",
  timeout: "it did not answer within a few seconds",
  error: "the connection failed",
};

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Whether `url`'s host resolves and accepts a TCP connection on its port, within `timeoutMs` for each
 * step. Used before sending a person to a provider's consent page, so an unreachable provider gets
 * Hookline's explanation instead of the browser's DNS error page.
 */
export async function probeReachable(url: URL, timeoutMs = 3_000): Promise<{ ok: true } | { ok: false; reason: Unreachable }> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const resolved = await withTimeout(lookup(host).catch(() => null), timeoutMs);
  if (resolved === "timeout") return { ok: false, reason: "timeout" };
  if (!resolved) return { ok: false, reason: "dns" };
  const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
  const connected = await withTimeout(
    new Promise<Unreachable | null>((resolve) => {
      const socket = net.connect({ host: resolved.address, port });
      socket.once("connect", () => {
        socket.destroy();
        resolve(null);
      });
      socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED" ? "refused" : "error"));
    }),
    timeoutMs,
  );
  if (connected === null) return { ok: true };
  return { ok: false, reason: connected };
}
