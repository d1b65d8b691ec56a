import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name?: string | null };
    /** The user's session version when this session was issued (lib/auth/active-user.ts). */
    sessionVersion?: number;
  }
  interface User {
    sessionVersion?: number;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    /** Session version at sign-in; the session is valid while the user's is still the same. */
    sv?: number;
  }
}
