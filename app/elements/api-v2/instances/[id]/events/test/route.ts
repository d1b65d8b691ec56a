import { apiRoute, instanceIdParam, json } from "@/lib/api/handler";
import { sendTestEvent } from "@/lib/events/service";

export const dynamic = "force-dynamic";

type Params = { id: string };

// POST /elements/api-v2/instances/{id}/events/test – deliver a test event to the instance's callback URL
export const POST = apiRoute<Params>(async (_request, { actor, tokenInstance, params }) => {
  return json(await sendTestEvent(actor, instanceIdParam(params.id, tokenInstance)), 202);
});
