import "server-only";
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { authOptions } from "@/lib/auth/options";
import { db } from "@/lib/db/client";
import { hasAnyUser } from "@/lib/users/accounts";

/**
 * The signed-in user with their organization, loaded fresh so a deleted account loses access at
 * once. Pages and server actions call this first; without a session it redirects to sign-in
 * (or to first-run setup when no account exists yet).
 */
export async function requireUser() {
  const session = await getServerSession(authOptions);
  const user = session?.user?.id
    ? await db().user.findUnique({ where: { id: session.user.id }, include: { organization: true } })
    : null;
  if (user) return user;
  redirect((await hasAnyUser()) ? "/login" : "/setup");
}

export type SignedInUser = Awaited<ReturnType<typeof requireUser>>;
