import { randomBytes } from "node:crypto";
import { decrypt, encrypt } from "@/lib/crypto/secrets";
import { decryptSecrets } from "@/lib/instances/secrets";

/**
 * The keys an instance's deliveries are signed with: its `event.notification.signature.key`, and for 24 h
 * after a rotation the key it replaced (stored encrypted, with its expiry, in
 * `instances.previous_signature_key_encrypted`). Deliveries, the cURL of an event and the instance page
 * all read them here.
 */

export const SIGNATURE_KEY = "event.notification.signature.key";
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

/** A new key: 32 random bytes as `whsec_<base64>`, taken as it is by Standard Webhooks libraries. */
export function generateSigningKey(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

type PreviousKey = { key: string; expiresAt: string };

/** The encrypted `{ key, expiresAt }` kept when `key` is replaced at `now`. */
export function encryptPreviousKey(key: string, now: Date): string {
  const previous: PreviousKey = { key, expiresAt: new Date(now.getTime() + ROTATION_OVERLAP_MS).toISOString() };
  return encrypt(JSON.stringify(previous));
}

/** The column that keeps a replaced key for its overlap, when a save replaces `before` with `after`. */
export function replacedKeyColumn(before: string | undefined, after: string | undefined, now: Date): { previousSignatureKeyEncrypted?: string } {
  return before && after && before !== after ? { previousSignatureKeyEncrypted: encryptPreviousKey(before, now) } : {};
}

/** The replaced key while its overlap lasts, else null. */
export function previousKeyAt(encrypted: string | null, now: Date): { key: string; expiresAt: Date } | null {
  if (!encrypted) return null;
  const previous = JSON.parse(decrypt(encrypted)) as PreviousKey;
  const expiresAt = new Date(previous.expiresAt);
  return expiresAt.getTime() > now.getTime() ? { key: previous.key, expiresAt } : null;
}

export type SigningKeys = { signatureKey?: string; previousSignatureKeys?: string[] };

/**
 * Decrypted keys by the ciphertexts they came from. Every delivery needs them, and decrypting per
 * delivery was 4.5 % of a draining worker's CPU; a ciphertext never changes meaning (a new key is a new
 * ciphertext, with a new IV), so entries never go stale. Bounded: cleared when full.
 */
const decrypted = new Map<string, { current: string | undefined; previous: PreviousKey | null }>();
const MAX_DECRYPTED = 1000;

function decryptedKeys(secretsEncrypted: string | null, previousEncrypted: string | null) {
  const cacheKey = `${secretsEncrypted ?? ""} ${previousEncrypted ?? ""}`;
  let keys = decrypted.get(cacheKey);
  if (!keys) {
    if (decrypted.size >= MAX_DECRYPTED) decrypted.clear();
    keys = {
      current: decryptSecrets(secretsEncrypted)[SIGNATURE_KEY],
      previous: previousEncrypted ? (JSON.parse(decrypt(previousEncrypted)) as PreviousKey) : null,
    };
    decrypted.set(cacheKey, keys);
  }
  return keys;
}

/** What `deliver` / `deliveryHeaders` sign with, from an instance row's encrypted columns. */
export function signingKeys(secretsEncrypted: string | null, previousEncrypted: string | null, now: Date): SigningKeys {
  const { current, previous: replaced } = decryptedKeys(secretsEncrypted, previousEncrypted);
  if (!current) return {};
  const previous = replaced && new Date(replaced.expiresAt).getTime() > now.getTime() ? { key: replaced.key } : null;
  return previous && previous.key !== current ? { signatureKey: current, previousSignatureKeys: [previous.key] } : { signatureKey: current };
}
