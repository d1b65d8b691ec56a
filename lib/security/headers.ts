/**
 * The security headers of every console page (set by `proxy.ts`). Pure, so a unit test can pin them.
 *
 * Scripts run only with this response's nonce ('strict-dynamic' lets those scripts load Next's chunks),
 * so an injected <script> or inline handler does nothing. Styles keep 'unsafe-inline': React writes
 * `style` attributes, which nonces cannot cover, and a style cannot run code. `next dev` evaluates
 * source maps and error overlays with eval, so 'unsafe-eval' is added only in development mode.
 */
export function contentSecurityPolicy(options: { nonce: string; dev: boolean; https: boolean }): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${options.nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.https ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

/** Response headers besides the CSP. HSTS only over https: on plain http it would be ignored or, worse, stick to a name later served without TLS. */
export function securityHeaders(options: { https: boolean }): Record<string, string> {
  return {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    ...(options.https ? { "Strict-Transport-Security": "max-age=31536000; includeSubDomains" } : {}),
  };
}

/** A fresh, unguessable nonce per response (base64, as CSP's nonce-source expects). */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}

/**
 * A server action posted from another site. Next.js refuses it too, but by throwing: a 500 and an
 * error in the log per request. Same rule as Next's (the Origin's host against the Host the request
 * was sent to); a request without Origin is left to Next.js, as browsers always send one with a POST.
 */
export function isCrossOriginAction(request: { method: string; headers: Headers }): boolean {
  if (request.method !== "POST" || !request.headers.has("next-action")) return false;
  const origin = request.headers.get("origin");
  if (!origin) return false;
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  try {
    return new URL(origin).host !== host;
  } catch {
    return true; // "null" (a sandboxed frame, a file) or garbage: not this site
  }
}
