import { beforeEach, describe, expect, it } from "vitest";
import { authenticateApiRequest } from "@/lib/auth/api-key";
import { authorizeCredentials, INVALID_CREDENTIALS } from "@/lib/auth/credentials";
import { decrypt, hashSecret } from "@/lib/crypto/secrets";
import { db } from "@/lib/db/client";
import { bootstrapAdmin, createFirstAdmin, rotateSecret } from "@/lib/users/accounts";

const admin = { organizationName: "Acme", email: "ada@acme.test", password: "a long password" };
const here = { clientAddress: "192.0.2.1" };

beforeEach(async () => {
  await db().$executeRawUnsafe("TRUNCATE organizations, users, auth_throttle CASCADE");
});

describe("first-run setup", () => {
  it("creates the organization and admin once, then refuses", async () => {
    const user = await createFirstAdmin(admin);
    expect(user.role).toBe("ADMIN");
    await expect(createFirstAdmin({ ...admin, email: "eve@acme.test" })).rejects.toThrow(/already set up/);
    expect(await db().user.count()).toBe(1);
  });

  it("lets only one of two simultaneous first-run requests through", async () => {
    const results = await Promise.allSettled([
      createFirstAdmin(admin),
      createFirstAdmin({ ...admin, email: "bob@acme.test" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db().organization.count()).toBe(1);
  });

  it("bootstraps the admin from the environment with the given API secrets, once", async () => {
    const secrets = { userSecret: "user-secret-from-env-123", organizationSecret: "org-secret-from-env-456" };
    expect(await bootstrapAdmin({ ...admin, ...secrets })).toBe("created");
    expect(await bootstrapAdmin({ ...admin, ...secrets })).toBe("exists");
    const auth = await authenticateApiRequest(`User ${secrets.userSecret}, Organization ${secrets.organizationSecret}`);
    expect(auth?.user.email).toBe(admin.email);
  });
});

describe("sign-in", () => {
  it("accepts the right password and rejects a wrong one with a clear message", async () => {
    await createFirstAdmin(admin);
    await expect(authorizeCredentials({ email: "ADA@acme.test", password: admin.password }, here)).resolves.toMatchObject({ email: admin.email });
    await expect(authorizeCredentials({ email: admin.email, password: "wrong" }, here)).rejects.toThrow(INVALID_CREDENTIALS);
    await expect(authorizeCredentials({ email: "nobody@acme.test", password: "wrong" }, here)).rejects.toThrow(INVALID_CREDENTIALS);
    await expect(authorizeCredentials(null, here)).rejects.toThrow(INVALID_CREDENTIALS);
  });
});

describe("API secrets", () => {
  it("are stored hashed and encrypted, and rotation makes the old one stop working", async () => {
    const user = await createFirstAdmin(admin);
    const org = await db().organization.findUniqueOrThrow({ where: { id: user.organizationId } });
    const userSecret = decrypt(user.secretEncrypted);
    const orgSecret = decrypt(org.secretEncrypted);
    expect(user.secretHash).toBe(hashSecret(userSecret));
    expect(user.secretEncrypted).not.toContain(userSecret);

    const header = (u: string, o: string) => `User ${u}, Organization ${o}`;
    expect(await authenticateApiRequest(header(userSecret, orgSecret))).not.toBeNull();
    expect(await authenticateApiRequest(header(userSecret, "wrong-organization-secret"))).toBeNull();

    const newUserSecret = await rotateSecret(user.id, "user");
    expect(await authenticateApiRequest(header(userSecret, orgSecret))).toBeNull();
    expect(await authenticateApiRequest(header(newUserSecret, orgSecret))).not.toBeNull();

    const newOrgSecret = await rotateSecret(user.id, "organization");
    expect(await authenticateApiRequest(header(newUserSecret, orgSecret))).toBeNull();
    expect(await authenticateApiRequest(header(newUserSecret, newOrgSecret))).not.toBeNull();
  });
});
