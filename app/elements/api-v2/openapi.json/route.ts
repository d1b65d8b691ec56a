import { json } from "@/lib/api/handler";
import { openApiDocument } from "@/lib/api/openapi";
import { publicUrl } from "@/lib/env";

export const dynamic = "force-dynamic";

// GET /elements/api-v2/openapi.json – the OpenAPI 3.1 description of this API (public)
export function GET(): Response {
  return json(openApiDocument(publicUrl()));
}
