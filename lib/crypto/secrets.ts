import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from "node:crypto";

const VERSION = "v1";

/** Decodes `HOOKLINE_ENCRYPTION_KEY`: 32 bytes as base64 or 64 hex characters. */
export function parseEncryptionKey(value: string): Buffer {
  const trimmed = value.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed)
    ? Buffer.from(trimmed, "hex")
    : Buffer.from(trimmed, "base64");
  if (key.length !== 32) {
    throw new Error("HOOKLINE_ENCRYPTION_KEY must be 32 bytes, as base64 or 64 hex characters");
  }
  return key;
}

let cachedKey: { source: string; key: Buffer } | undefined;

function encryptionKey(): Buffer {
  const source = process.env.HOOKLINE_ENCRYPTION_KEY;
  if (!source) throw new Error("HOOKLINE_ENCRYPTION_KEY is not set (the launcher generates one)");
  if (cachedKey?.source !== source) cachedKey = { source, key: parseEncryptionKey(source) };
  return cachedKey.key;
}

/** AES-256-GCM; the result is `v1:<iv>:<tag>:<ciphertext>`, all base64url. */
export function encrypt(plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", encryptionKey(), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv, tag, ciphertext].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(":");
}

export function decrypt(value: string): string {
  const [version, iv, tag, ciphertext] = value.split(":");
  if (version !== VERSION || !iv || !tag || ciphertext === undefined) {
    throw new Error("Not an encrypted Hookline value");
  }
  const decipher = createDecipheriv("aes-256-gcm", encryptionKey(), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([
    decipher.update(Buffer.from(ciphertext, "base64url")),
    decipher.final(),
  ]).toString("utf8");
}

/** SHA-256 hex: API secrets are looked up by hash so the database never needs the plaintext to match. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** A random API secret: 32 bytes, base64url (43 characters). */
export function generateSecret(): string {
  return randomBytes(32).toString("base64url");
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** `text` with every occurrence of each of `secrets` (of 4 characters or more) replaced by `••••`. */
export function hideSecrets(text: string, secrets: readonly string[]): string {
  for (const secret of secrets) if (secret.length >= 4) text = text.split(secret).join("••••");
  return text;
}

/** Shows only the last 4 characters, so a person can tell secrets apart without exposing them. */
export function maskSecret(secret: string): string {
  if (secret.length <= 8) return "••••••••";
  return `••••••••${secret.slice(-4)}`;
}
