import { apiRoute, instanceIdParam, json } from "@/lib/api/handler";
import { readJsonBody } from "@/lib/api/body";
import { deleteInstance, getInstance, updateInstance } from "@/lib/instances/service";
import { toApiInstanceWithLane } from "@/lib/instances/view";

export const dynamic = "force-dynamic";

type Params = { id: string };

// GET /elements/api-v2/instances/{id} – one instance, secrets masked
export const GET = apiRoute<Params>(async (_request, { actor, tokenInstance, params }) => {
  const instance = await getInstance(actor, instanceIdParam(params.id, tokenInstance));
  return json(await toApiInstanceWithLane(instance));
});

// PATCH /elements/api-v2/instances/{id} – merge configuration, replace name and tags
export const PATCH = apiRoute<Params>(async (request, { actor, tokenInstance, params }) => {
  const id = instanceIdParam(params.id, tokenInstance);
  const body = await readJsonBody(request);
  return json(await toApiInstanceWithLane(await updateInstance(actor, id, body)));
});

// DELETE /elements/api-v2/instances/{id} – delete the instance
export const DELETE = apiRoute<Params>(async (_request, { actor, tokenInstance, params }) => {
  await deleteInstance(actor, instanceIdParam(params.id, tokenInstance));
  return json({});
});
