import type { IncomingMessage } from "node:http";

/**
 * A request's line and headers as HTTP/1.1 text, for a server that reads them from a socket: the
 * console behind a proxied upgrade (lib/net/console-proxy.ts), or a handed-over live-log connection
 * (lib/net/stream-handoff.ts). `set` replaces the client's headers of the same names (case-insensitive)
 * and `drop` removes others; `close` ends the head with `connection: close`.
 */
export function requestHead(
  request: IncomingMessage,
  { set = {}, drop = [], close = false }: { set?: Record<string, string>; drop?: readonly string[]; close?: boolean } = {},
): string {
  const replaced = new Set([...drop, ...Object.keys(set)].map((name) => name.toLowerCase()));
  let head = `${request.method} ${request.url} HTTP/1.1\r\n`;
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!;
    if (!replaced.has(name.toLowerCase())) head += `${name}: ${request.rawHeaders[i + 1]}\r\n`;
  }
  for (const [name, value] of Object.entries(set)) head += `${name}: ${value}\r\n`;
  return `${head}${close ? "connection: close\r\n" : ""}\r\n`;
}
