import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { env } from "@/lib/env";

/**
 * A browser that has signed in to an account before gets this cookie. Its tries for that account are
 * counted per device, not per address and account, so someone guessing the admin's password from
 * elsewhere (which locks the account's and their own address's counters) does not lock the admin out.
 */
export const KNOWN_DEVICE_COOKIE = "hookline.known-device";
export const KNOWN_DEVICE_MAX_AGE_SECONDS = 180 * 24 * 3600;

function mac(deviceId: string, issuedAt: string, email: string): Buffer {
  const secret = env().NEXTAUTH_SECRET;
  if (!secret) throw new Error("NEXTAUTH_SECRET is not set");
  return createHmac("sha256", secret).update(`known-device\n${deviceId}\n${issuedAt}\n${email}`).digest();
}

/** `<device id>.<issued at, s>.<HMAC over both and the e-mail>`: valid only for the account it was issued for. */
export function issueKnownDevice(email: string, deviceId = randomBytes(16).toString("base64url"), now = Date.now()): string {
  const issuedAt = String(Math.floor(now / 1000));
  return `${deviceId}.${issuedAt}.${mac(deviceId, issuedAt, email).toString("base64url")}`;
}

/** The device id when `cookie` was issued for `email` and has not expired, else null. */
export function knownDeviceId(cookie: string | undefined, email: string, now = Date.now()): string | null {
  const [deviceId, issuedAt, signature, extra] = (cookie ?? "").split(".");
  if (!deviceId || !issuedAt || !signature || extra !== undefined || !/^\d{1,12}$/.test(issuedAt)) return null;
  if (now / 1000 - Number(issuedAt) > KNOWN_DEVICE_MAX_AGE_SECONDS) return null;
  const expected = mac(deviceId, issuedAt, email);
  const given = Buffer.from(signature, "base64url");
  return given.length === expected.length && timingSafeEqual(given, expected) ? deviceId : null;
}

/** The cookie to set after a successful sign-in: the same device id when the browser had one for this account. */
export function renewKnownDevice(cookie: string | undefined, email: string): string {
  const deviceId = knownDeviceId(cookie, email);
  return deviceId ? issueKnownDevice(email, deviceId) : issueKnownDevice(email);
}
