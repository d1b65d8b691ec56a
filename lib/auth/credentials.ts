import { DUMMY_PASSWORD_HASH, verifyPassword } from "@/lib/auth/password";
import { knownDeviceId } from "@/lib/auth/known-device";
import { clearAttempts, takeAttempt } from "@/lib/auth/throttle";
import { db } from "@/lib/db/client";
import { log } from "@/lib/log";
import { zSignInInput } from "@/lib/users/schema";

export const INVALID_CREDENTIALS = "Wrong e-mail or password.";

export type SignInContext = {
  /** The client's address (lib/auth/client-address.ts). */
  clientAddress: string;
  /** The known-device cookie the browser sent, if any. */
  knownDevice?: string;
};

export type SignedInAccount = { id: string; email: string; name: string | null; sessionVersion: number };

/**
 * Verifies a sign-in; throws an Error whose message next-auth hands to the sign-in form.
 *
 * Tries are counted before the password is checked, per client address and per account, or, from a
 * browser that signed in to this account before, per that device only (so an attacker who has locked
 * their own address and the account cannot lock out the owner's browser). An unknown e-mail is counted
 * and checked against a dummy hash exactly like a known one: the answer and its timing are the same.
 */
export async function authorizeCredentials(credentials: unknown, context: SignInContext): Promise<SignedInAccount> {
  const parsed = zSignInInput.safeParse(credentials);
  if (!parsed.success) throw new Error(INVALID_CREDENTIALS);
  const { email, password } = parsed.data;
  const deviceId = knownDeviceId(context.knownDevice, email);
  const keys = deviceId ? ([`device:${deviceId}`] as const) : ([`ip:${context.clientAddress}`, `account:${email}`] as const);
  const verdict = await takeAttempt(keys);
  if (!verdict.allowed) {
    log("warn", "sign-in throttled", { clientAddress: context.clientAddress, knownDevice: !!deviceId });
    throw new Error(`Too many sign-in attempts. Wait ${verdict.retryAfterSeconds} seconds and try again.`);
  }
  const user = await db().user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, passwordHash: true, sessionVersion: true },
  });
  const valid = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  if (!user || !valid) throw new Error(INVALID_CREDENTIALS);
  await clearAttempts(keys);
  return { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion };
}
