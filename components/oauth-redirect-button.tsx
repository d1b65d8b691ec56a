"use client";

import { useState, type ReactNode } from "react";
import { toast } from "sonner";
import { Button, type ButtonProps } from "@/components/ui/button";
import type { ActionResult } from "@/lib/action-result";

type OAuthRedirectButtonProps = {
  /** A server action (bound to its arguments) that answers with the provider's consent URL. */
  action: () => Promise<ActionResult<{ redirectUrl: string }>>;
  children: ReactNode;
  pendingLabel?: string;
  variant?: ButtonProps["variant"];
};

/** Runs an OAuth server action, then leaves for the provider's consent page; a failure shows as a toast. */
export function OAuthRedirectButton({ action, children, pendingLabel = "Redirecting…", variant }: OAuthRedirectButtonProps) {
  // Stays pending while the browser navigates away, so it cannot be pressed twice.
  const [pending, setPending] = useState(false);
  const run = async () => {
    setPending(true);
    try {
      const result = await action();
      if (result.ok) {
        window.location.assign(result.data.redirectUrl);
        return;
      }
      toast.error(result.message);
    } catch {
      toast.error("Could not start the authorization; try again.");
    }
    setPending(false);
  };
  return (
    <Button type="button" variant={variant} onClick={run} disabled={pending}>
      {pending ? pendingLabel : children}
    </Button>
  );
}
