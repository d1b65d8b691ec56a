import { apiRoute, instanceIdParam, json } from "@/lib/api/handler";
import { redeliverFailedEvents } from "@/lib/events/service";

export const dynamic = "force-dynamic";

type Params = { id: string };

// POST /elements/api-v2/instances/{id}/events/redeliver – send every DEAD or DISABLED event again (≤ 1000 a call)
export const POST = apiRoute<Params>(async (_request, { actor, tokenInstance, params }) => {
  return json(await redeliverFailedEvents(actor, instanceIdParam(params.id, tokenInstance)), 202);
});
