import { getConnector } from "@/lib/connectors";
import { SIGNATURE_KEY } from "@/lib/delivery/signing-keys";
import { decrypt, maskSecret } from "@/lib/crypto/secrets";
import type { Instance } from "@/lib/generated/prisma/client";
import { deliveryState, laneStates, type DeliveryState } from "@/lib/delivery/lanes";
import { publicConfiguration } from "@/lib/instances/service";
import { providerWebhookUrl } from "@/lib/instances/webhook-url";
import { pollingStatus, type PollingStatus } from "@/lib/polling/status";

/** What only the answer that created an instance shows in full: its token and a generated signature key. */
export type CreatedSecrets = { token?: string; signatureKey?: string };

/**
 * An instance as the REST API returns it (Cloud Elements field names). The token (and a signature key
 * Hookline generated) appear in full only in the response that created it; afterwards they are masked
 * like every other secret.
 */
export function toApiInstance(instance: Instance, options: CreatedSecrets & { lane?: DeliveryState } = {}) {
  const delivery = deliveryState(options.lane, instance.deliveryDisabledAt);
  const connector = getConnector(instance.elementKey);
  return {
    id: instance.id,
    name: instance.name,
    token: options.token ?? maskSecret(decrypt(instance.tokenEncrypted)),
    element: { key: instance.elementKeySent, name: connector?.name ?? instance.elementKey },
    configuration: {
      ...publicConfiguration(instance),
      ...(options.signatureKey ? { [SIGNATURE_KEY]: options.signatureKey } : {}),
    },
    tags: instance.tags,
    eventsEnabled: instance.eventsEnabled,
    status: instance.status,
    valid: instance.status === "ACTIVE",
    disabled: false,
    webhookUrl: providerWebhookUrl(instance),
    /** Whether Hookline's webhook is registered at the provider (NONE / ACTIVE / FAILED / MANUAL), and why not. */
    subscription: {
      status: instance.subscriptionStatus,
      ...(instance.subscriptionError ? { error: instance.subscriptionError } : {}),
    },
    /** Where delivery to the callback URL stands: ACTIVE, PAUSED (circuit breaker) or DISABLED (410 Gone). */
    delivery: { state: delivery.state, reason: delivery.reason, since: delivery.since },
    /** Refused webhooks not kept: beyond the newest 1,000 (listed as REJECTED events), or not recorded during a flood. */
    rejectedNotKept: instance.rejectedNotKept,
    createdDate: instance.createdAt.toISOString(),
    updatedDate: instance.updatedAt.toISOString(),
  };
}

export type ApiInstance = ReturnType<typeof toApiInstance>;

/** `toApiInstance` for several instances, with their delivery lanes read in one query. */
export async function toApiInstances(instances: readonly Instance[]): Promise<ApiInstance[]> {
  const lanes = await laneStates(instances.map((instance) => instance.id));
  return instances.map((instance) => toApiInstance(instance, { lane: lanes.get(instance.id) }));
}

/**
 * One instance as the API returns it, with its delivery lane and, for an instance that polls
 * (`event.vendor.type` polling or both), its `polling` state (lib/polling/status.ts).
 */
export async function toApiInstanceWithLane(instance: Instance, options: CreatedSecrets = {}): Promise<ApiInstance & { polling?: PollingStatus }> {
  const [lanes, polling] = await Promise.all([laneStates([instance.id]), pollingStatus(instance)]);
  return { ...toApiInstance(instance, { ...options, lane: lanes.get(instance.id) }), ...(polling ? { polling } : {}) };
}
