import type { Configuration } from "@/lib/connectors/schema";
import type { Connector, OAuth2Config } from "@/lib/connectors/types";
import { providerUrl } from "@/lib/env";
import { AppError } from "@/lib/errors";

/** A connector known to use OAuth 2, with its config at hand. */
export type OAuthConnector = Connector & { auth: OAuth2Config };

export function isOAuthConnector(connector: Connector): connector is OAuthConnector {
  return connector.auth.type === "oauth2";
}

export function requireOAuthConnector(connector: Connector): OAuthConnector {
  if (!isOAuthConnector(connector)) {
    throw new AppError("bad_request", `${connector.name} does not use OAuth 2; create its instance with its credentials.`);
  }
  return connector;
}

/** The provider endpoints, resolved per call so `HOOKLINE_<KEY>_<NAME>_URL` overrides apply at once. */
export function oauthUrls(connector: OAuthConnector) {
  const { urls } = connector.auth;
  return {
    authorize: providerUrl(connector.key, "authorize", urls.authorize),
    token: providerUrl(connector.key, "token", urls.token),
    metadata: urls.metadata ? providerUrl(connector.key, "metadata", urls.metadata) : undefined,
  };
}

export type ClientCredentials = { clientId: string; clientSecret: string };

/** The app registration an OAuth instance's configuration holds (canonical API names). */
export function clientOf(configuration: Configuration): ClientCredentials & { callbackUrl: string } {
  const clientId = configuration["oauth.api.key"];
  const clientSecret = configuration["oauth.api.secret"];
  const callbackUrl = configuration["oauth.callback.url"];
  if (typeof clientId !== "string" || typeof clientSecret !== "string" || typeof callbackUrl !== "string") {
    // The create schema requires all three, so this only happens to a hand-edited row.
    throw new AppError("bad_request", "The instance lacks its Client ID, Client Secret or Callback URL.");
  }
  return { clientId, clientSecret, callbackUrl };
}

/**
 * The provider's API base for an instance: `HOOKLINE_<KEY>_API_URL` when set, else what the account
 * lookup returned (MailChimp's `api_endpoint`, without `/3.0`), else the connector file's default.
 */
export function providerApiUrl(connector: OAuthConnector, providerAccount: unknown): string | undefined {
  const account = providerAccount !== null && typeof providerAccount === "object" ? (providerAccount as Record<string, unknown>) : {};
  const fromAccount = typeof account.api_endpoint === "string" ? account.api_endpoint : undefined;
  return providerUrl(connector.key, "api", fromAccount ?? connector.auth.urls.api ?? "") || undefined;
}
