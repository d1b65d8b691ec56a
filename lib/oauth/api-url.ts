import { z } from "zod";
import { isHttpUrl } from "@/lib/connectors/schema";
import { getConnector } from "@/lib/connectors";
import { AppError } from "@/lib/errors";
import { fieldErrorsOf } from "@/lib/action-result";
import { buildAuthorizeUrl } from "@/lib/oauth/authorize-url";
import { requireOAuthConnector } from "@/lib/oauth/config";

const text = (name: string, max: number) =>
  z.string({ error: `${name} is required` }).trim().min(1, `${name} is required`).max(max, `${name} must be at most ${max} characters`);

/** The query of `GET /elements/{key}/oauth/url`, as Cloud Elements names it. */
const zOAuthUrlQuery = z.object({
  apiKey: text("apiKey", 4096),
  // Cloud Elements asks for it; the consent URL never carries it, so it is accepted and not used.
  apiSecret: z.string().max(4096).optional(),
  callbackUrl: text("callbackUrl", 4096).refine(isHttpUrl, "callbackUrl must be an http or https URL"),
  state: z.string().max(1024).optional(),
  scope: z.string().trim().max(2048).optional(),
});

/**
 * The API flow's first step: the provider's consent URL for the caller's own app registration and
 * callback. No state is stored: the caller's app receives the code and sends it to `POST /instances`
 * as `providerData.code`. No PKCE either, since that app would need our verifier for the exchange.
 */
export function oauthUrlForApi(keyOrAlias: string, query: URLSearchParams): { oauthUrl: string; element: string } {
  const found = getConnector(keyOrAlias);
  if (!found) throw new AppError("not_found", `No connector with key "${keyOrAlias.slice(0, 60)}".`);
  const connector = requireOAuthConnector(found);
  const parsed = zOAuthUrlQuery.safeParse(Object.fromEntries(query));
  if (!parsed.success) {
    const fieldErrors = fieldErrorsOf(parsed.error);
    throw new AppError("bad_request", `Invalid query: ${Object.keys(fieldErrors).join(", ")}`, fieldErrors);
  }
  const { apiKey, callbackUrl, state, scope } = parsed.data;
  const oauthUrl = buildAuthorizeUrl(connector, {
    clientId: apiKey,
    redirectUri: callbackUrl,
    state: state === "" ? undefined : state,
    scope: scope === "" ? undefined : scope,
  });
  return { oauthUrl, element: keyOrAlias };
}
