import { getToken } from "next-auth/jwt";
import type { NextRequest } from "next/server";
import { activeSessionWhere } from "@/lib/auth/active-user";
import { db } from "@/lib/db/client";

export type RequestUser = { id: string; organizationId: string };

/**
 * The signed-in user behind a route handler request, from the next-auth session cookie (the same JWT
 * `getServerSession` decodes, read from the request itself so long-lived handlers and tests can call
 * it), loaded fresh and only while that session is valid (lib/auth/active-user.ts): a deleted account
 * or a signed-out session loses access at once. Null without a valid session.
 */
export async function userFromRequest(request: NextRequest): Promise<RequestUser | null> {
  const token = await getToken({ req: request });
  if (!token?.uid) return null;
  return db().user.findFirst({ where: activeSessionWhere(token.uid, token.sv), select: { id: true, organizationId: true } });
}
