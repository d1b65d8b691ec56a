/**
 * The client's address as the launcher (scripts/start.ts) saw it: the socket peer, or behind a trusted
 * proxy the hop it appended. Next.js hands route handlers no socket, and a client's own
 * X-Forwarded-For cannot be trusted, so the launcher overwrites this header on every request.
 */
export const CLIENT_ADDRESS_HEADER = "x-hookline-client-address";

/** Requests that did not come through the launcher share one bucket rather than none. */
export function clientAddressOf(headers: { get(name: string): string | null }): string {
  return headers.get(CLIENT_ADDRESS_HEADER) || "unknown";
}
