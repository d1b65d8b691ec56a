import { apiRoute, json } from "@/lib/api/handler";
import { readJsonBody } from "@/lib/api/body";
import { createInstance, listInstances } from "@/lib/instances/service";
import { toApiInstanceWithLane, toApiInstances } from "@/lib/instances/view";

export const dynamic = "force-dynamic";

// GET /elements/api-v2/instances – the organization's instances (?elementKey=…&tags[]=…)
export const GET = apiRoute(async (request, { actor, tokenInstance }) => {
  const search = new URL(request.url).searchParams;
  const instances = await listInstances(actor, {
    elementKey: search.get("elementKey") ?? undefined,
    tag: search.get("tags[]") ?? search.get("tag") ?? undefined,
    instanceId: tokenInstance?.id,
  });
  return json(await toApiInstances(instances));
});

// POST /elements/api-v2/instances – create an instance from a Cloud Elements body
export const POST = apiRoute(async (request, { actor }) => {
  const body = await readJsonBody(request);
  const { instance, token, signatureKey } = await createInstance(actor, body);
  return json(await toApiInstanceWithLane(instance, { token, signatureKey }));
});
