import type { NextRequest } from "next/server";
import { userFromRequest } from "@/lib/auth/request-user";
import { parseEventLogFilters } from "@/lib/live-log/schema";
import { eventLogStream, parseSince } from "@/lib/live-log/stream";
import { takeStreamSlot, tooManyStreams } from "@/lib/live-log/stream-slots";
import { env } from "@/lib/env";

export const dynamic = "force-dynamic";

// GET /events/stream – the live event log (Server-Sent Events) of the signed-in user's organization;
// filters as on /events, `Last-Event-ID` or `?since=` (ms) to resume
export async function GET(request: NextRequest): Promise<Response> {
  const user = await userFromRequest(request);
  if (!user) {
    return new Response("Sign in to follow the event log.", { status: 401, headers: { "cache-control": "no-store" } });
  }
  const max = env().HOOKLINE_MAX_STREAMS_PER_USER;
  const release = takeStreamSlot(user.id, max);
  if (!release) {
    // EventSource retries a refused stream with backoff (components/events/use-event-stream.ts).
    return new Response(tooManyStreams(max), { status: 429, headers: { "cache-control": "no-store", "retry-after": "10" } });
  }
  const url = request.nextUrl;
  return eventLogStream({
    onClose: release,
    organizationId: user.organizationId,
    filters: parseEventLogFilters(url.searchParams),
    since: parseSince(request.headers.get("last-event-id") ?? url.searchParams.get("since")),
    signal: request.signal,
    stillAllowed: async () => (await userFromRequest(request))?.organizationId === user.organizationId,
  });
}
