import { json } from "@/lib/api/handler";

export const dynamic = "force-dynamic";

// Any other path under /elements/api-v2: a JSON 404 that says where the endpoints are listed, instead
// of the console's HTML "not found" page (API clients read `message`).
function notFound(request: Request): Response {
  const path = new URL(request.url).pathname;
  return json({ message: `No API endpoint at ${path}; the endpoints are listed at /elements/api-v2/openapi.json.` }, 404);
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
