import { z } from "zod";
import { db } from "@/lib/db/client";
import { decrypt } from "@/lib/crypto/secrets";
import { AppError } from "@/lib/errors";
import type { OAuthAuthorization } from "@/lib/generated/prisma/client";
import { createInstance, fullConfiguration, getInstance } from "@/lib/instances/service";
import { syncSubscriptions } from "@/lib/instances/subscriptions";
import { log } from "@/lib/log";
import { clientOf, type ClientCredentials } from "@/lib/oauth/config";
import {
  canRetry,
  connectorFor,
  type AuthorizationFailure,
  type AuthorizationFailureReason,
  type AuthorizationResult,
  type Draft,
  type FlowUser,
} from "@/lib/oauth/flow";
import { grantColumns, obtainGrant } from "@/lib/oauth/grant";
import { hashState, isStateExpired, zState } from "@/lib/oauth/state";
import { describeTokenError, safeErrorCode, TokenRequestError } from "@/lib/oauth/token-exchange";

/*
 * The OAuth callback of the browser flow (lib/oauth/flow.ts begins it): the provider sends the person
 * back with a code (or an error) and the state Hookline gave it.
 */

const zCallbackParams = z.object({
  state: z.string().max(512).optional(),
  code: z.string().max(4096).optional(),
  error: z.string().max(512).optional(),
  // Read only to be ignored: anyone can put text there, so it is never shown (see AuthorizationFailure).
  error_description: z.string().max(4096).optional(),
});

export type CallbackParams = z.input<typeof zCallbackParams>;

/** Hands a failure back after recording its reason on the row, so support can see what happened. */
async function fail(row: OAuthAuthorization, failure: Omit<AuthorizationFailure, "ok">): Promise<AuthorizationFailure> {
  await db().oAuthAuthorization.update({ where: { id: row.id }, data: { lastError: failure.reason } });
  log("warn", "oauth authorization failed", { authorizationId: row.id, elementKey: row.elementKey, reason: failure.reason, providerError: failure.providerError });
  return { ok: false, ...failure };
}

function tokenFailureReason(error: TokenRequestError): AuthorizationFailureReason {
  if (error.kind === "rejected") return "token_rejected";
  if (error.kind === "timeout") return "token_timeout";
  return "token_unavailable";
}

/**
 * The callback (`GET /oauth/callback?code&state` or `?error&state`): checks the state is known, the
 * signed-in person's, unused and under 10 minutes old; marks it used; exchanges the code; creates the
 * instance (or re-authorizes the one being reconnected). Nothing is created on any failure.
 */
export async function completeAuthorization(user: FlowUser, input: CallbackParams): Promise<AuthorizationResult> {
  const params = zCallbackParams.safeParse(input);
  const { state, code, error } = params.success ? params.data : {};
  if (!state) return { ok: false, reason: "missing_state" };
  if (!zState.safeParse(state).success) return { ok: false, reason: "unknown_state" };

  const row = await db().oAuthAuthorization.findUnique({ where: { stateHash: hashState(state) } });
  if (!row) return { ok: false, reason: "unknown_state" };
  // Same answer shape as an unknown state: nothing about another person's flow leaks.
  if (row.userId !== user.id || row.organizationId !== user.organizationId) {
    log("warn", "oauth callback with another user's state", { authorizationId: row.id });
    return { ok: false, reason: "foreign_state" };
  }

  const connector = connectorFor(row.elementKey);
  const base = { providerName: connector.name, elementKey: connector.key, instanceId: row.instanceId ?? undefined };
  if (row.usedAt) {
    return { ok: false, reason: "already_used", ...base, retryId: row.lastError && canRetry(row) ? row.id : undefined };
  }
  if (isStateExpired(row.createdAt)) return fail(row, { reason: "expired", ...base, retryId: canRetry(row) ? row.id : undefined });

  // The claim: exactly one request gets past this for a given state, however many arrive at once.
  const claimed = await db().oAuthAuthorization.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: new Date() } });
  if (claimed.count !== 1) return { ok: false, reason: "already_used", ...base };
  const retryId = canRetry(row) ? row.id : undefined;

  if (error) {
    const providerError = safeErrorCode(error);
    return fail(row, { reason: error === "access_denied" ? "access_denied" : "provider_error", providerError, ...base, retryId });
  }
  if (!code) return fail(row, { reason: "missing_code", ...base, retryId });

  let client: ClientCredentials;
  let draft: Draft | null = null;
  if (row.instanceId !== null) {
    try {
      const instance = await getInstance({ organizationId: row.organizationId }, row.instanceId);
      client = clientOf(fullConfiguration(instance));
    } catch (cause) {
      if (cause instanceof AppError) return fail(row, { reason: "instance_gone", ...base, instanceId: undefined });
      throw cause;
    }
  } else {
    if (!row.draftEncrypted) return fail(row, { reason: "invalid_draft", ...base });
    draft = JSON.parse(decrypt(row.draftEncrypted)) as Draft;
    client = clientOf(draft.configuration);
  }

  let grant;
  try {
    const codeVerifier = row.codeVerifierEncrypted ? decrypt(row.codeVerifierEncrypted) : undefined;
    grant = await obtainGrant(connector, { clientId: client.clientId, clientSecret: client.clientSecret }, { code, redirectUri: row.redirectUri, codeVerifier });
  } catch (cause) {
    if (!(cause instanceof TokenRequestError)) throw cause;
    return fail(row, { reason: tokenFailureReason(cause), detail: describeTokenError(connector.name, cause), ...base, retryId });
  }

  let instanceId: number;
  if (row.instanceId !== null) {
    const updated = await db().instance.updateMany({ where: { id: row.instanceId, organizationId: row.organizationId }, data: grantColumns(grant) });
    if (updated.count !== 1) return fail(row, { reason: "instance_gone", ...base, instanceId: undefined });
    instanceId = row.instanceId;
    // Authorized again (or at last): register the webhooks that had to wait for a token.
    // Never throws for the provider (the outcome is stored on the instance and shown on its page).
    await syncSubscriptions(instanceId).catch((cause: unknown) =>
      log("error", "webhook subscription sync failed", { instanceId, error: cause instanceof Error ? cause.message : String(cause) }),
    );
  } else {
    try {
      const created = await createInstance({ organizationId: row.organizationId, userId: row.userId }, draft, { grant });
      instanceId = created.instance.id;
    } catch (cause) {
      if (cause instanceof AppError) return fail(row, { reason: "invalid_draft", ...base });
      throw cause;
    }
  }

  // The draft and verifier have done their job; only the outcome stays, for the replay page's link.
  await db().oAuthAuthorization.update({
    where: { id: row.id },
    data: { completedAt: new Date(), instanceId, draftEncrypted: null, codeVerifierEncrypted: null, lastError: null },
  });
  log("info", "oauth authorization completed", { authorizationId: row.id, elementKey: connector.key, instanceId, reconnect: row.instanceId !== null });
  return { ok: true, instanceId, providerName: connector.name, reconnected: row.instanceId !== null };
}
