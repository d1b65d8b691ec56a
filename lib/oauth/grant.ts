import type { CreateInstanceBody } from "@/lib/connectors/schema";
import type { Connector } from "@/lib/connectors/types";
import { encrypt } from "@/lib/crypto/secrets";
import { Prisma } from "@/lib/generated/prisma/client";
import { log } from "@/lib/log";
import { lookupAccount, type ProviderAccount } from "@/lib/oauth/account";
import { clientOf, isOAuthConnector, type ClientCredentials, type OAuthConnector } from "@/lib/oauth/config";
import { exchangeCode, TokenRequestError, tokenErrorToAppError, type TokenSet } from "@/lib/oauth/token-exchange";

/** Everything an authorization yields: tokens, plus the account lookup's answer where there is one. */
export type OAuthGrant = TokenSet & { account: ProviderAccount | null };

/** Exchanges a code and, for connectors that need it, looks the account up (MailChimp's data center). */
export async function obtainGrant(
  connector: OAuthConnector,
  client: ClientCredentials,
  request: { code: string; redirectUri: string; codeVerifier?: string },
): Promise<OAuthGrant> {
  const tokens = await exchangeCode(connector, client, request);
  const account = await lookupAccount(connector, tokens.accessToken);
  return { ...tokens, account };
}

/** The `instances` columns a grant sets: encrypted tokens, expiry, account, and the instance is usable. */
export function grantColumns(grant: OAuthGrant) {
  return {
    status: "ACTIVE" as const,
    accessTokenEncrypted: encrypt(grant.accessToken),
    refreshTokenEncrypted: grant.refreshToken ? encrypt(grant.refreshToken) : null,
    tokenExpiresAt: grant.expiresAt,
    providerAccount: grant.account ? (grant.account as Prisma.InputJsonObject) : Prisma.DbNull,
    authError: null,
  };
}

/**
 * The API flow: a `POST /instances` body with `providerData.code` for an OAuth connector has its code
 * exchanged here, before anything is stored, with `redirect_uri` = the body's `oauth.callback.url` (the
 * address the code was sent to). Undefined when there is nothing to exchange. A failed exchange throws
 * an AppError: 400 when the provider refused, 502 when it failed or timed out.
 */
export async function exchangeCodeForInstance(connector: Connector, body: CreateInstanceBody): Promise<OAuthGrant | undefined> {
  const code = body.providerData?.code;
  if (!code || !isOAuthConnector(connector)) return undefined;
  const { clientId, clientSecret, callbackUrl } = clientOf(body.configuration);
  try {
    return await obtainGrant(connector, { clientId, clientSecret }, { code, redirectUri: callbackUrl });
  } catch (error) {
    if (!(error instanceof TokenRequestError)) throw error;
    log("warn", "oauth code exchange failed", { flow: "api", elementKey: connector.key, kind: error.kind, step: error.step, status: error.detail.status, providerError: error.detail.providerError });
    throw tokenErrorToAppError(connector.name, error);
  }
}
