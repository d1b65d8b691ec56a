import "server-only";
import type { WaitingInstance } from "@/components/events/events-empty-state";
import { getConnector } from "@/lib/connectors";
import type { Instance } from "@/lib/generated/prisma/client";
import { providerWebhookUrl } from "@/lib/instances/webhook-url";

/** An instance as the empty event log lists it: where its provider must send webhooks. */
export function waitingInstance(instance: Instance): WaitingInstance {
  const connector = getConnector(instance.elementKey);
  return {
    id: instance.id,
    name: instance.name,
    webhookUrl: providerWebhookUrl(instance),
    eventsEnabled: instance.eventsEnabled,
    connector: {
      name: connector?.name ?? instance.elementKey,
      monogram: connector?.tile.monogram ?? "?",
      color: connector?.tile.color ?? "#64748b",
    },
  };
}
