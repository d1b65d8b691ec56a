import { readBodyBytes } from "@/lib/api/body";
import { errorResponse } from "@/lib/api/handler";
import { remoteAddressOf, urlSecretOf } from "@/lib/ingest/http";
import { ingestWebhook } from "@/lib/ingest/ingest";

export const dynamic = "force-dynamic";

type RouteContext = { params: Promise<{ key: string; id: string }> };

// The same endpoint as the custom server's fast path (lib/ingest/http.ts), for when Next.js runs alone.
// No socket address here: an instance with an IP allow-list only accepts through a trusted proxy.
async function ingest(request: Request, context: RouteContext): Promise<Response> {
  const { key, id } = await context.params;
  let body: Buffer;
  try {
    body = await readBodyBytes(request);
  } catch (error) {
    return errorResponse(error, crypto.randomUUID());
  }
  const headers = Object.fromEntries(request.headers);
  const result = await ingestWebhook({
    elementKey: key,
    encodedId: id,
    urlSecret: urlSecretOf(new URL(request.url).searchParams),
    method: request.method,
    headers,
    body,
    contentType: headers["content-type"] ?? "",
    remoteAddress: remoteAddressOf(undefined, headers["x-forwarded-for"]),
  });
  return new Response(request.method === "HEAD" ? null : result.body, { status: result.status, headers: result.headers });
}

// POST /elements/api-v2/events/{elementKey}/{base64 instance id}?k={URL secret} – a provider's webhook
export const POST = ingest;

// GET /elements/api-v2/events/{elementKey}/{base64 instance id} – a provider's URL check (MailChimp)
export const GET = ingest;
