import { apiRoute, instanceIdParam, json } from "@/lib/api/handler";
import { resumeDelivery } from "@/lib/events/service";
import { toApiInstanceWithLane } from "@/lib/instances/view";
import { getInstance } from "@/lib/instances/service";

export const dynamic = "force-dynamic";

type Params = { id: string };

// POST /elements/api-v2/instances/{id}/delivery/resume – close the circuit breaker (and a 410's pause) now
export const POST = apiRoute<Params>(async (_request, { actor, tokenInstance, params }) => {
  const id = instanceIdParam(params.id, tokenInstance);
  await resumeDelivery(actor, id);
  return json(await toApiInstanceWithLane(await getInstance(actor, id)));
});
