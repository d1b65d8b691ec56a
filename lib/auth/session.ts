import "server-only";
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { activeSessionWhere } from "@/lib/auth/active-user";
import { loginUrlFor } from "@/lib/auth/callback-url";
import { authOptions } from "@/lib/auth/options";
import { requestedPath } from "@/lib/auth/request-path";
import { db } from "@/lib/db/client";
import { hasAnyUser } from "@/lib/users/accounts";

/**
 * The signed-in user with their organization, or null: loaded fresh, and only while the session is
 * still valid (not signed out, account not deleted), so a JWT that outlives its session opens nothing.
 */
export async function currentUser() {
  const session = await getServerSession(authOptions);
  if (!session?.user?.id) return null;
  return db().user.findFirst({ where: activeSessionWhere(session.user.id, session.sessionVersion), include: { organization: true } });
}

/**
 * Pages and server actions call this first; without a valid session it redirects to sign-in, which
 * brings the person back to the page they asked for (or to first-run setup when no account exists yet).
 */
export async function requireUser() {
  const user = await currentUser();
  if (user) return user;
  redirect((await hasAnyUser()) ? loginUrlFor(await requestedPath()) : "/setup");
}

export type SignedInUser = NonNullable<Awaited<ReturnType<typeof currentUser>>>;
