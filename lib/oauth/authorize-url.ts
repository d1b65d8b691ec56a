import { oauthUrls, type OAuthConnector } from "@/lib/oauth/config";

export type AuthorizeUrlInput = {
  clientId: string;
  redirectUri: string;
  state?: string;
  /** Overrides the connector's scopes (the API's `scope` parameter), sent as given. */
  scope?: string;
  /** S256 challenge; only for connectors (and flows) that use PKCE. */
  codeChallenge?: string;
};

/**
 * The provider's consent URL. Provider quirks come from the connector file: Campaign Monitor's
 * `type=web_server` and comma-separated scopes, Hootsuite's `offline` scope, MailChimp's none.
 * `response_type=code` is always sent: RFC 6749 requires it and providers that predate it ignore it.
 */
export function buildAuthorizeUrl(connector: OAuthConnector, input: AuthorizeUrlInput): string {
  const { auth } = connector;
  const url = new URL(oauthUrls(connector).authorize);
  for (const [name, value] of Object.entries(auth.extraAuthorizeParams ?? {})) url.searchParams.set(name, value);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", input.clientId);
  url.searchParams.set("redirect_uri", input.redirectUri);
  const scope = input.scope ?? auth.scopes.join(auth.scopeSeparator);
  if (scope !== "") url.searchParams.set("scope", scope);
  if (input.state !== undefined) url.searchParams.set("state", input.state);
  if (input.codeChallenge !== undefined) {
    url.searchParams.set("code_challenge", input.codeChallenge);
    url.searchParams.set("code_challenge_method", "S256");
  }
  return url.toString();
}
