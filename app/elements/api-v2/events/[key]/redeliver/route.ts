import { apiRoute, json } from "@/lib/api/handler";
import { redeliverEvent } from "@/lib/events/service";

export const dynamic = "force-dynamic";

// `key` holds the event id (see ../route.ts for why the segment has that name).
type Params = { key: string };

// POST /elements/api-v2/events/{id}/redeliver – send one event again now (manual: even if delivery is disabled)
export const POST = apiRoute<Params>(async (_request, { actor, tokenInstance, params }) => {
  return json(await redeliverEvent(actor, params.key, { instanceId: tokenInstance?.id }), 202);
});
