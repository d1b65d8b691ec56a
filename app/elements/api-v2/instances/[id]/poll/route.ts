import { apiRoute, instanceIdParam, json } from "@/lib/api/handler";
import { readJsonBody } from "@/lib/api/body";
import { AppError } from "@/lib/errors";
import { pollNow } from "@/lib/instances/service";
import { toApiInstanceWithLane } from "@/lib/instances/view";
import { firstIssue, pollBodySchema } from "@/lib/polling/history";

export const dynamic = "force-dynamic";

type Params = { id: string };

/** No body, or `{ "since": "<ISO date-time>" }` (lib/polling/history.ts). */
async function sinceOf(request: Request): Promise<Date | undefined> {
  const hasBody = request.headers.get("content-length") !== "0" && (request.headers.get("content-type") ?? "") !== "";
  if (!hasBody) return undefined;
  const parsed = pollBodySchema.safeParse(await readJsonBody(request));
  if (!parsed.success) throw new AppError("bad_request", firstIssue(parsed.error));
  return parsed.data.since;
}

// POST /elements/api-v2/instances/{id}/poll – poll now (202: due at once; the worker runs it); with { since }, history
// from then; 409 if the instance does not poll
export const POST = apiRoute<Params>(async (request, { actor, tokenInstance, params }) => {
  const id = instanceIdParam(params.id, tokenInstance);
  const instance = await pollNow(actor, id, await sinceOf(request));
  return json(await toApiInstanceWithLane(instance), 202);
});
