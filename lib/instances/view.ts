import { getConnector } from "@/lib/connectors";
import { decrypt, maskSecret } from "@/lib/crypto/secrets";
import type { Instance } from "@/lib/generated/prisma/client";
import { publicConfiguration } from "@/lib/instances/service";
import { providerWebhookUrl } from "@/lib/instances/webhook-url";

/**
 * An instance as the REST API returns it (Cloud Elements field names). The token appears in full only
 * in the response that created it; afterwards it is masked like every other secret.
 */
export function toApiInstance(instance: Instance, options: { token?: string } = {}) {
  const connector = getConnector(instance.elementKey);
  return {
    id: instance.id,
    name: instance.name,
    token: options.token ?? maskSecret(decrypt(instance.tokenEncrypted)),
    element: { key: instance.elementKeySent, name: connector?.name ?? instance.elementKey },
    configuration: publicConfiguration(instance),
    tags: instance.tags,
    eventsEnabled: instance.eventsEnabled,
    status: instance.status,
    valid: instance.status === "ACTIVE",
    disabled: false,
    webhookUrl: providerWebhookUrl(instance.elementKey, instance.id),
    /** Whether Hookline's webhook is registered at the provider (NONE / ACTIVE / FAILED / MANUAL), and why not. */
    subscription: {
      status: instance.subscriptionStatus,
      ...(instance.subscriptionError ? { error: instance.subscriptionError } : {}),
    },
    createdDate: instance.createdAt.toISOString(),
    updatedDate: instance.updatedAt.toISOString(),
  };
}

export type ApiInstance = ReturnType<typeof toApiInstance>;
