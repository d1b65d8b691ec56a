"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef } from "react";
import { toast } from "sonner";

/**
 * Confirms a finished OAuth authorization: the callback lands on `/instances/<id>?connected=1`, and
 * this shows "Connected to <provider>" once, then drops the parameter so a reload does not repeat it.
 * Needs a <Suspense> boundary above it (it reads the search params).
 */
export function ConnectedToast({ provider }: { provider: string }) {
  const params = useSearchParams();
  const pathname = usePathname();
  const router = useRouter();
  const shown = useRef(false);
  const connected = params.get("connected") === "1";

  useEffect(() => {
    if (!connected || shown.current) return;
    shown.current = true;
    // At the top: the other toasts' corner (bottom right) is where the event log's chart shows its
    // figures once the page is scrolled to it.
    toast.success(`Connected to ${provider}`, { position: "top-center" });
    router.replace(pathname, { scroll: false });
  }, [connected, provider, pathname, router]);

  return null;
}
