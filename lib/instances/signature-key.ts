import { encrypt, maskSecret } from "@/lib/crypto/secrets";
import { db } from "@/lib/db/client";
import { generateSigningKey, previousKeyAt, replacedKeyColumn, SIGNATURE_KEY } from "@/lib/delivery/signing-keys";
import { AppError } from "@/lib/errors";
import type { Instance } from "@/lib/generated/prisma/client";
import { decryptSecrets } from "@/lib/instances/secrets";
import { getInstance, type Actor } from "@/lib/instances/service";

/**
 * An instance's signature key as people manage it: reveal (full, on request), rotate (a new generated
 * key; the replaced one still signs for 24 h) and what the instance page shows about it.
 */

export type SignatureKeyState = {
  /** The masked key, null while deliveries go out unsigned. */
  masked: string | null;
  /** Until when the replaced key still signs, after a rotation. */
  previousUntil: Date | null;
};

export function signatureKeyState(instance: Pick<Instance, "secretsEncrypted" | "previousSignatureKeyEncrypted">, now = new Date()): SignatureKeyState {
  const key = decryptSecrets(instance.secretsEncrypted)[SIGNATURE_KEY];
  return {
    masked: key ? maskSecret(key) : null,
    previousUntil: key ? (previousKeyAt(instance.previousSignatureKeyEncrypted, now)?.expiresAt ?? null) : null,
  };
}

/** The key in full (the instance page's reveal and copy); null when the instance has none. */
export async function revealSignatureKey(actor: Actor, id: number): Promise<string | null> {
  const instance = await getInstance(actor, id);
  return decryptSecrets(instance.secretsEncrypted)[SIGNATURE_KEY] ?? null;
}

/**
 * Replaces the key with a generated one (or gives an unsigned instance its first key). The row is locked
 * meanwhile, so a save or another rotation at the same time cannot undo it.
 */
export async function rotateSignatureKey(actor: Actor, id: number, now = new Date()): Promise<SignatureKeyState> {
  await getInstance(actor, id);
  const updated = await db().$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ secrets_encrypted: string | null }[]>`
      SELECT secrets_encrypted FROM instances WHERE id = ${id} AND organization_id = ${actor.organizationId}::uuid FOR UPDATE`;
    if (!row) throw new AppError("not_found", "No instance with that id.");
    const secrets = decryptSecrets(row.secrets_encrypted);
    const key = generateSigningKey();
    return tx.instance.update({
      where: { id },
      data: {
        secretsEncrypted: encrypt(JSON.stringify({ ...secrets, [SIGNATURE_KEY]: key })),
        ...replacedKeyColumn(secrets[SIGNATURE_KEY], key, now),
      },
    });
  });
  return signatureKeyState(updated, now);
}
