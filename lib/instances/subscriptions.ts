import { getConnector } from "@/lib/connectors";
import { joinFailures } from "@/lib/connectors/subscriptions/shared";
import type { Connector } from "@/lib/connectors/types";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import type { ProviderSubscription, SubscriptionContext, WebhookSubscriptionHandler } from "@/lib/connectors/contract";
import type { Instance, Prisma, SubscriptionStatus, WebhookSubscription } from "@/lib/generated/prisma/client";
import { decryptSecrets, withoutInstanceSecrets } from "@/lib/instances/secrets";
import { providerWebhookUrl } from "@/lib/instances/webhook-url";
import { log } from "@/lib/log";
import { withDeadline } from "@/lib/net/deadline";
import { isOAuthConnector, providerApiUrl } from "@/lib/oauth/config";
import { receivesWebhooks } from "@/lib/polling/config";
import { accessTokenFor } from "@/lib/oauth/refresh";

/*
 * The provider side of an instance's events: the webhooks Hookline creates at Campaign Monitor,
 * MailChimp and ConnectWise so that they post to the instance's webhook URL.
 *
 * `syncSubscriptions` makes the provider match the saved instance. Wanted = events enabled (and, for an
 * OAuth connector, an authorized instance). It removes webhooks registered for an old webhook URL,
 * asks the connector's handler to keep/adopt/create one per scope (list, callback type), records what
 * exists in `webhook_subscriptions`, removes what is no longer wanted (a list taken out of
 * `events.list.ids`, everything when events go off), and stores the outcome on the instance
 * (`subscription_status`, `subscription_error`). Provider failures are outcomes, never exceptions: the
 * instance was saved before this runs and stays saved.
 *
 * Runs synchronously inside create/update/toggle so the API response and the page show the real
 * outcome at once. It is bounded: each provider call has a 10 s deadline and the whole sync
 * SYNC_DEADLINE_MS. Syncs of one instance are serialized across processes with a transaction-scoped
 * advisory lock (not a row lock: the token refresh takes the instance's row lock, and may run inside).
 */

/** First key of the two-key advisory lock ("HkSu"); the second is the instance id. */
const LOCK_NAMESPACE = 0x486b5375;
const SYNC_DEADLINE_MS = 45_000;
const TRANSACTION_MS = SYNC_DEADLINE_MS + 15_000;

export type SubscriptionState = {
  status: SubscriptionStatus;
  /** Why the last registration or removal failed (FAILED only). */
  error?: string;
  /** Why nothing is registered although events are on (e.g. waiting for authorization). */
  note?: string;
  checkedAt: Date;
};

type Tx = Prisma.TransactionClient;
type Outcome = Omit<SubscriptionState, "checkedAt">;

function scopeOf(subscription: ProviderSubscription): string {
  return subscription.scope ?? "";
}

function toProvider(row: WebhookSubscription): ProviderSubscription {
  return { id: row.providerId, scope: row.scope };
}

/** The note shown while an OAuth instance with events on cannot register yet. */
export function pendingAuthorizationNote(providerName: string): string {
  return `Registers once the instance is authorized at ${providerName}.`;
}

async function withInstanceLock<T>(instanceId: number, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db().$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}::int, ${instanceId}::int)`;
      return work(tx);
    },
    { timeout: TRANSACTION_MS, maxWait: 10_000 },
  );
}

type ContextResult = { ok: true; context: SubscriptionContext } | { ok: false; reason: string };

async function contextFor(instance: Instance, connector: Connector, signal: AbortSignal): Promise<ContextResult> {
  const configuration = { ...(instance.configuration as Record<string, unknown>), ...decryptSecrets(instance.secretsEncrypted) };
  const context: SubscriptionContext = { instanceId: instance.id, webhookUrl: providerWebhookUrl(instance), configuration, signal };
  if (!isOAuthConnector(connector)) return { ok: true, context };
  const apiUrl = providerApiUrl(connector, instance.providerAccount);
  if (!apiUrl) return { ok: false, reason: `Hookline does not know ${connector.name}'s API address for this account; reconnect the instance.` };
  try {
    return { ok: true, context: { ...context, oauth: { accessToken: await accessTokenFor(instance.id), apiUrl } } };
  } catch (error) {
    // Needs re-authorization, never authorized, or the token endpoint is down: all say what to do.
    if (error instanceof AppError) return { ok: false, reason: error.message };
    throw error;
  }
}

/** Handlers promise not to throw; a bug in one still must not turn into a failed save. */
async function guarded<T extends { ok: boolean }>(elementKey: string, call: () => Promise<T>): Promise<T | { ok: false; reason: string }> {
  try {
    return await call();
  } catch (error) {
    log("error", "webhook subscription handler threw", { elementKey, error: error instanceof Error ? error.message : String(error) });
    return { ok: false, reason: "Hookline hit an unexpected error while talking to the provider." };
  }
}

/** Unregisters rows one by one and forgets each one the provider no longer has. */
async function removeRows(
  tx: Tx,
  handler: WebhookSubscriptionHandler,
  connector: Connector,
  context: SubscriptionContext,
  rows: readonly WebhookSubscription[],
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const failures: string[] = [];
  for (const row of rows) {
    const result = await guarded(connector.key, () => handler.unregister({ ...context, subscriptions: [toProvider(row)] }));
    if (result.ok) await tx.webhookSubscription.delete({ where: { id: row.id } });
    else failures.push(result.reason);
  }
  return failures.length ? { ok: false, reason: joinFailures(failures) } : { ok: true };
}

/** Records scopes the handler reports that are not recorded yet (created or adopted). */
async function recordNew(tx: Tx, instanceId: number, webhookUrl: string, recorded: readonly WebhookSubscription[], now: readonly ProviderSubscription[]) {
  const known = new Set(recorded.map((row) => row.scope));
  const fresh = now.filter((subscription) => !known.has(scopeOf(subscription)));
  if (fresh.length === 0) return;
  await tx.webhookSubscription.createMany({
    data: fresh.map((subscription) => ({ instanceId, scope: scopeOf(subscription), providerId: subscription.id, url: webhookUrl })),
    skipDuplicates: true,
  });
}

async function reconcile(tx: Tx, instance: Instance, mode: "sync" | "remove", signal: AbortSignal): Promise<Outcome> {
  const connector = getConnector(instance.elementKey);
  if (!connector) return { status: "NONE" };
  // An instance that only polls (`event.vendor.type` "polling") wants no webhooks at the provider.
  const wanted = mode === "sync" && instance.eventsEnabled && receivesWebhooks(instance.configuration as Record<string, unknown>);
  const handler = connector.events.subscription;
  if (!handler) return { status: wanted && connector.events.manualSetup?.length ? "MANUAL" : "NONE" };

  let rows = await tx.webhookSubscription.findMany({ where: { instanceId: instance.id }, orderBy: { scope: "asc" } });
  if (!wanted && rows.length === 0) return { status: "NONE" };
  // Never authorized: there is no token to call the provider with, and nothing can be registered yet.
  if (wanted && rows.length === 0 && isOAuthConnector(connector) && instance.status === "PENDING_AUTHORIZATION") {
    return { status: "NONE", note: pendingAuthorizationNote(connector.name) };
  }

  const prepared = await contextFor(instance, connector, signal);
  if (!prepared.ok) return { status: "FAILED", error: prepared.reason };
  const { context } = prepared;

  if (!wanted) {
    const removal = await removeRows(tx, handler, connector, context, rows);
    return removal.ok ? { status: "NONE" } : { status: "FAILED", error: removal.reason };
  }

  // Webhooks pointing at an old address (HOOKLINE_PUBLIC_URL changed) are replaced, not kept.
  const moved = rows.filter((row) => row.url !== context.webhookUrl);
  if (moved.length) {
    const removal = await removeRows(tx, handler, connector, context, moved);
    if (!removal.ok) return { status: "FAILED", error: removal.reason };
    rows = rows.filter((row) => row.url === context.webhookUrl);
  }

  const registered = await guarded(connector.key, () => handler.register({ ...context, existing: rows.map(toProvider) }));
  const now = "subscriptions" in registered && registered.subscriptions ? registered.subscriptions : [];
  await recordNew(tx, instance.id, context.webhookUrl, rows, now);
  // On failure the full wanted set may be unknown (MailChimp's lists could not be read): remove nothing.
  if (!registered.ok) return { status: "FAILED", error: registered.reason };

  const keep = new Set(now.map(scopeOf));
  const stale = rows.filter((row) => !keep.has(row.scope));
  const removal = await removeRows(tx, handler, connector, context, stale);
  return removal.ok ? { status: "ACTIVE" } : { status: "FAILED", error: removal.reason };
}

/** Provider messages end up on the page and in the API: never let one echo a credential back. */
function redacted(outcome: Outcome, instance: Instance): Outcome {
  return outcome.error ? { ...outcome, error: withoutInstanceSecrets(outcome.error, instance) } : outcome;
}

async function run(instanceId: number, mode: "sync" | "remove"): Promise<SubscriptionState> {
  return withInstanceLock(instanceId, async (tx) => {
    const checkedAt = new Date();
    const instance = await tx.instance.findUnique({ where: { id: instanceId } });
    if (!instance) return { status: "NONE" as const, checkedAt };
    const outcome = redacted(await withDeadline(SYNC_DEADLINE_MS, (signal) => reconcile(tx, instance, mode, signal)), instance);
    await tx.instance.updateMany({
      where: { id: instanceId },
      data: { subscriptionStatus: outcome.status, subscriptionError: outcome.error ?? null, subscriptionCheckedAt: checkedAt },
    });
    log(outcome.status === "FAILED" ? "warn" : "info", "webhook subscriptions synced", {
      instanceId,
      elementKey: instance.elementKey,
      mode,
      status: outcome.status,
      error: outcome.error,
    });
    return { ...outcome, checkedAt };
  });
}

/**
 * Makes the provider's webhooks match the saved instance (see the top of this file). Idempotent:
 * safe to call after every save and from "Retry registration". Provider problems come back as
 * `{ status: "FAILED", error }` and are stored on the instance; only database errors throw.
 */
export async function syncSubscriptions(instanceId: number): Promise<SubscriptionState> {
  return run(instanceId, "sync");
}

/**
 * Removes every webhook registered for the instance, before it is deleted. Best effort: the caller
 * deletes the instance whatever this returns (see `deleteInstance`).
 */
export async function removeSubscriptions(instanceId: number): Promise<{ ok: true } | { ok: false; error: string }> {
  const state = await run(instanceId, "remove");
  return state.status === "FAILED" ? { ok: false, error: state.error ?? "Could not remove the provider's webhooks." } : { ok: true };
}

/** What is registered for an instance, for its page. */
export async function listSubscriptions(instanceId: number): Promise<WebhookSubscription[]> {
  return db().webhookSubscription.findMany({ where: { instanceId }, orderBy: { scope: "asc" } });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * For the instances service, right after a save committed: registers or removes the provider's
 * webhooks and returns the instance with the outcome on it. Never throws: the save stands whatever the
 * provider (or, logged, the database) does, and a provider failure is stored as FAILED with its message.
 */
export async function syncAfterSave(instance: Instance): Promise<Instance> {
  try {
    const state = await syncSubscriptions(instance.id);
    return { ...instance, subscriptionStatus: state.status, subscriptionError: state.error ?? null, subscriptionCheckedAt: state.checkedAt };
  } catch (error) {
    log("error", "webhook subscription sync failed", { instanceId: instance.id, error: messageOf(error) });
    return instance;
  }
}

/**
 * For `deleteInstance`: removes the instance's webhooks at the provider, best effort. A failure is
 * logged and returned as `warning`; it does not stop the delete. Refusing to delete would trap people
 * with an instance whose provider is down or whose access was revoked (often why it is being deleted),
 * while a webhook left behind only posts to a URL that answers 404 from then on, which providers stop
 * calling after a while.
 */
export async function removeSubscriptionsBeforeDelete(instance: Pick<Instance, "id" | "elementKey">): Promise<{ warning?: string }> {
  let warning: string | undefined;
  try {
    const removal = await removeSubscriptions(instance.id);
    if (!removal.ok) warning = removal.error;
  } catch (error) {
    log("error", "removing webhook subscriptions failed", { instanceId: instance.id, error: messageOf(error) });
    warning = "Hookline could not remove the webhooks it registered at the provider.";
  }
  if (!warning) return {};
  log("warn", "instance deleted with webhooks left at the provider", { instanceId: instance.id, elementKey: instance.elementKey });
  return { warning };
}
