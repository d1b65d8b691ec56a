import { apiRoute, json } from "@/lib/api/handler";
import { connectors } from "@/lib/connectors";
import { describeConnector } from "@/lib/connectors/describe";

export const dynamic = "force-dynamic";

// GET /elements/api-v2/elements – every connector with its parameter rows
export const GET = apiRoute(async () => json(connectors.map(describeConnector)));
