import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { verifyPassword } from "@/lib/auth/password";
import { recordAttempt, secondsUntilAllowed } from "@/lib/auth/throttle";
import { db } from "@/lib/db/client";
import { log } from "@/lib/log";
import { zSignInInput } from "@/lib/users/schema";

export const INVALID_CREDENTIALS = "Wrong e-mail or password.";

/** Verifies a sign-in; throws an Error whose message next-auth hands to the sign-in form. */
export async function authorizeCredentials(credentials: unknown) {
  const parsed = zSignInInput.safeParse(credentials);
  if (!parsed.success) throw new Error(INVALID_CREDENTIALS);
  const { email, password } = parsed.data;
  const wait = await secondsUntilAllowed(email);
  if (wait > 0) {
    log("warn", "sign-in throttled", { email });
    throw new Error(`Too many failed sign-ins. Wait ${wait} seconds and try again.`);
  }
  const user = await db().user.findUnique({ where: { email } });
  // Unknown e-mails skip bcrypt and answer slightly faster; the throttle bounds what that reveals.
  const valid = user ? await verifyPassword(password, user.passwordHash) : false;
  await recordAttempt(email, valid);
  if (!user || !valid) throw new Error(INVALID_CREDENTIALS);
  return { id: user.id, email: user.email, name: user.name };
}

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: 7 * 24 * 3600 },
  pages: { signIn: "/login", error: "/login" },
  providers: [
    CredentialsProvider({
      name: "E-mail and password",
      credentials: {
        email: { label: "E-mail", type: "email" },
        password: { label: "Password", type: "password" },
      },
      authorize: (credentials) => authorizeCredentials(credentials),
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) token.uid = user.id;
      return token;
    },
    session({ session, token }) {
      if (token.uid) session.user = { ...session.user, id: token.uid, email: session.user?.email ?? "" };
      return session;
    },
  },
};
