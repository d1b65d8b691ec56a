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

/**
 * next-auth's log lines in Hookline's JSON format. A session cookie that cannot be decrypted (expired,
 * forged, or sealed with a NEXTAUTH_SECRET since replaced) only makes the request a signed-out one, so it
 * is a warning, not a multi-line error with a stack trace on every request that carries it.
 */
const authLogger: NextAuthOptions["logger"] = {
  error(code, metadata) {
    const cause = metadata instanceof Error ? metadata : metadata?.error;
    const level = code === "JWT_SESSION_ERROR" ? "warn" : "error";
    const message = level === "warn" ? "session cookie could not be read; treated as signed out" : "next-auth error";
    log(level, message, { code, error: cause instanceof Error ? cause.message : String(cause) });
  },
  warn(code) {
    log("warn", "next-auth warning", { code });
  },
  debug() {},
};

export const authOptions: NextAuthOptions = {
  logger: authLogger,
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
    // next-auth's default, minus its `new URL(url)` throwing (a 500) on a callbackUrl such as "%00".
    redirect({ url, baseUrl }) {
      if (url.startsWith("/")) return `${baseUrl}${url}`;
      try {
        if (new URL(url).origin === baseUrl) return url;
      } catch {
        // not a URL: the start page, as for a URL on another site
      }
      return baseUrl;
    },
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
