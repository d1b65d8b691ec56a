import { getConnector } from "@/lib/connectors";
import { decrypt, encrypt } from "@/lib/crypto/secrets";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { fullConfiguration } from "@/lib/instances/service";
import { log } from "@/lib/log";
import { clientOf, isOAuthConnector } from "@/lib/oauth/config";
import { describeTokenError, refreshTokens, TokenRequestError } from "@/lib/oauth/token-exchange";

/** Tokens are refreshed this long before they expire, so a call never starts with one about to lapse. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * How long one refresh may hold its row lock. Covers the token request's own timeout (10 s by
 * default) plus waiting behind another process's refresh of the same instance.
 */
const REFRESH_TRANSACTION_MS = 45_000;

export type RefreshOutcome =
  | { kind: "fresh"; accessToken: string }
  | { kind: "refreshed"; accessToken: string }
  /** The provider refused the refresh token: the instance now needs re-authorization. */
  | { kind: "needs_reauthorization"; message: string };

function isDue(expiresAt: Date | null, now: number): boolean {
  return expiresAt !== null && expiresAt.getTime() - now <= REFRESH_MARGIN_MS;
}

function reauthorizationError(providerName: string): AppError {
  return new AppError(
    "conflict",
    `This instance needs re-authorization: ${providerName} no longer accepts its tokens. Reconnect it from its page.`,
  );
}

/**
 * Refreshes an instance's tokens under a row lock (`SELECT … FOR UPDATE`), so that across every
 * process exactly one refresh runs per expiry: whoever waits on the lock re-reads the row afterwards
 * and finds the new token. The new refresh token is stored each time (Hootsuite's are single-use).
 *
 * A refusal (4xx, e.g. `invalid_grant`) marks the instance NEEDS_REAUTHORIZATION with a summary of
 * why. A provider outage or timeout changes nothing and throws a 502, to be retried later.
 */
export async function refreshInstanceTokens(instanceId: number, { force = false }: { force?: boolean } = {}): Promise<RefreshOutcome> {
  const outcome = await db().$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT id FROM instances WHERE id = ${instanceId} FOR UPDATE`;
      const instance = await tx.instance.findUnique({ where: { id: instanceId } });
      if (!instance) throw new AppError("not_found", "No instance with that id.");
      const connector = getConnector(instance.elementKey);
      if (!connector || !isOAuthConnector(connector)) throw new AppError("bad_request", "This instance does not use OAuth 2.");
      if (instance.status === "NEEDS_REAUTHORIZATION") {
        return { kind: "needs_reauthorization" as const, message: instance.authError ?? reauthorizationError(connector.name).message };
      }
      if (!instance.accessTokenEncrypted) throw new AppError("conflict", `This instance is not authorized at ${connector.name} yet.`);
      // Someone else refreshed while this call waited for the lock.
      if (!force && !isDue(instance.tokenExpiresAt, Date.now())) {
        return { kind: "fresh" as const, accessToken: decrypt(instance.accessTokenEncrypted) };
      }

      const markNeedsReauthorization = async (message: string) => {
        await tx.instance.update({ where: { id: instance.id }, data: { status: "NEEDS_REAUTHORIZATION", authError: message } });
        log("warn", "oauth refresh refused; instance needs re-authorization", { instanceId: instance.id, elementKey: connector.key });
        return { kind: "needs_reauthorization" as const, message };
      };
      if (!instance.refreshTokenEncrypted) {
        return markNeedsReauthorization(`${connector.name} gave no refresh token, so the expired access token cannot be renewed.`);
      }

      try {
        const client = clientOf(fullConfiguration(instance));
        const tokens = await refreshTokens(connector, client, decrypt(instance.refreshTokenEncrypted));
        await tx.instance.update({
          where: { id: instance.id },
          data: {
            accessTokenEncrypted: encrypt(tokens.accessToken),
            // Single-use refresh tokens come back new each time; a provider that sends none keeps the old one valid.
            ...(tokens.refreshToken ? { refreshTokenEncrypted: encrypt(tokens.refreshToken) } : {}),
            tokenExpiresAt: tokens.expiresAt,
            authError: null,
          },
        });
        log("info", "oauth tokens refreshed", { instanceId: instance.id, elementKey: connector.key, expiresAt: tokens.expiresAt?.toISOString() ?? null });
        return { kind: "refreshed" as const, accessToken: tokens.accessToken };
      } catch (error) {
        if (!(error instanceof TokenRequestError)) throw error;
        log("warn", "oauth refresh failed", { instanceId: instance.id, elementKey: connector.key, kind: error.kind, status: error.detail.status, providerError: error.detail.providerError });
        if (error.kind === "rejected") return markNeedsReauthorization(describeTokenError(connector.name, error));
        throw new AppError("bad_gateway", describeTokenError(connector.name, error));
      }
    },
    { timeout: REFRESH_TRANSACTION_MS, maxWait: 10_000 },
  );
  return outcome;
}

/**
 * The access token to call the provider with, refreshed first when it expires within
 * {@link REFRESH_MARGIN_MS}. For code that uses an instance (webhook registration, API calls).
 * Throws AppError 409 when the instance needs re-authorization (or was never authorized), 502 when the
 * provider could not be reached to refresh.
 */
export async function accessTokenFor(instanceId: number): Promise<string> {
  const instance = await db().instance.findUnique({
    where: { id: instanceId },
    select: { elementKey: true, status: true, accessTokenEncrypted: true, tokenExpiresAt: true },
  });
  if (!instance) throw new AppError("not_found", "No instance with that id.");
  const providerName = getConnector(instance.elementKey)?.name ?? instance.elementKey;
  if (instance.status === "NEEDS_REAUTHORIZATION") throw reauthorizationError(providerName);
  if (!instance.accessTokenEncrypted) throw new AppError("conflict", `This instance is not authorized at ${providerName} yet.`);
  if (!isDue(instance.tokenExpiresAt, Date.now())) return decrypt(instance.accessTokenEncrypted);

  const outcome = await refreshInstanceTokens(instanceId);
  if (outcome.kind === "needs_reauthorization") throw reauthorizationError(providerName);
  return outcome.accessToken;
}
