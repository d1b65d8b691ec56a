import type { NextRequest } from "next/server";
import { userFromRequest } from "@/lib/auth/request-user";
import { parseEventLogFilters } from "@/lib/live-log/schema";
import { eventLogStream, parseSince } from "@/lib/live-log/stream";

export const dynamic = "force-dynamic";

// GET /events/stream – the live event log (Server-Sent Events) of the signed-in user's organization;
// filters as on /events, `Last-Event-ID` or `?since=` (ms) to resume
export async function GET(request: NextRequest): Promise<Response> {
  const user = await userFromRequest(request);
  if (!user) {
    return new Response("Sign in to follow the event log.", { status: 401, headers: { "cache-control": "no-store" } });
  }
  const url = request.nextUrl;
  return eventLogStream({
    organizationId: user.organizationId,
    filters: parseEventLogFilters(url.searchParams),
    since: parseSince(request.headers.get("last-event-id") ?? url.searchParams.get("since")),
    signal: request.signal,
    stillAllowed: async () => (await userFromRequest(request))?.organizationId === user.organizationId,
  });
}
