/**
 * Where to go after sign-in, given a `callbackUrl` from the query string or from next-auth.
 *
 * A prefix check ("starts with / but not //") is not enough: browsers read `/\evil.test` and
 * `/<TAB>/evil.test` as `//evil.test`, another site. So the value is resolved exactly as the browser
 * will resolve it, and accepted only when it stays on `origin`. The answer is absolute, so no later
 * step can re-read a same-origin path such as `//evil.test` as protocol-relative.
 * Usable in the browser and on the server (no Node-only imports).
 */
export function safeCallbackUrl(value: string | null | undefined, origin: string): string {
  const home = new URL("/", origin).href;
  if (!value) return home;
  try {
    const url = new URL(value, origin);
    return url.origin === new URL(origin).origin ? url.href : home;
  } catch {
    return home; // not a URL at all (e.g. "%00" or "http://[")
  }
}

/** The sign-in page, coming back to `path` afterwards (a deep link survives signing in). */
export function loginUrlFor(path: string | null | undefined): string {
  if (!path || path === "/") return "/login";
  return `/login?callbackUrl=${encodeURIComponent(path)}`;
}

/** Set by proxy.ts on every page request: the path and query the browser asked for. */
export const PATH_HEADER = "x-hookline-path";
