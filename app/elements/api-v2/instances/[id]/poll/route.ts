import { apiRoute, instanceIdParam, json } from "@/lib/api/handler";
import { pollNow } from "@/lib/instances/service";
import { toApiInstanceWithLane } from "@/lib/instances/view";

export const dynamic = "force-dynamic";

type Params = { id: string };

// POST /elements/api-v2/instances/{id}/poll – poll now (202: due at once; the worker runs it); 409 if it does not poll
export const POST = apiRoute<Params>(async (_request, { actor, tokenInstance, params }) => {
  const instance = await pollNow(actor, instanceIdParam(params.id, tokenInstance));
  return json(await toApiInstanceWithLane(instance), 202);
});
