import { apiRoute, instanceIdParam, json } from "@/lib/api/handler";
import { listInstanceEvents } from "@/lib/events/service";

export const dynamic = "force-dynamic";

type Params = { id: string };

// GET /elements/api-v2/instances/{id}/events – the instance's events, newest first (?pageSize=&nextPage=&status=);
// the next page's token is in the `elements-next-page-token` header, as Cloud Elements lists do
export const GET = apiRoute<Params>(async (request, { actor, tokenInstance, params }) => {
  const search = new URL(request.url).searchParams;
  const page = await listInstanceEvents(actor, instanceIdParam(params.id, tokenInstance), {
    pageSize: search.get("pageSize") ?? undefined,
    nextPage: search.get("nextPage") || undefined,
    status: search.get("status") || undefined,
  });
  return json(page.events, 200, page.nextPage ? { "elements-next-page-token": page.nextPage } : {});
});
