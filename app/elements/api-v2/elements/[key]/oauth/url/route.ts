import { apiRoute, json } from "@/lib/api/handler";
import { oauthUrlForApi } from "@/lib/oauth/api-url";

export const dynamic = "force-dynamic";

// GET /elements/api-v2/elements/{key}/oauth/url – the provider's consent URL (?apiKey&apiSecret&callbackUrl[&state][&scope])
export const GET = apiRoute<{ key: string }>(async (request, { params }) => {
  return json(oauthUrlForApi(params.key, new URL(request.url).searchParams));
});
