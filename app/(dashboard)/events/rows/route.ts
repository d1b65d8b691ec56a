import type { NextRequest } from "next/server";
import { z } from "zod";
import { userFromRequest } from "@/lib/auth/request-user";
import { ReadAbortedError } from "@/lib/db/read-pool";
import { AppError } from "@/lib/errors";
import { listEventLogFor } from "@/lib/live-log/query";
import { PAGE_SIZE, parseEventLogFilters } from "@/lib/live-log/schema";

export const dynamic = "force-dynamic";

const zCursor = z.string().min(1).max(200).optional();

function json(status: number, body: unknown): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store" } });
}

// GET /events/rows?<filters as on /events>&cursor=… – a page of the signed-in user's organization's
// event log as JSON ("Load more", and a search's later pages). A route rather than a server action so a
// browser that gives up (navigates, aborts the fetch) cancels the query: `request.signal` reaches
// PostgreSQL. A search beyond the user's concurrent ones is 429, one too slow 503, each with a message.
export async function GET(request: NextRequest): Promise<Response> {
  const user = await userFromRequest(request);
  if (!user) return json(401, { message: "Sign in to read the event log." });
  const params = request.nextUrl.searchParams;
  const cursor = zCursor.safeParse(params.get("cursor") ?? undefined);
  if (!cursor.success) return json(400, { message: "The cursor is not valid; reload the page." });
  try {
    const page = await listEventLogFor(user.id, user.organizationId, parseEventLogFilters(params), {
      cursor: cursor.data,
      limit: PAGE_SIZE,
      signal: request.signal,
    });
    return json(200, page);
  } catch (error) {
    if (error instanceof AppError) return json(error.status, { message: error.message });
    // Nobody is left to answer; the query was cancelled.
    if (error instanceof ReadAbortedError) return new Response(null, { status: 499 });
    throw error;
  }
}
