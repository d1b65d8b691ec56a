import { NextResponse, type NextRequest } from "next/server";
import { PATH_HEADER } from "@/lib/auth/callback-url";
import { env } from "@/lib/env";
import { contentSecurityPolicy, isCrossOriginAction, newNonce, securityHeaders } from "@/lib/security/headers";

/**
 * Runs before every console page (not static files, the REST API or next-auth's endpoints): security
 * headers with a per-request CSP nonce (Next.js reads it from the request's CSP header and puts it on
 * its own scripts), the path for a deep link back after sign-in, and a clean 403 for cross-site
 * server actions.
 */
export function proxy(request: NextRequest): NextResponse {
  const https = (env().HOOKLINE_PUBLIC_URL ?? "").startsWith("https:");
  if (isCrossOriginAction(request)) {
    return NextResponse.json(
      { message: "This form was sent from another site; open Hookline itself and try again." },
      { status: 403, headers: securityHeaders({ https }) },
    );
  }
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
  matcher: ["/((?!_next/static|_next/image|favicon\\.svg|api/|elements/api-v2).*)"],
};
