// First-run setup after setup (Hardening #5): anonymous calls are answered from one cheap query, never
// hash a password, never throw, and the path that does hash is limited per client address.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { MAX_ATTEMPTS } from "@/lib/auth/throttle";
import { db } from "@/lib/db/client";
import { ALREADY_SET_UP } from "@/lib/users/accounts";

const hashes = vi.hoisted(() => ({ count: 0 }));
vi.mock("@/lib/auth/password", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/auth/password")>();
  return {
    ...original,
    hashPassword: async (password: string) => {
      hashes.count++;
      return original.hashPassword(password);
    },
  };
});
// The action reads the client's address from the request headers the launcher sets.
const request = vi.hoisted(() => ({ address: "192.0.2.10" }));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ "x-hookline-client-address": request.address }),
}));

const { createFirstAdminAction } = await import("@/app/(auth)/setup/actions");

const form = { organizationName: "Acme", email: "ada@acme.test", password: "a long password" };

beforeEach(async () => {
  await db().$executeRawUnsafe("TRUNCATE organizations, users, auth_throttle CASCADE");
  hashes.count = 0;
});

describe("first-run setup action", () => {
  it("after setup, answers every anonymous call with a typed refusal and hashes nothing", async () => {
    expect(await createFirstAdminAction(form)).toEqual({ ok: true });
    hashes.count = 0;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => createFirstAdminAction({ ...form, email: `eve${i}@evil.test` })),
    );
    expect(hashes.count).toBe(0);
    expect(results.every((r) => !r.ok && r.message === ALREADY_SET_UP)).toBe(true);
    // Garbage gets the same answer, not a 500.
    expect(await createFirstAdminAction("not a form")).toEqual({ ok: false, message: ALREADY_SET_UP });
    expect(await db().user.count()).toBe(1);
  });

  it(`before setup, lets ${MAX_ATTEMPTS} tries per address reach bcrypt, then asks to wait`, async () => {
    request.address = "192.0.2.11";
    const invalid = { ...form, email: "ada@acme.test", organizationName: "x".repeat(101) };
    // Invalid forms are refused by zod before they count or hash.
    expect(await createFirstAdminAction(invalid)).toMatchObject({ ok: false, message: "Check the highlighted fields." });
    await db().$executeRawUnsafe("INSERT INTO auth_throttle (key, attempts, window_start) VALUES ('setup:192.0.2.11', $1, now())", MAX_ATTEMPTS);
    const refused = await createFirstAdminAction(form);
    expect(refused).toMatchObject({ ok: false, message: expect.stringMatching(/Too many setup attempts from this address\. Wait \d+ seconds/) });
    expect(hashes.count).toBe(0);
    request.address = "192.0.2.12";
    expect(await createFirstAdminAction(form)).toEqual({ ok: true });
  });
});
