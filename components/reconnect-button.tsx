"use client";

import { RefreshCw } from "lucide-react";
import { reconnectAction } from "@/app/oauth/actions";
import { OAuthRedirectButton } from "@/components/oauth-redirect-button";

/** Runs the OAuth browser flow again for an existing instance (e.g. one that needs re-authorization). */
export function ReconnectButton({ instanceId, variant = "default" }: { instanceId: number; variant?: "default" | "outline" }) {
  return (
    <OAuthRedirectButton action={() => reconnectAction(instanceId)} variant={variant}>
      <RefreshCw aria-hidden /> Reconnect
    </OAuthRedirectButton>
  );
}
