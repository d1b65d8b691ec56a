import { z } from "zod";
import { connectors, getConnector } from "@/lib/connectors";
import { parseCreateInstanceBody, type CreateInstanceBody } from "@/lib/connectors/schema";
import { checkBeforeSave } from "@/lib/instances/save-checks";
import { decrypt, encrypt } from "@/lib/crypto/secrets";
import { db } from "@/lib/db/client";
import { publicUrl } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { OAuthAuthorization } from "@/lib/generated/prisma/client";
import { fullConfiguration, getInstance } from "@/lib/instances/service";
import { log } from "@/lib/log";
import { buildAuthorizeUrl } from "@/lib/oauth/authorize-url";
import { clientOf, requireOAuthConnector, type ClientCredentials, type OAuthConnector } from "@/lib/oauth/config";
import { codeChallengeS256, createCodeVerifier } from "@/lib/oauth/pkce";
import { createState, hashState, isDraftExpired, isStateExpired } from "@/lib/oauth/state";

/*
 * The browser flow. `beginAuthorization` validates the form's body exactly as the API would, stores it
 * as a pending authorization (encrypted: it holds the client secret) under a hashed one-time `state`,
 * and returns the provider's consent URL. `completeAuthorization` (lib/oauth/callback.ts) is the
 * callback: it claims the state once, exchanges the code, and creates (or, for Reconnect, re-authorizes)
 * the instance. Failures come back as reasons, never exceptions, and keep the draft so "Try again"
 * (`retryAuthorization`) needs no retyping.
 */

/** The signed-in person a flow belongs to. */
export type FlowUser = { id: string; organizationId: string };

/** The create body as kept between the form and the callback (no `providerData`: the code comes later). */
export type Draft = Omit<CreateInstanceBody, "providerData">;

export type AuthorizationFailureReason =
  /** The callback came without a `state`. */
  | "missing_state"
  /** No flow has that state: forged, mistyped, or from another Hookline. */
  | "unknown_state"
  /** The state belongs to a flow someone else started. */
  | "foreign_state"
  /** The state was used before (a reload or replay of the callback URL). */
  | "already_used"
  /** More than 10 minutes passed between starting and coming back. */
  | "expired"
  /** The person (or the provider) declined access: `error=access_denied`. */
  | "access_denied"
  /** The provider sent another `error` to the callback. */
  | "provider_error"
  /** The callback carried neither a code nor an error. */
  | "missing_code"
  /** The token endpoint refused the code (4xx). */
  | "token_rejected"
  /** The token endpoint failed (5xx), could not be reached, or answered nonsense. */
  | "token_unavailable"
  /** The token endpoint did not answer in time. */
  | "token_timeout"
  /** The stored draft no longer passes validation. */
  | "invalid_draft"
  /** The instance being reconnected was deleted meanwhile. */
  | "instance_gone";

export type AuthorizationSuccess = { ok: true; instanceId: number; providerName: string; reconnected: boolean };

export type AuthorizationFailure = {
  ok: false;
  reason: AuthorizationFailureReason;
  providerName?: string;
  elementKey?: string;
  /** The provider's `error` code from the callback, when it looks like one. */
  providerError?: string;
  /** A one-sentence summary of a token endpoint failure; never the provider's own text. */
  detail?: string;
  /** Set when "Try again" can restart from the kept draft (see `retryAuthorization`). */
  retryId?: string;
  /** The instance concerned: the one being reconnected, or the one a used state already created. */
  instanceId?: number;
};

export type AuthorizationResult = AuthorizationSuccess | AuthorizationFailure;

/** Hookline's own redirect target, the address to register at the provider. */
export function ownCallbackUrl(): string {
  return `${publicUrl()}/oauth/callback`;
}

function isOwnCallback(redirectUri: string): boolean {
  try {
    const url = new URL(redirectUri);
    const own = new URL(ownCallbackUrl());
    return url.origin === own.origin && url.pathname.replace(/\/+$/, "") === own.pathname;
  } catch {
    return false;
  }
}

export function connectorFor(elementKey: string): OAuthConnector {
  const connector = getConnector(elementKey);
  if (!connector) throw new AppError("bad_request", `Unknown element key "${elementKey}".`);
  return requireOAuthConnector(connector);
}

/** Stores a pending authorization and returns the consent URL for it. */
async function startAuthorization(
  user: FlowUser,
  connector: OAuthConnector,
  client: ClientCredentials,
  stored: { draft: Draft | null; instanceId: number | null; redirectUri: string },
): Promise<{ redirectUrl: string; authorizationId: string }> {
  const state = createState();
  // The code would go to another app when the Callback URL is not ours; that app could not present
  // our verifier, so PKCE is only used when the code comes back here.
  const verifier = connector.auth.pkce && isOwnCallback(stored.redirectUri) ? createCodeVerifier() : undefined;
  const row = await db().oAuthAuthorization.create({
    data: {
      stateHash: hashState(state),
      organizationId: user.organizationId,
      userId: user.id,
      elementKey: connector.key,
      draftEncrypted: stored.draft ? encrypt(JSON.stringify(stored.draft)) : null,
      codeVerifierEncrypted: verifier ? encrypt(verifier) : null,
      redirectUri: stored.redirectUri,
      instanceId: stored.instanceId,
      // The app's clock, like the expiry check that reads it.
      createdAt: new Date(),
    },
  });
  log("info", "oauth authorization started", {
    authorizationId: row.id,
    elementKey: connector.key,
    reconnect: stored.instanceId !== null,
    ownCallback: isOwnCallback(stored.redirectUri),
  });
  const redirectUrl = buildAuthorizeUrl(connector, {
    clientId: client.clientId,
    redirectUri: stored.redirectUri,
    state,
    codeChallenge: verifier ? codeChallengeS256(verifier) : undefined,
  });
  return { redirectUrl, authorizationId: row.id };
}

/**
 * Starts the browser flow. `body` is a Cloud Elements create body, validated with the same
 * `parseCreateInstanceBody` as the API (AppError 400 with field errors when it fails). With
 * `instanceId` it is a Reconnect of that instance instead: the body is ignored and the instance's own
 * client credentials and Callback URL are used.
 *
 * The consent URL's `redirect_uri` is the configuration's `oauth.callback.url`: Hookline's own callback
 * (what the form prefills) completes here; another app's URL receives the code itself and can send it
 * to `POST /instances` as `providerData.code`.
 */
export async function beginAuthorization(
  user: FlowUser,
  body: unknown,
  options: { instanceId?: number } = {},
): Promise<{ redirectUrl: string; authorizationId: string }> {
  if (options.instanceId !== undefined) {
    const instance = await getInstance({ organizationId: user.organizationId, userId: user.id }, options.instanceId);
    const connector = connectorFor(instance.elementKey);
    const { clientId, clientSecret, callbackUrl } = clientOf(fullConfiguration(instance));
    return startAuthorization(user, connector, { clientId, clientSecret }, { draft: null, instanceId: instance.id, redirectUri: callbackUrl });
  }

  const parsed = parseCreateInstanceBody(body, connectors);
  if (!parsed.ok) throw new AppError("bad_request", parsed.message, parsed.fieldErrors);
  const connector = requireOAuthConnector(parsed.connector);
  const { element, name, tags, configuration } = parsed.value;
  // Refused before the person goes through the provider's consent, not after it.
  await checkBeforeSave(connector, configuration, new Set(Object.keys(configuration)), parsed.sentAs);
  const { clientId, clientSecret, callbackUrl } = clientOf(configuration);
  const draft: Draft = { element, name, configuration, ...(tags ? { tags } : {}) };
  return startAuthorization(user, connector, { clientId, clientSecret }, { draft, instanceId: null, redirectUri: callbackUrl });
}

/** Whether a failed authorization still has what "Try again" needs: its draft (or instance), not expired. */
export function canRetry(row: OAuthAuthorization): boolean {
  return row.completedAt === null && (row.draftEncrypted !== null || row.instanceId !== null) && !isDraftExpired(row.createdAt);
}

/**
 * "Try again" after a failure: a new state (and verifier) for the kept draft, returned as a fresh
 * consent URL. The draft moves to the new authorization, so it is never stored twice.
 */
export async function retryAuthorization(user: FlowUser, authorizationId: string): Promise<{ redirectUrl: string; authorizationId: string }> {
  const gone = () =>
    new AppError("not_found", "That authorization can no longer be retried; start again from the connector's form.");
  if (!z.uuid().safeParse(authorizationId).success) throw gone();
  const row = await db().oAuthAuthorization.findFirst({ where: { id: authorizationId, userId: user.id, organizationId: user.organizationId } });
  if (!row || !canRetry(row)) throw gone();
  // A state still in play cannot be retried: its callback may yet arrive.
  if (!row.usedAt && !isStateExpired(row.createdAt)) throw gone();

  const connector = connectorFor(row.elementKey);
  if (row.instanceId !== null) return beginAuthorization(user, null, { instanceId: row.instanceId });

  const draft = JSON.parse(decrypt(row.draftEncrypted ?? "")) as Draft;
  const client = clientOf(draft.configuration);
  const started = await startAuthorization(user, connector, client, { draft, instanceId: null, redirectUri: row.redirectUri });
  await db().oAuthAuthorization.update({ where: { id: row.id }, data: { draftEncrypted: null } });
  return started;
}
