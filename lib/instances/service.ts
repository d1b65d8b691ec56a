import { connectors, getConnector } from "@/lib/connectors";
import {
  parseConfiguration,
  parseCreateInstanceBody,
  parsePatchInstanceBody,
  restoreAliases,
  type Configuration,
  type SentAs,
} from "@/lib/connectors/schema";
import type { Connector } from "@/lib/connectors/types";
import { encrypt, generateSecret, hashSecret } from "@/lib/crypto/secrets";
import { db } from "@/lib/db/client";
import { generateSigningKey, replacedKeyColumn, SIGNATURE_KEY } from "@/lib/delivery/signing-keys";
import { AppError } from "@/lib/errors";
import type { Instance, Prisma } from "@/lib/generated/prisma/client";
import { decryptSecrets, isSecretKey, maskedConfiguration, splitSecrets } from "@/lib/instances/secrets";
import { checkBeforeSave } from "@/lib/instances/save-checks";
import { newWebhookSecret } from "@/lib/instances/webhook-url";
import { removeSubscriptionsBeforeDelete, syncAfterSave } from "@/lib/instances/subscriptions";
import { exchangeCodeForInstance, grantColumns, type OAuthGrant } from "@/lib/oauth/grant";
import { polls } from "@/lib/polling/config";
import { requestPoll, syncPollJob } from "@/lib/polling/poll-jobs";

/** Who is acting: every read and write is scoped to one organization. */
export type Actor = { organizationId: string; userId?: string };

export type InstanceFilter = { elementKey?: string; tag?: string; instanceId?: number };

const EVENTS_ENABLED = "event.notification.enabled";

function notFound(): AppError {
  // The same answer for "does not exist" and "belongs to someone else", so ids reveal nothing.
  return new AppError("not_found", "No instance with that id.");
}

function connectorOf(instance: Pick<Instance, "elementKey">): Connector {
  const connector = getConnector(instance.elementKey);
  if (!connector) throw new Error(`Instance uses unknown connector ${instance.elementKey}`);
  return connector;
}

function statusFor(connector: Connector) {
  // OAuth connectors are usable once a grant code has been exchanged (browser or API flow).
  return connector.auth.type === "oauth2" ? ("PENDING_AUTHORIZATION" as const) : ("ACTIVE" as const);
}

export type CreateInstanceOptions = {
  /** Tokens the browser flow's callback already obtained; the body's `providerData.code` is then not used. */
  grant?: OAuthGrant;
};

/**
 * Creates an instance from a Cloud Elements `POST /instances` body. Returns the token once, in full, and
 * the signature key generated when the body gave none (deliveries are always signed), also once.
 * For an OAuth connector, `providerData.code` is exchanged first (lib/oauth/grant.ts): a refused or
 * failed exchange throws (400/502) and nothing is stored; a good one makes the instance ACTIVE.
 */
export async function createInstance(
  actor: Actor,
  body: unknown,
  options: CreateInstanceOptions = {},
): Promise<{ instance: Instance; token: string; signatureKey?: string }> {
  const parsed = parseCreateInstanceBody(body, connectors);
  if (!parsed.ok) throw new AppError("bad_request", parsed.message, parsed.fieldErrors);
  const { connector, value, sentAs } = parsed;
  await checkBeforeSave(connector, value.configuration, new Set(Object.keys(value.configuration)), sentAs);
  const grant = options.grant ?? (await exchangeCodeForInstance(connector, value));
  const signatureKey = value.configuration[SIGNATURE_KEY] === undefined ? generateSigningKey() : undefined;
  const { plain, secretsEncrypted } = splitSecrets(connector, { ...value.configuration, ...(signatureKey ? { [SIGNATURE_KEY]: signatureKey } : {}) });
  const token = generateSecret();
  const instance = await db().instance.create({
    data: {
      organizationId: actor.organizationId,
      createdById: actor.userId ?? null,
      elementKey: connector.key,
      elementKeySent: value.element.key,
      name: value.name,
      tags: value.tags ?? [],
      configuration: plain as Prisma.InputJsonObject,
      secretsEncrypted,
      sentAs,
      eventsEnabled: plain[EVENTS_ENABLED] === true,
      status: statusFor(connector),
      tokenHash: hashSecret(token),
      tokenEncrypted: encrypt(token),
      webhookSecretEncrypted: newWebhookSecret().encrypted,
      ...(grant ? grantColumns(grant) : {}),
    },
  });
  await syncPollSchedule(instance);
  return { instance: await syncAfterSave(instance), token, ...(signatureKey ? { signatureKey } : {}) };
}

export async function listInstances(actor: Actor, filter: InstanceFilter = {}): Promise<Instance[]> {
  const connector = filter.elementKey ? getConnector(filter.elementKey) : undefined;
  return db().instance.findMany({
    where: {
      organizationId: actor.organizationId,
      ...(filter.elementKey ? { elementKey: connector?.key ?? filter.elementKey } : {}),
      ...(filter.tag ? { tags: { has: filter.tag } } : {}),
      ...(filter.instanceId ? { id: filter.instanceId } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 500,
  });
}

export async function getInstance(actor: Actor, id: number): Promise<Instance> {
  if (!Number.isSafeInteger(id) || id <= 0 || id > 2_147_483_647) throw notFound();
  const instance = await db().instance.findFirst({ where: { id, organizationId: actor.organizationId } });
  if (!instance) throw notFound();
  return instance;
}

/** The instance an `Element <token>` header names, within the caller's organization. */
export async function findInstanceByToken(actor: Actor, token: string): Promise<Instance | null> {
  return db().instance.findFirst({ where: { tokenHash: hashSecret(token), organizationId: actor.organizationId } });
}

/** The full configuration with secrets decrypted, canonical names. Server-only use (delivery, OAuth). */
export function fullConfiguration(instance: Instance): Configuration {
  return { ...(instance.configuration as Configuration), ...decryptSecrets(instance.secretsEncrypted) };
}

/**
 * Applies a `PATCH /instances/{id}` body: name and tags replace, configuration merges. A blank secret
 * keeps the stored one (forms show secrets empty); a blank other value clears it. The merged
 * configuration must pass the same rules as a new instance.
 */
export async function updateInstance(actor: Actor, id: number, body: unknown): Promise<Instance> {
  const instance = await getInstance(actor, id);
  const connector = connectorOf(instance);
  const parsed = parsePatchInstanceBody(connector, body);
  if (!parsed.ok) throw new AppError("bad_request", parsed.message, parsed.fieldErrors);
  const { value } = parsed;

  const merged = fullConfiguration(instance);
  for (const [key, next] of Object.entries(value.configuration ?? {})) {
    if (next === undefined || next === null || next === "") {
      if (!isSecretKey(connector, key)) delete merged[key];
      continue;
    }
    merged[key] = next;
  }
  const checked = parseConfiguration(connector, merged, { mode: "create" });
  if (!checked.ok) throw new AppError("bad_request", checked.message, checked.fieldErrors);
  const sentAs = { ...(instance.sentAs as SentAs), ...parsed.sentAs };
  await checkBeforeSave(connector, checked.value, new Set(Object.keys(value.configuration ?? {})), sentAs);

  const { plain, secretsEncrypted } = splitSecrets(connector, checked.value);
  // A key replaced by a PATCH still signs for 24 h, as after a rotation from the instance page.
  const before = decryptSecrets(instance.secretsEncrypted)[SIGNATURE_KEY];
  const after = checked.value[SIGNATURE_KEY];
  const updated = await db().instance.update({
    where: { id: instance.id },
    data: {
      ...replacedKeyColumn(before, typeof after === "string" ? after : undefined, new Date()),
      ...(value.name !== undefined ? { name: value.name } : {}),
      ...(value.tags !== undefined ? { tags: value.tags } : {}),
      configuration: plain as Prisma.InputJsonObject,
      secretsEncrypted,
      sentAs,
      eventsEnabled: plain[EVENTS_ENABLED] === true,
    },
  });
  await syncPollSchedule(updated);
  return syncAfterSave(updated);
}

/**
 * "Poll now" (page and API): the instance's next poll is due at once, after the one running if any;
 * with `since`, from then (history: the high-water marks go back to it). 409 when the instance does not poll.
 */
export async function pollNow(actor: Actor, id: number, since?: Date): Promise<Instance> {
  const instance = await getInstance(actor, id);
  if (!(await requestPoll(instance.id, since))) {
    throw new AppError(
      "conflict",
      "This instance does not poll: set event.vendor.type to polling or both, and switch events on.",
    );
  }
  return instance;
}

/** An instance with events on whose `event.vendor.type` is polling or both has a poll schedule; others none. */
async function syncPollSchedule(instance: Instance): Promise<void> {
  await syncPollJob(instance.id, instance.eventsEnabled && polls(instance.configuration as Configuration));
}

export async function setEventsEnabled(actor: Actor, id: number, enabled: boolean): Promise<Instance> {
  return updateInstance(actor, id, { configuration: { [EVENTS_ENABLED]: enabled } });
}

/**
 * Deletes an instance after removing its webhooks at the provider. That removal is best effort (see
 * `removeSubscriptionsBeforeDelete`): a failure comes back as `warning`, and the delete happens anyway.
 */
export async function deleteInstance(actor: Actor, id: number): Promise<{ warning?: string }> {
  const instance = await getInstance(actor, id);
  const removal = await removeSubscriptionsBeforeDelete(instance);
  await db().instance.delete({ where: { id: instance.id } });
  return removal;
}

/** Configuration as shown to people and API clients: secrets masked, aliases spelled as sent. */
export function publicConfiguration(instance: Instance): Configuration {
  const masked = maskedConfiguration(instance.configuration as Configuration, instance.secretsEncrypted);
  return restoreAliases(masked, instance.sentAs as SentAs);
}
