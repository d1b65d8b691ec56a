import { randomUUID } from "node:crypto";
import { authenticateApiRequest } from "@/lib/auth/api-key";
import { AppError } from "@/lib/errors";
import type { Instance } from "@/lib/generated/prisma/client";
import { findInstanceByToken, type Actor } from "@/lib/instances/service";
import { log } from "@/lib/log";

export type ApiContext<P> = {
  actor: Actor;
  /** Set when the request carried `Element <token>`: the request is about this instance only. */
  tokenInstance: Instance | null;
  params: P;
  requestId: string;
};

type RouteContext<P> = { params: Promise<P> };

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

/** Maps an error to a response: AppError → its status and message; anything else → 500, detail only in the log. */
export function errorResponse(error: unknown, requestId: string): Response {
  if (error instanceof AppError) {
    return json({ message: error.message, ...(error.fieldErrors ? { fieldErrors: error.fieldErrors } : {}), requestId }, error.status);
  }
  log("error", "unhandled API error", { requestId, error: error instanceof Error ? error.stack : String(error) });
  return json({ message: "Something went wrong on our side; the request id helps us find it.", requestId }, 500);
}

const UNAUTHORIZED = "Send Authorization: User <user secret>, Organization <organization secret> (both are on the Settings page).";

/**
 * Wraps a REST route handler: authenticates the Cloud Elements header (401), resolves an
 * `Element <token>` to its instance, and turns every error into a JSON answer with a message.
 */
export function apiRoute<P = Record<string, never>>(
  handler: (request: Request, context: ApiContext<P>) => Promise<Response>,
) {
  return async (request: Request, routeContext: RouteContext<P>): Promise<Response> => {
    const requestId = request.headers.get("x-request-id")?.slice(0, 64) || randomUUID();
    try {
      const auth = await authenticateApiRequest(request.headers.get("authorization"));
      if (!auth) throw new AppError("unauthorized", UNAUTHORIZED);
      const actor: Actor = { organizationId: auth.organization.id, userId: auth.user.id };
      let tokenInstance: Instance | null = null;
      if (auth.elementToken) {
        tokenInstance = await findInstanceByToken(actor, auth.elementToken);
        if (!tokenInstance) throw new AppError("unauthorized", "The Element token does not belong to an instance of this organization.");
      }
      const params = (await routeContext.params) ?? ({} as P);
      return await handler(request, { actor, tokenInstance, params, requestId });
    } catch (error) {
      return errorResponse(error, requestId);
    }
  };
}

/** Parses the `{id}` path segment; anything but a positive integer is simply not found. */
export function instanceIdParam(raw: string, tokenInstance: Instance | null): number {
  const id = /^[1-9][0-9]{0,9}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || (tokenInstance && tokenInstance.id !== id)) {
    throw new AppError("not_found", "No instance with that id.");
  }
  return id;
}
