import type { IncomingMessage, ServerResponse } from "node:http";
import { isCrossOriginAction, securityHeaders } from "@/lib/security/headers";

/**
 * `true` after answering 403 to a server action sent from another site. Done in the custom server, not
 * in `proxy.ts`: a proxy that runs for requests with a body makes Next.js read that body first, and a
 * client that hangs up mid-body then shows up as an "Error: aborted" in the log. The proxy skips
 * requests with a body (its matcher), so the check lives here, on the headers alone.
 */
export function refuseCrossOriginAction(req: IncomingMessage, res: ServerResponse, options: { https: boolean }): boolean {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  if (!isCrossOriginAction({ method: req.method ?? "GET", headers })) return false;
  res.writeHead(403, { ...securityHeaders(options), "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify({ message: "This form was sent from another site; open Hookline itself and try again." }));
  return true;
}
