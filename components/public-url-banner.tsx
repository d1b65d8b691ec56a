"use client";

import { Globe } from "lucide-react";
import { useEffect, useState } from "react";

/**
 * When the browser opened Hookline at another origin than `HOOKLINE_PUBLIC_URL` (127.0.0.1 for
 * localhost, an IP for a name): says so, why it matters (OAuth callbacks and webhook URLs use the public
 * address, so a provider's consent comes back where this browser has no session) and how to fix it.
 * Decided in the browser, after hydration: only the browser knows the address it used.
 */
export function PublicUrlBanner({ publicUrl }: { publicUrl: string }) {
  const [here, setHere] = useState<{ origin: string; sameAtPublic: string } | null>(null);
  useEffect(() => {
    const expected = new URL(publicUrl);
    const { origin, pathname, search, hash } = window.location;
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the browser's own address is known only here
    if (origin !== expected.origin) setHere({ origin, sameAtPublic: `${expected.origin}${pathname}${search}${hash}` });
  }, [publicUrl]);
  if (!here) return null;
  return (
    <div role="region" aria-label="Public address" className="border-b border-warning/40 bg-warning/10 px-4 py-2 text-sm">
      <p className="mx-auto flex max-w-6xl flex-wrap items-start gap-x-2 gap-y-1">
        <Globe className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden />
        <span className="min-w-0 flex-1">
          You opened Hookline at <code className="font-mono">{here.origin}</code>, but its public address is{" "}
          <code className="font-mono">{new URL(publicUrl).origin}</code>. OAuth callbacks and webhook URLs use the public address, so
          after a provider&apos;s consent you would land there, signed out.{" "}
          <a className="font-medium text-primary underline underline-offset-4" href={here.sameAtPublic}>
            Open this page at the public address
          </a>
          , or set <code className="font-mono">HOOKLINE_PUBLIC_URL</code> to the address people and providers use and restart Hookline.
        </span>
      </p>
    </div>
  );
}
