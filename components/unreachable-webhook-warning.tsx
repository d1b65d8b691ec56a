import { TriangleAlert } from "lucide-react";
import type { Reachability } from "@/lib/net/public-address";

/**
 * Under the provider webhook URL when Hookline's public address is loopback or private: providers on
 * the internet cannot post to it, and what to do about it.
 */
export function UnreachableWebhookWarning({ publicUrl, reachability }: { publicUrl: string; reachability: Reachability }) {
  if (reachability === "public") return null;
  const where = reachability === "loopback" ? "only this machine" : "only your local network";
  return (
    <div role="note" aria-label="Webhook URL not reachable" className="flex gap-2 rounded-md border border-warning/40 bg-warning/10 px-3 py-2 text-xs">
      <TriangleAlert className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden />
      <p>
        Providers on the internet can&apos;t reach this URL: the public address <code className="font-mono">{publicUrl}</code> is one{" "}
        {where} can open. Set <code className="font-mono">HOOKLINE_PUBLIC_URL</code> to a public https address that reaches this
        Hookline, or to a tunnel&apos;s address (for example <code className="font-mono">cloudflared tunnel</code> or{" "}
        <code className="font-mono">ngrok http</code>), and restart.
      </p>
    </div>
  );
}
