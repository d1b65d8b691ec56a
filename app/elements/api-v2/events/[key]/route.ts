import { apiRoute, json } from "@/lib/api/handler";
import { getEvent } from "@/lib/events/service";

export const dynamic = "force-dynamic";

// The segment is named `key` because it is a sibling of the ingest route's `events/[key]/[id]` (Next
// requires one name per level); here it holds an event id.
type Params = { key: string };

// GET /elements/api-v2/events/{id} – one event (by id or eventId) with its notification and attempts
export const GET = apiRoute<Params>(async (_request, { actor, tokenInstance, params }) => {
  return json(await getEvent(actor, params.key, { instanceId: tokenInstance?.id }));
});
