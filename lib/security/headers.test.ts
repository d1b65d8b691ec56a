import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, isCrossOriginAction, newNonce, securityHeaders } from "@/lib/security/headers";

describe("console security headers", () => {
  it("allows scripts only with the nonce, never eval outside development, and no framing", () => {
    const csp = contentSecurityPolicy({ nonce: "abc123==", dev: false, https: false });
    expect(csp).toContain("script-src 'self' 'nonce-abc123==' 'strict-dynamic'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("upgrade-insecure-requests");
    expect(contentSecurityPolicy({ nonce: "n", dev: true, https: false })).toContain("'unsafe-eval'");
    expect(contentSecurityPolicy({ nonce: "n", dev: false, https: true })).toContain("upgrade-insecure-requests");
  });

  it("sends HSTS only over https", () => {
    expect(securityHeaders({ https: false })).toEqual({
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "strict-origin-when-cross-origin",
      "X-Frame-Options": "DENY",
    });
    expect(securityHeaders({ https: true })["Strict-Transport-Security"]).toMatch(/^max-age=\d+/);
  });

  it("makes a fresh nonce each time, in CSP's base64 form", () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });

  it("spots a server action posted from another site", () => {
    const post = (headers: Record<string, string>) => ({ method: "POST", headers: new Headers(headers) });
    expect(isCrossOriginAction(post({ "next-action": "1", origin: "https://evil.test", host: "hookline.test" }))).toBe(true);
    expect(isCrossOriginAction(post({ "next-action": "1", origin: "null", host: "hookline.test" }))).toBe(true);
    expect(isCrossOriginAction(post({ "next-action": "1", origin: "https://hookline.test", host: "hookline.test" }))).toBe(false);
    expect(isCrossOriginAction(post({ origin: "https://evil.test", host: "hookline.test" }))).toBe(false);
    expect(isCrossOriginAction({ method: "GET", headers: new Headers({ "next-action": "1", origin: "https://evil.test", host: "h" }) })).toBe(false);
  });
});
