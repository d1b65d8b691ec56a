import { OAuth2Server } from "oauth2-mock-server";

/**
 * Where e2e/oauth.spec.ts runs its real OAuth 2 authorization server (oauth2-mock-server): the port
 * after the app's own unless E2E_OAUTH_PORT says otherwise. playwright.config.ts points the app's
 * Campaign Monitor endpoints here, so both sides must agree on it.
 */
export function oauthMockPort(): number {
  return Number(process.env.E2E_OAUTH_PORT ?? Number(process.env.E2E_PORT ?? 3210) + 1);
}

export function oauthMockUrl(): string {
  return `http://127.0.0.1:${oauthMockPort()}`;
}

/**
 * Starts a real OAuth 2 authorization server (oauth2-mock-server) where playwright.config.ts points
 * the three OAuth connectors. Its userinfo endpoint answers as MailChimp's metadata endpoint does.
 */
export async function startOAuthProvider(): Promise<OAuth2Server> {
  const server = new OAuth2Server();
  await server.issuer.keys.generate("RS256");
  await server.start(oauthMockPort(), "127.0.0.1");
  server.service.on("beforeUserinfo", (response: { body: Record<string, unknown> }) => {
    response.body = { dc: "us1", api_endpoint: "https://us1.api.mailchimp.test", accountname: "E2E", user_id: 1, login_url: "https://login.mailchimp.test" };
  });
  return server;
}
