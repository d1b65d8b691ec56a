import { createHash, randomBytes } from "node:crypto";

/*
 * PKCE (RFC 7636) with the S256 method only: `plain` would send the verifier itself in the browser's
 * address bar, which defeats the point.
 */

/** A random code verifier: 32 bytes, base64url (43 characters, within RFC 7636's 43–128). */
export function createCodeVerifier(): string {
  return randomBytes(32).toString("base64url");
}

/** `BASE64URL(SHA256(ASCII(verifier)))`, the `code_challenge` sent with `code_challenge_method=S256`. */
export function codeChallengeS256(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}
