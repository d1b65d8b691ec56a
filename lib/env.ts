import path from "node:path";
import { z } from "zod";

const booleanFlag = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((value) => value === "true" || value === "1");

/**
 * Every environment variable Hookline reads, parsed once. The launcher (scripts/start.ts) fills in
 * the generated ones (database URL, encryption key, auth secret) before anything else reads them.
 */
const envSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOSTNAME: z.string().default("0.0.0.0"),
  HOOKLINE_DATA_DIR: z.string().default(".hookline"),
  HOOKLINE_PUBLIC_URL: z.string().url().optional(),
  HOOKLINE_ENCRYPTION_KEY: z.string().optional(),
  NEXTAUTH_SECRET: z.string().optional(),
  HOOKLINE_ADMIN_EMAIL: z.string().email().optional(),
  HOOKLINE_ADMIN_PASSWORD: z.string().min(8).optional(),
  HOOKLINE_ADMIN_ORGANIZATION: z.string().default("Hookline"),
  HOOKLINE_BOOTSTRAP_USER_SECRET: z.string().min(16).optional(),
  HOOKLINE_BOOTSTRAP_ORG_SECRET: z.string().min(16).optional(),
  HOOKLINE_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  HOOKLINE_DEV: booleanFlag,
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

/** Parses `process.env`; fails loudly listing every problem. */
export function env(): Env {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${problems.join("\n")}`);
  }
  cached = parsed.data;
  return cached;
}

/** Forget the parsed environment (the launcher changes it after generating secrets). */
export function resetEnv(): void {
  cached = undefined;
}

export function dataDir(): string {
  return path.resolve(env().HOOKLINE_DATA_DIR);
}

/** The address people and providers reach this Hookline at, without a trailing slash. */
export function publicUrl(): string {
  const { HOOKLINE_PUBLIC_URL, PORT } = env();
  return (HOOKLINE_PUBLIC_URL ?? `http://localhost:${PORT}`).replace(/\/+$/, "");
}

/**
 * A provider URL with its environment override, e.g. `providerUrl("mailchimpv3", "token", …)` reads
 * `HOOKLINE_MAILCHIMPV3_TOKEN_URL`. Overrides let tests and self-hosters point at their own servers.
 */
export function providerUrl(connectorKey: string, name: string, fallback: string): string {
  const variable = `HOOKLINE_${connectorKey.toUpperCase()}_${name.toUpperCase()}_URL`;
  return process.env[variable] || fallback;
}
