import { ShieldAlert } from "lucide-react";
import { BARE_URL_PARAMETER } from "@/lib/connectors/webhook-settings";
import type { Connector } from "@/lib/connectors/types";
import type { Instance } from "@/lib/generated/prisma/client";
import { bareUrlAcceptance, bareWebhookUrl } from "@/lib/instances/webhook-url";

/** Whether the instance also accepts its bare, guessable webhook URL, and why; a warning when it opted in. */
export function BareUrlNote({ instance, connector }: { instance: Instance; connector: Connector }) {
  const bare = bareWebhookUrl(instance.elementKey, instance.id);
  const why = bareUrlAcceptance(connector.events.webhook, instance.configuration as Record<string, unknown>);
  if (why === "opted-in") {
    return (
      <p role="alert" className="flex items-start gap-2 rounded-md border border-warning/40 bg-warning/10 px-3 py-2 text-sm" data-testid="bare-url-warning">
        <ShieldAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
        <span>
          This instance also accepts the bare URL <code className="break-all">{bare}</code>, which anyone can guess (instance ids are
          sequential) and use to post events that Hookline then delivers, signed. Turn off <code>{BARE_URL_PARAMETER}</code> unless the
          provider cannot use the full URL.
        </span>
      </p>
    );
  }
  if (!why) return null;
  return (
    <p className="text-xs text-muted-foreground">
      The bare URL <code className="break-all">{bare}</code> is accepted too:{" "}
      {why === "signed" ? `${connector.name} signs every webhook, and unsigned ones are refused.` : "only senders in the IP allow-list are accepted."}
    </p>
  );
}
