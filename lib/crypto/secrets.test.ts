import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { decrypt, encrypt, generateSecret, hashSecret, maskSecret, parseEncryptionKey } from "@/lib/crypto/secrets";

beforeAll(() => {
  process.env.HOOKLINE_ENCRYPTION_KEY = randomBytes(32).toString("base64");
});

describe("secrets at rest", () => {
  it("round-trips through AES-256-GCM without the plaintext in the stored value", () => {
    const stored = encrypt("fak3AP1-s3Cr3t");
    expect(stored).toMatch(/^v1:/);
    expect(stored).not.toContain("fak3AP1");
    expect(decrypt(stored)).toBe("fak3AP1-s3Cr3t");
    expect(encrypt("same")).not.toBe(encrypt("same"));
  });

  it("detects tampering", () => {
    const [v, iv, tag, data] = encrypt("secret").split(":");
    const flipped = Buffer.from(data!, "base64url");
    flipped[0]! ^= 1;
    expect(() => decrypt([v, iv, tag, flipped.toString("base64url")].join(":"))).toThrow();
  });

  it("accepts 32-byte keys as hex or base64 only", () => {
    expect(parseEncryptionKey("ab".repeat(32))).toHaveLength(32);
    expect(() => parseEncryptionKey("short")).toThrow(/32 bytes/);
  });

  it("generates distinct secrets, hashes them, masks all but 4 characters", () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateSecret()).not.toBe(secret);
    expect(hashSecret(secret)).toMatch(/^[0-9a-f]{64}$/);
    expect(maskSecret(secret)).toBe(`••••••••${secret.slice(-4)}`);
    expect(maskSecret("short")).toBe("••••••••");
  });
});
