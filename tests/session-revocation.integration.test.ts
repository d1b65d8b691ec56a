// Sessions end on the server (Hardening #7): a JWT kept after sign-out no longer opens anything.
import { encode } from "next-auth/jwt";
import { NextRequest } from "next/server";
import { beforeEach, describe, expect, it } from "vitest";
import { endSessions } from "@/lib/auth/active-user";
import { authOptions } from "@/lib/auth/options";
import { userFromRequest } from "@/lib/auth/request-user";
import { db } from "@/lib/db/client";
import { createFirstAdmin } from "@/lib/users/accounts";

const admin = { organizationName: "Acme", email: "ada@acme.test", password: "a long password" };

beforeEach(async () => {
  await db().$executeRawUnsafe("TRUNCATE organizations, users, auth_throttle CASCADE");
});

/** A request carrying the session cookie next-auth would have set for this token. */
async function requestWith(token: { uid: string; sv?: number }): Promise<NextRequest> {
  const jwt = await encode({ token, secret: process.env.NEXTAUTH_SECRET! });
  return new NextRequest("http://localhost/events/stream", { headers: { cookie: `next-auth.session-token=${jwt}` } });
}

/** next-auth's jwt callback, as at sign-in. */
async function tokenAtSignIn(user: { id: string; email: string; sessionVersion: number }) {
  const jwt = authOptions.callbacks!.jwt!;
  return (await jwt({ token: {}, user: { id: user.id, email: user.email, sessionVersion: user.sessionVersion }, account: null })) as {
    uid: string;
    sv?: number;
  };
}

describe("session revocation", () => {
  it("a session token stops working once its user signs out", async () => {
    const user = await createFirstAdmin(admin);
    const token = await tokenAtSignIn(user);
    expect(token.sv).toBe(0);
    expect(await userFromRequest(await requestWith(token))).toMatchObject({ id: user.id });

    await authOptions.events!.signOut!({ token: { ...token }, session: undefined as never });
    expect(await userFromRequest(await requestWith(token))).toBeNull();

    // Signing in again issues a token with the new version, which works.
    const again = await tokenAtSignIn(await db().user.findUniqueOrThrow({ where: { id: user.id } }));
    expect(again.sv).toBe(1);
    expect(await userFromRequest(await requestWith(again))).toMatchObject({ id: user.id });
  });

  it("ending sessions (e.g. for a removed account) revokes every earlier token; a deleted user has none", async () => {
    const user = await createFirstAdmin(admin);
    const token = await tokenAtSignIn(user);
    await endSessions(user.id);
    expect(await userFromRequest(await requestWith(token))).toBeNull();
    const fresh = await tokenAtSignIn(await db().user.findUniqueOrThrow({ where: { id: user.id } }));
    await db().user.delete({ where: { id: user.id } });
    expect(await userFromRequest(await requestWith(fresh))).toBeNull();
  });

  it("tokens from before session versions (no sv) count as version 0", async () => {
    const user = await createFirstAdmin(admin);
    expect(await userFromRequest(await requestWith({ uid: user.id }))).toMatchObject({ id: user.id });
    await endSessions(user.id);
    expect(await userFromRequest(await requestWith({ uid: user.id }))).toBeNull();
  });
});
