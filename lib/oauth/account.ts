import { oauthUrls, type OAuthConnector } from "@/lib/oauth/config";
import { providerRequest, TokenRequestError } from "@/lib/oauth/token-exchange";

/** What the provider said about the connected account, e.g. MailChimp's `{ dc, api_endpoint, … }`. */
export type ProviderAccount = Record<string, string>;

/**
 * The connector's account lookup (MailChimp's `/oauth2/metadata`), made once after the code exchange.
 * Null for connectors without one. Fails like a token request when the lookup fails or lacks a
 * required field, since the instance could not be used without it.
 */
export async function lookupAccount(connector: OAuthConnector, accessToken: string): Promise<ProviderAccount | null> {
  const lookup = connector.auth.accountLookup;
  const url = oauthUrls(connector).metadata;
  if (!lookup || !url) return null;

  const { status, text } = await providerRequest(
    url,
    { method: "GET", headers: { accept: "application/json", authorization: `${lookup.authScheme} ${accessToken}` } },
    "account",
  );
  if (status < 200 || status >= 300) {
    throw new TokenRequestError(status >= 500 || status < 400 ? "unavailable" : "rejected", "account", { status });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TokenRequestError("invalid_response", "account", { status });
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new TokenRequestError("invalid_response", "account", { status });
  }

  const account: ProviderAccount = {};
  for (const field of lookup.fields) {
    const value: unknown = (json as Record<string, unknown>)[field];
    if (typeof value === "string" || typeof value === "number") account[field] = String(value).slice(0, 500);
  }
  if (lookup.required.some((field) => !account[field])) {
    throw new TokenRequestError("invalid_response", "account", { status });
  }
  return account;
}
