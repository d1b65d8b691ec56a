/**
 * The client's address as the edge (scripts/start.ts) saw it: the socket peer, or behind a trusted
 * proxy the hop it appended. The console (Next.js) only sees the edge's connection on its Unix socket,
 * and a client's own X-Forwarded-For cannot be trusted, so the edge overwrites this header on every
 * request it forwards.
 */
export const CLIENT_ADDRESS_HEADER = "x-hookline-client-address";

/** Requests that did not come through the edge share one bucket rather than none. */
export function clientAddressOf(headers: { get(name: string): string | null }): string {
  return headers.get(CLIENT_ADDRESS_HEADER) || "unknown";
}
