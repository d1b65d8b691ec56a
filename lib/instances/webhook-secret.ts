import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import type { Instance } from "@/lib/generated/prisma/client";
import { getInstance, type Actor } from "@/lib/instances/service";
import { syncAfterSave } from "@/lib/instances/subscriptions";
import { newWebhookSecret } from "@/lib/instances/webhook-url";
import { log } from "@/lib/log";

/**
 * The webhook URL's secret (`?k=`, lib/instances/webhook-url.ts) as it changes: rotated by a person, or
 * given to an instance made before URL secrets existed. Either way the webhooks Hookline registered at
 * the provider are moved to the new URL (lib/instances/subscriptions.ts replaces a registration whose
 * URL is not the current one). The old URL stops working at once: a rotation is for a URL that leaked.
 */

/** A new URL secret for the instance; its provider webhooks re-registered. Returns the instance as saved. */
export async function rotateWebhookSecret(actor: Actor, id: number): Promise<Instance> {
  await getInstance(actor, id);
  const { count } = await db().instance.updateMany({
    where: { id, organizationId: actor.organizationId },
    data: { webhookSecretEncrypted: newWebhookSecret().encrypted },
  });
  if (count === 0) throw new AppError("not_found", "No instance with that id.");
  return syncAfterSave(await db().instance.findUniqueOrThrow({ where: { id } }));
}

/** Instances given a secret per pass at most (each may mean provider calls to move its webhooks). */
const PER_PASS = 100;

/**
 * Gives every instance without a URL secret one, and moves its registered webhooks to the new URL. Run
 * by the worker when it starts; safe in several processes at once (a row is only taken while still
 * without a secret). Returns how many instances it gave a secret.
 */
export async function ensureWebhookSecrets(): Promise<number> {
  let given = 0;
  for (;;) {
    const missing = await db().instance.findMany({ where: { webhookSecretEncrypted: null }, select: { id: true }, take: PER_PASS, orderBy: { id: "asc" } });
    if (missing.length === 0) return given;
    for (const { id } of missing) {
      const { count } = await db().instance.updateMany({ where: { id, webhookSecretEncrypted: null }, data: { webhookSecretEncrypted: newWebhookSecret().encrypted } });
      if (count === 0) continue;
      given += 1;
      const instance = await db().instance.findUnique({ where: { id } });
      if (instance && instance.subscriptionStatus !== "NONE") await syncAfterSave(instance);
    }
    log("info", "gave instances made before URL secrets a webhook URL secret", { count: given });
  }
}
