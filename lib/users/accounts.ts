import { hashPassword } from "@/lib/auth/password";
import { encrypt, generateSecret, hashSecret } from "@/lib/crypto/secrets";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import type { TSetupInput } from "@/lib/users/schema";

/** Serializes first-run setup across processes, so two browsers cannot both become "first". */
const SETUP_LOCK = 4_815_162_342;

/** One index probe (`SELECT id … LIMIT 1`), not a count: it answers every anonymous setup request. */
export async function hasAnyUser(): Promise<boolean> {
  return (await db().user.findFirst({ select: { id: true } })) !== null;
}

export const ALREADY_SET_UP = "Hookline is already set up: sign in instead.";

function secretColumns(secret: string) {
  return { secretHash: hashSecret(secret), secretEncrypted: encrypt(secret) };
}

/**
 * Creates the organization and its admin; refuses once any user exists. That is checked before bcrypt
 * too: after setup each anonymous call hashed a password first (~150 ms of CPU, which held up webhook
 * ingest) only to be refused inside the transaction.
 */
export async function createFirstAdmin(
  input: TSetupInput,
  secrets: { user?: string; organization?: string } = {},
) {
  if (await hasAnyUser()) throw new AppError("conflict", ALREADY_SET_UP);
  const passwordHash = await hashPassword(input.password);
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SETUP_LOCK}::bigint)`;
    if ((await tx.user.count()) > 0) {
      throw new AppError("conflict", ALREADY_SET_UP);
    }
    const organization = await tx.organization.create({
      data: { name: input.organizationName, ...secretColumns(secrets.organization ?? generateSecret()) },
    });
    return tx.user.create({
      data: {
        organizationId: organization.id,
        email: input.email,
        name: input.name || null,
        passwordHash,
        role: "ADMIN",
        ...secretColumns(secrets.user ?? generateSecret()),
      },
    });
  });
}

/**
 * `HOOKLINE_ADMIN_EMAIL` + `HOOKLINE_ADMIN_PASSWORD` create the admin at start when no account has
 * that e-mail yet (first run: with a new organization). Existing accounts are never changed.
 */
export async function bootstrapAdmin(options: {
  email: string;
  password: string;
  organizationName: string;
  userSecret?: string;
  organizationSecret?: string;
}): Promise<"created" | "exists"> {
  if (await db().user.findUnique({ where: { email: options.email.toLowerCase() } })) return "exists";
  const secrets = { user: options.userSecret, organization: options.organizationSecret };
  const input = {
    organizationName: options.organizationName,
    email: options.email.toLowerCase(),
    password: options.password,
  };
  if (!(await hasAnyUser())) {
    await createFirstAdmin(input, secrets);
    return "created";
  }
  const organization = await db().organization.findFirstOrThrow({ orderBy: { createdAt: "asc" } });
  await db().user.create({
    data: {
      organizationId: organization.id,
      email: input.email,
      passwordHash: await hashPassword(input.password),
      role: "ADMIN",
      ...secretColumns(secrets.user ?? generateSecret()),
    },
  });
  return "created";
}

export type SecretKind = "user" | "organization";

/** Replaces a user's or its organization's API secret; the old one stops working at once. */
export async function rotateSecret(userId: string, kind: SecretKind): Promise<string> {
  const secret = generateSecret();
  const user = await db().user.findUniqueOrThrow({ where: { id: userId } });
  if (kind === "user") {
    await db().user.update({ where: { id: userId }, data: secretColumns(secret) });
  } else {
    await db().organization.update({ where: { id: user.organizationId }, data: secretColumns(secret) });
  }
  return secret;
}
