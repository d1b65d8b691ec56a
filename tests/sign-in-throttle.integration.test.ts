// Sign-in throttling (Hardening #6): counted atomically per address and account, a known device keeps
// working while an attacker is locked out, backoff, and no timing difference for unknown e-mails.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { authorizeCredentials, INVALID_CREDENTIALS } from "@/lib/auth/credentials";
import { issueKnownDevice, knownDeviceId, renewKnownDevice } from "@/lib/auth/known-device";
import { BCRYPT_COST, DUMMY_PASSWORD_HASH } from "@/lib/auth/password";
import { MAX_ATTEMPTS, WINDOW_SECONDS } from "@/lib/auth/throttle";
import { db } from "@/lib/db/client";
import { createFirstAdmin } from "@/lib/users/accounts";

// Counts the password checks (bcrypt compares) actually run, keeping the real bcrypt.
const checks = vi.hoisted(() => ({ count: 0 }));
vi.mock("@/lib/auth/password", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/auth/password")>();
  return {
    ...original,
    verifyPassword: async (password: string, hash: string) => {
      checks.count++;
      return original.verifyPassword(password, hash);
    },
  };
});

const admin = { organizationName: "Acme", email: "ada@acme.test", password: "a long password" };
const attacker = { clientAddress: "203.0.113.9" };
const TOO_MANY = /Too many sign-in attempts\. Wait \d+ seconds/;

beforeEach(async () => {
  await db().$executeRawUnsafe("TRUNCATE organizations, users, auth_throttle CASCADE");
  await createFirstAdmin(admin);
  checks.count = 0;
});

/** Ends every counter's current window, as if it had run out. */
async function windowsPass(): Promise<void> {
  await db().$executeRawUnsafe("UPDATE auth_throttle SET window_start = window_start - interval '1 day'");
}

describe("sign-in throttling", () => {
  it(`checks exactly ${MAX_ATTEMPTS} passwords of 100 parallel tries`, async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => authorizeCredentials({ email: admin.email, password: `guess ${i}` }, attacker)),
    );
    const messages = results.map((r) => (r.status === "rejected" ? (r.reason as Error).message : "signed in"));
    expect(checks.count).toBe(MAX_ATTEMPTS);
    expect(messages.filter((m) => m === INVALID_CREDENTIALS)).toHaveLength(MAX_ATTEMPTS);
    expect(messages.filter((m) => TOO_MANY.test(m))).toHaveLength(100 - MAX_ATTEMPTS);
  });

  it("lets the right password in from a known device while the attacker's address and the account are locked", async () => {
    // The owner signed in from this browser before.
    const owner = { clientAddress: "198.51.100.7", knownDevice: issueKnownDevice(admin.email) };
    for (let i = 0; i <= MAX_ATTEMPTS; i++) {
      await authorizeCredentials({ email: admin.email, password: `guess ${i}` }, attacker).catch(() => undefined);
    }
    await expect(authorizeCredentials({ email: admin.email, password: admin.password }, attacker)).rejects.toThrow(TOO_MANY);
    // A browser without the cookie is refused too: the account's own counter is spent...
    await expect(authorizeCredentials({ email: admin.email, password: admin.password }, { clientAddress: "198.51.100.8" })).rejects.toThrow(TOO_MANY);
    // ...but the owner's known device, even behind the attacker's address, is counted on its own.
    await expect(authorizeCredentials({ email: admin.email, password: admin.password }, owner)).resolves.toMatchObject({ email: admin.email });
    await expect(
      authorizeCredentials({ email: admin.email, password: admin.password }, { ...attacker, knownDevice: owner.knownDevice }),
    ).resolves.toMatchObject({ email: admin.email });
    // A device cookie of another account, or forged, counts for nothing.
    expect(knownDeviceId(issueKnownDevice("eve@acme.test"), admin.email)).toBeNull();
    expect(knownDeviceId(`${owner.knownDevice.slice(0, -2)}xx`, admin.email)).toBeNull();
    const renewed = renewKnownDevice(owner.knownDevice, admin.email);
    expect(knownDeviceId(renewed, admin.email)).toBe(knownDeviceId(owner.knownDevice, admin.email));
  });

  it("an address that is already refused does not use up the account's tries", async () => {
    for (let i = 0; i < MAX_ATTEMPTS * 3; i++) {
      await authorizeCredentials({ email: `user${i}@acme.test`, password: "guess" }, attacker).catch(() => undefined);
    }
    await expect(authorizeCredentials({ email: admin.email, password: "guess" }, attacker)).rejects.toThrow(TOO_MANY);
    // From elsewhere, the owner still has the account's every try.
    await expect(authorizeCredentials({ email: admin.email, password: admin.password }, { clientAddress: "198.51.100.7" })).resolves.toMatchObject({
      email: admin.email,
    });
  });

  it("backs off: after a window with refused tries, the next one is twice as long", async () => {
    for (let i = 0; i <= MAX_ATTEMPTS; i++) {
      await authorizeCredentials({ email: admin.email, password: `guess ${i}` }, attacker).catch(() => undefined);
    }
    await windowsPass();
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      await expect(authorizeCredentials({ email: admin.email, password: `again ${i}` }, attacker)).rejects.toThrow(INVALID_CREDENTIALS);
    }
    const refused = await authorizeCredentials({ email: admin.email, password: admin.password }, attacker).catch((e: Error) => e.message);
    const wait = Number(/Wait (\d+) seconds/.exec(String(refused))?.[1]);
    expect(wait).toBeGreaterThan(WINDOW_SECONDS);
    expect(wait).toBeLessThanOrEqual(2 * WINDOW_SECONDS);
    // A quiet window later, the limit is as it was, and the right password is accepted.
    await windowsPass();
    await windowsPass();
    await expect(authorizeCredentials({ email: admin.email, password: admin.password }, attacker)).resolves.toMatchObject({ email: admin.email });
  });

  it("takes as long for an unknown e-mail as for a wrong password of a real one", async () => {
    expect(DUMMY_PASSWORD_HASH.startsWith(`$2b$${BCRYPT_COST}$`)).toBe(true);
    const time = async (email: string, clientAddress: string) => {
      const started = performance.now();
      await authorizeCredentials({ email, password: "wrong password" }, { clientAddress }).catch(() => undefined);
      return performance.now() - started;
    };
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const known: number[] = [];
    const unknown: number[] = [];
    // Nine pairs, interleaved, compared by median: five let one slow moment on a busy machine decide.
    const ROUNDS = 9;
    for (let i = 0; i < ROUNDS; i++) {
      known.push(await time(admin.email, `192.0.2.${i}`));
      unknown.push(await time(`nobody${i}@acme.test`, `192.0.2.${100 + i}`));
    }
    const ratio = median(known) / median(unknown);
    console.log("sign-in timing", JSON.stringify({ knownMs: median(known).toFixed(1), unknownMs: median(unknown).toFixed(1), ratio: ratio.toFixed(2) }));
    expect(ratio, `known ${median(known).toFixed(1)} ms, unknown ${median(unknown).toFixed(1)} ms`).toBeGreaterThan(0.67);
    expect(ratio).toBeLessThan(1.5);
    expect(checks.count).toBe(2 * ROUNDS);
  });
});
