import { NextResponse, type NextRequest } from "next/server";
import { PATH_HEADER } from "@/lib/auth/callback-url";
import { env } from "@/lib/env";
import { contentSecurityPolicy, newNonce, securityHeaders } from "@/lib/security/headers";

/**
 * Runs before every console page (not static files, the REST API or next-auth's endpoints): security
 * headers with a per-request CSP nonce (Next.js reads it from the request's CSP header and puts it on
 * its own scripts) and the path for a deep link back after sign-in. Not for requests with a body
 * (server actions): Next.js would read the body for the proxy first and log a client that hangs up
 * mid-body as an error. Cross-site server actions are refused in the custom server
 * (lib/security/cross-origin-action.ts).
 */
export function proxy(request: NextRequest): NextResponse {
  const https = (env().HOOKLINE_PUBLIC_URL ?? "").startsWith("https:");
  const nonce = newNonce();
  const csp = contentSecurityPolicy({ nonce, dev: env().HOOKLINE_DEV, https });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", csp);
  requestHeaders.set(PATH_HEADER, `${request.nextUrl.pathname}${request.nextUrl.search}`);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  for (const [name, value] of Object.entries(securityHeaders({ https }))) response.headers.set(name, value);
  return response;
}

export const config = {
  matcher: [
    {
      source: "/((?!_next/static|_next/image|favicon\\.svg|api/|elements/api-v2).*)",
      missing: [
        { type: "header", key: "content-length" },
        { type: "header", key: "transfer-encoding" },
      ],
    },
  ],
};
