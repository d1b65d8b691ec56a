import { apiRoute, instanceIdParam, json } from "@/lib/api/handler";
import { toApiInstanceWithLane } from "@/lib/instances/view";
import { rotateWebhookSecret } from "@/lib/instances/webhook-secret";

export const dynamic = "force-dynamic";

type Params = { id: string };

// POST /elements/api-v2/instances/{id}/webhook-url/rotate – a new webhook URL secret: the old URL is
// refused at once, and the webhooks registered at the provider move to the new one (see `subscription`)
export const POST = apiRoute<Params>(async (_request, { actor, tokenInstance, params }) => {
  const id = instanceIdParam(params.id, tokenInstance);
  return json(await toApiInstanceWithLane(await rotateWebhookSecret(actor, id)));
});
