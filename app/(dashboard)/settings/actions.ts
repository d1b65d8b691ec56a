"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { ActionResult } from "@/lib/action-result";
import { requireUser } from "@/lib/auth/session";
import { decrypt, maskSecret } from "@/lib/crypto/secrets";
import { rotateSecret } from "@/lib/users/accounts";

const zKind = z.enum(["user", "organization"]);

/** Returns the signed-in user's own (or their organization's) secret, for the reveal button. */
export async function revealSecretAction(kind: unknown): Promise<ActionResult<{ secret: string }>> {
  const user = await requireUser();
  const parsed = zKind.safeParse(kind);
  if (!parsed.success) return { ok: false, message: "Unknown secret." };
  const encrypted = parsed.data === "user" ? user.secretEncrypted : user.organization.secretEncrypted;
  return { ok: true, data: { secret: decrypt(encrypted) } };
}

export async function rotateSecretAction(kind: unknown): Promise<ActionResult<{ masked: string }>> {
  const user = await requireUser();
  const parsed = zKind.safeParse(kind);
  if (!parsed.success) return { ok: false, message: "Unknown secret." };
  const secret = await rotateSecret(user.id, parsed.data);
  revalidatePath("/settings");
  return { ok: true, data: { masked: maskSecret(secret) } };
}
