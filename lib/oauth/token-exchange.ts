import { z } from "zod";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { BodyTooLargeError, readBody, withDeadline } from "@/lib/net/deadline";
import { oauthUrls, type ClientCredentials, type OAuthConnector } from "@/lib/oauth/config";

/** Tokens as Hookline keeps them. `expiresAt` is null when the provider's tokens do not expire. */
export type TokenSet = { accessToken: string; refreshToken: string | null; expiresAt: Date | null };

/**
 * - `rejected`: the provider said no (4xx, or an `error` in the answer): retrying the same request will not help.
 * - `unavailable`: 5xx, a redirect, or no connection: the provider's problem, retry later.
 * - `timeout`: no complete answer within `HOOKLINE_OAUTH_TIMEOUT_MS`.
 * - `invalid_response`: a 2xx that is not a usable token (or account) answer.
 */
export type TokenFailureKind = "rejected" | "unavailable" | "timeout" | "invalid_response";

/** Which call failed: the token endpoint, or the account lookup made right after it (MailChimp). */
export type TokenFailureStep = "token" | "account";

/**
 * A failed call to a provider's OAuth endpoint. It carries only what is safe to show: the HTTP status,
 * the provider's `error` code (checked to be a plain token), and its `error_description` with every
 * secret of the request cut out and shortened. Never the raw body.
 */
export class TokenRequestError extends Error {
  constructor(
    readonly kind: TokenFailureKind,
    readonly step: TokenFailureStep,
    readonly detail: { status?: number; providerError?: string; providerDescription?: string } = {},
  ) {
    super(`OAuth ${step} request failed: ${kind}${detail.status ? ` (HTTP ${detail.status})` : ""}`);
    this.name = "TokenRequestError";
  }
}

const MAX_RESPONSE_BYTES = 64 * 1024;

const zTokenResponse = z.object({
  access_token: z.string().min(1).max(8192),
  refresh_token: z.string().min(1).max(8192).nullish(),
  // Some providers send numbers as strings.
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).nullish(),
});

const zErrorResponse = z.object({ error: z.unknown(), error_description: z.unknown().optional() });

/** Known RFC 6749 §5.2 codes, said plainly. */
const ERROR_MEANINGS: Record<string, string> = {
  invalid_grant:
    "the authorization code (or refresh token) is invalid, expired, already used, or was issued for another Callback URL",
  invalid_client: "it did not accept the Client ID or Client Secret",
  unauthorized_client: "this app is not allowed to use this kind of authorization",
  invalid_request: "it considered the request malformed",
  unsupported_grant_type: "it does not support this kind of authorization",
  invalid_scope: "it did not accept the requested scopes",
};

/** A provider error code is shown only when it looks like one; anything else could be injected text. */
export function safeErrorCode(value: unknown): string | undefined {
  return typeof value === "string" && /^[A-Za-z0-9_.-]{1,64}$/.test(value) ? value : undefined;
}

/**
 * The provider's `error_description`, fit to show an API client: control characters flattened, every
 * secret sent in the request (code, client secret, refresh token, verifier) replaced, at most 200
 * characters. Some providers echo what they were sent, so this is never skipped.
 */
export function sanitizeDescription(value: unknown, secrets: readonly string[]): string | undefined {
  if (typeof value !== "string") return undefined;
  let text = value.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  for (const secret of secrets) {
    if (secret.length >= 4) text = text.split(secret).join("[redacted]");
  }
  if (text.length > 200) text = `${text.slice(0, 200)}…`;
  return text === "" ? undefined : text;
}

function timeoutMs(): number {
  return env().HOOKLINE_OAUTH_TIMEOUT_MS;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || (error.cause instanceof Error && error.cause.name === "TimeoutError"));
}

/**
 * One request to an OAuth endpoint with the timeout covering the whole answer (headers and body).
 * Redirects are not followed: a token endpoint that redirects is misconfigured, and following it could
 * carry the client secret to another host.
 */
export async function providerRequest(
  url: string,
  init: { method: "GET" | "POST"; headers: Record<string, string>; body?: URLSearchParams },
  step: TokenFailureStep,
): Promise<{ status: number; text: string }> {
  try {
    return await withDeadline(timeoutMs(), async (signal) => {
      const response = await fetch(url, { ...init, redirect: "manual", cache: "no-store", signal });
      // An answer over the cap is read no further and treated as an empty one (not JSON: refused).
      const body = await readBody(response, signal, MAX_RESPONSE_BYTES).catch((error: unknown) => {
        if (error instanceof BodyTooLargeError) return Buffer.alloc(0);
        throw error;
      });
      return { status: response.status, text: body.toString("utf8") };
    });
  } catch (error) {
    throw new TokenRequestError(isTimeout(error) ? "timeout" : "unavailable", step);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function failureFrom(status: number, json: unknown, secrets: readonly string[], step: TokenFailureStep): TokenRequestError {
  const parsed = zErrorResponse.safeParse(json);
  const detail = {
    status,
    providerError: parsed.success ? safeErrorCode(parsed.data.error) : undefined,
    providerDescription: parsed.success ? sanitizeDescription(parsed.data.error_description, secrets) : undefined,
  };
  return new TokenRequestError(status >= 500 || (status >= 300 && status < 400) ? "unavailable" : "rejected", step, detail);
}

/** Turns a token endpoint's answer into tokens, or the error that says what went wrong. */
export function readTokenResponse(
  connector: OAuthConnector,
  status: number,
  text: string,
  secrets: readonly string[],
  now: Date = new Date(),
): TokenSet {
  const json = parseJson(text);
  if (status < 200 || status >= 300) throw failureFrom(status, json, secrets, "token");
  // A few providers answer 200 with an `error` member.
  if (json !== null && typeof json === "object" && "error" in json) throw failureFrom(400, json, secrets, "token");
  const parsed = zTokenResponse.safeParse(json);
  if (!parsed.success) throw new TokenRequestError("invalid_response", "token", { status });
  const { access_token, refresh_token, expires_in } = parsed.data;
  // MailChimp answers `expires_in: 0` for "never"; a provider that expires tokens but omits it is
  // treated the same, since there is nothing to schedule a refresh by.
  const expiresAt =
    connector.auth.tokensExpire && typeof expires_in === "number" && expires_in > 0
      ? new Date(now.getTime() + expires_in * 1000)
      : null;
  return { accessToken: access_token, refreshToken: refresh_token ?? null, expiresAt };
}

async function tokenRequest(
  connector: OAuthConnector,
  client: ClientCredentials,
  params: Record<string, string>,
  secrets: readonly string[],
): Promise<TokenSet> {
  const body = new URLSearchParams(params);
  const headers: Record<string, string> = {
    accept: "application/json",
    "content-type": "application/x-www-form-urlencoded",
  };
  if (connector.auth.clientAuth === "basic") {
    // Sent as typed, not form-encoded first (RFC 6749 §2.3.1 says encode): the providers' own client
    // libraries do not encode, and their IDs and secrets are plain tokens either way.
    headers.authorization = `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString("base64")}`;
  } else {
    body.set("client_id", client.clientId);
    body.set("client_secret", client.clientSecret);
  }
  const { status, text } = await providerRequest(oauthUrls(connector).token, { method: "POST", headers, body }, "token");
  return readTokenResponse(connector, status, text, [client.clientSecret, ...secrets]);
}

/** Exchanges an authorization code (RFC 6749 §4.1.3), with the PKCE verifier when the flow used one. */
export async function exchangeCode(
  connector: OAuthConnector,
  client: ClientCredentials,
  grant: { code: string; redirectUri: string; codeVerifier?: string },
): Promise<TokenSet> {
  const params: Record<string, string> = {
    grant_type: "authorization_code",
    code: grant.code,
    redirect_uri: grant.redirectUri,
  };
  if (grant.codeVerifier) params.code_verifier = grant.codeVerifier;
  return tokenRequest(connector, client, params, [grant.code, grant.codeVerifier ?? ""]);
}

/** Uses a refresh token (RFC 6749 §6). The answer may carry a new refresh token, which then replaces it. */
export async function refreshTokens(
  connector: OAuthConnector,
  client: ClientCredentials,
  refreshToken: string,
): Promise<TokenSet> {
  return tokenRequest(connector, client, { grant_type: "refresh_token", refresh_token: refreshToken }, [refreshToken]);
}

/**
 * One sentence on what failed, for people and API clients. `withProviderText` adds the provider's
 * sanitized description (the API does; the callback page does not, since it renders in a browser).
 */
export function describeTokenError(
  providerName: string,
  error: TokenRequestError,
  { withProviderText = false }: { withProviderText?: boolean } = {},
): string {
  const { status, providerError, providerDescription } = error.detail;
  const what = error.step === "account" ? `${providerName}'s account lookup` : `${providerName}'s token endpoint`;
  switch (error.kind) {
    case "rejected": {
      const code = providerError ? ` (${providerError})` : status ? ` (HTTP ${status})` : "";
      const meaning = (providerError && ERROR_MEANINGS[providerError]) ?? "it refused the request";
      const said = withProviderText && providerDescription ? ` ${providerName} said: "${providerDescription}"` : "";
      return `${providerName} rejected the request${code}: ${meaning}.${said}`;
    }
    case "unavailable":
      return status
        ? `${what} failed with HTTP ${status}; the problem is on ${providerName}'s side.`
        : `${what} could not be reached.`;
    case "timeout":
      return `${what} did not answer within ${Math.round(timeoutMs() / 100) / 10} s.`;
    case "invalid_response":
      return `${what} answered with something Hookline could not use${error.step === "token" ? " as a token" : ""}.`;
  }
}

/** The API's answer to a failed exchange: 400 when the provider refused, 502 when it failed. */
export function tokenErrorToAppError(providerName: string, error: TokenRequestError): AppError {
  const message = describeTokenError(providerName, error, { withProviderText: true });
  return new AppError(error.kind === "rejected" ? "bad_request" : "bad_gateway", message);
}
