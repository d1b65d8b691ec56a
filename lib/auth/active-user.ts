import { db } from "@/lib/db/client";

/**
 * The account behind a session, only while that session is still valid: the user exists and its
 * session version is the one the JWT was issued with (sign-out raises it, ending every earlier JWT).
 * One primary-key lookup, the same one that loaded the user before; JWTs issued before session
 * versions existed carry none and count as version 0.
 */
export function activeSessionWhere(userId: string, sessionVersion: number | undefined) {
  return { id: userId, sessionVersion: sessionVersion ?? 0 };
}

/** Ends every session of this user at once (sign-out; the same call serves a password change or removal). */
export async function endSessions(userId: string): Promise<void> {
  await db().user.updateMany({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
}
