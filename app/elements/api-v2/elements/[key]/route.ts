import { apiRoute, json } from "@/lib/api/handler";
import { getConnector } from "@/lib/connectors";
import { describeConnector } from "@/lib/connectors/describe";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

// GET /elements/api-v2/elements/{key} – one connector (key or alias) with its parameter rows
export const GET = apiRoute<{ key: string }>(async (_request, { params }) => {
  const connector = getConnector(params.key);
  if (!connector) throw new AppError("not_found", `No connector with key "${params.key}".`);
  return json(describeConnector(connector));
});
