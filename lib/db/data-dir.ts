import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

const generatedSchema = z.object({
  encryptionKey: z.string(),
  authSecret: z.string(),
  postgresPassword: z.string(),
});

export type GeneratedSecrets = z.infer<typeof generatedSchema>;

/**
 * Secrets Hookline generates on first start and keeps in `<data dir>/secrets.json` (mode 0600),
 * so a fresh clone needs no configuration and a restart keeps decrypting what it stored.
 */
export async function loadGeneratedSecrets(dir: string): Promise<GeneratedSecrets> {
  const file = path.join(dir, "secrets.json");
  if (existsSync(file)) {
    return generatedSchema.parse(JSON.parse(await readFile(file, "utf8")));
  }
  const secrets: GeneratedSecrets = {
    encryptionKey: randomBytes(32).toString("base64"),
    authSecret: randomBytes(32).toString("base64url"),
    postgresPassword: randomBytes(18).toString("base64url"),
  };
  await mkdir(dir, { recursive: true });
  // Readable by other users only as far as traversal goes: root runs PostgreSQL as `postgres`.
  await chmod(dir, 0o755);
  await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
