import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { cookies, headers } from "next/headers";
import { endSessions } from "@/lib/auth/active-user";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import { clientAddressOf } from "@/lib/auth/client-address";
import { authorizeCredentials } from "@/lib/auth/credentials";
import { KNOWN_DEVICE_COOKIE, KNOWN_DEVICE_MAX_AGE_SECONDS, renewKnownDevice } from "@/lib/auth/known-device";
import { publicUrl } from "@/lib/env";
import { log } from "@/lib/log";

/** next-auth's credentials check, with the client's address and known-device cookie from the request. */
async function authorizeRequest(credentials: unknown) {
  const jar = await cookies();
  const knownDevice = jar.get(KNOWN_DEVICE_COOKIE)?.value;
  const account = await authorizeCredentials(credentials, { clientAddress: clientAddressOf(await headers()), knownDevice });
  jar.set(KNOWN_DEVICE_COOKIE, renewKnownDevice(knownDevice, account.email), {
    httpOnly: true,
    sameSite: "lax",
    secure: publicUrl().startsWith("https:"),
    path: "/",
    maxAge: KNOWN_DEVICE_MAX_AGE_SECONDS,
  });
  return account;
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
      authorize: (credentials) => authorizeRequest(credentials),
    }),
  ],
  callbacks: {
    // The one rule for every callbackUrl (lib/auth/callback-url.ts); never throws, so "%00" is no 500.
    redirect({ url, baseUrl }) {
      return safeCallbackUrl(url, baseUrl);
    },
    jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.sv = user.sessionVersion ?? 0;
      }
      return token;
    },
    session({ session, token }) {
      if (token.uid) session.user = { ...session.user, id: token.uid, email: session.user?.email ?? "" };
      session.sessionVersion = token.sv;
      return session;
    },
  },
  events: {
    // Signing out ends the session on the server too: its JWT would otherwise stay valid until it expires.
    async signOut({ token }) {
      if (!token?.uid) return;
      await endSessions(token.uid);
      log("info", "signed out; sessions ended", { userId: token.uid });
    },
  },
};
