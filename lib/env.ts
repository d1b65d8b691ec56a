import path from "node:path";
import { z } from "zod";

const booleanFlag = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((value) => value === "true" || value === "1");

/** Like `booleanFlag`, but on unless set to `false`/`0`. */
const booleanFlagOn = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((value) => value !== "false" && value !== "0");

/** `5,30,120` → `[5, 30, 120]`: seconds to wait before each retry of a failed delivery. */
const secondsList = z
  .string()
  .regex(/^\s*\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*\s*$/, "must be comma-separated seconds, e.g. 5,30,120")
  .transform((value) => value.split(",").map((part) => Number(part.trim())))
  .refine((list) => list.length <= 50 && list.every((s) => s > 0 && s <= 7 * 24 * 3600), "at most 50 delays, each > 0 s and ≤ 7 days");

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
  /** How long a call to a provider's OAuth token or metadata endpoint may take (tests shorten it). */
  HOOKLINE_OAUTH_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).default(10_000),
  /** Run the event delivery worker in this process (turn off for ingest-only processes). */
  HOOKLINE_WORKER: booleanFlagOn,
  /**
   * Niceness of the worker process `npm start` runs beside the web server (0–19): under load the
   * operating system gives webhook ingest and the console the CPU first; deliveries catch up after.
   */
  HOOKLINE_WORKER_NICE: z.coerce.number().int().min(0).max(19).default(10),
  /**
   * Niceness of the console process (Next.js): when the CPU is short, the edge's webhook ingest gets it
   * before page renders and searches do.
   */
  HOOKLINE_CONSOLE_NICE: z.coerce.number().int().min(0).max(19).default(5),
  /** Deliveries one process makes at the same time. */
  HOOKLINE_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(64),
  /** VACUUM/ANALYZE of the pipeline's tables by the worker (off if you run your own, e.g. autovacuum). */
  HOOKLINE_TABLE_MAINTENANCE: booleanFlagOn,
  /**
   * Hours a webhook's dedup key (the provider's event id, else a hash of the body) is remembered: a repeat
   * within them is stored as DUPLICATE and not delivered again. 0 turns deduplication off.
   */
  HOOKLINE_DEDUP_WINDOW_HOURS: z.coerce.number().min(0).max(24 * 30).default(24),
  /** Events one webhook may carry (a Campaign Monitor batch holds up to 1,000); more is refused with a 400. */
  HOOKLINE_MAX_EVENTS_PER_WEBHOOK: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** Deliveries in flight to one instance (its lane) at most, across all processes. */
  HOOKLINE_LANE_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  /** Consecutive failed attempts to an instance's callback URL that pause its lane (the circuit breaker). */
  HOOKLINE_BREAKER_THRESHOLD: z.coerce.number().int().min(1).max(10_000).default(10),
  /** Seconds between the probe deliveries of a paused lane. */
  HOOKLINE_BREAKER_PROBE_SECONDS: z.coerce.number().min(0.1).max(86_400).default(30),
  /** Seconds a claimed delivery stays leased without a heartbeat before another worker may take it. */
  HOOKLINE_DELIVERY_LEASE_SECONDS: z.coerce.number().min(1).max(600).default(5),
  /** Ingest statements one process runs at the same time; webhooks arriving meanwhile share the next one. */
  HOOKLINE_INGEST_WRITERS: z.coerce.number().int().min(1).max(32).default(1),
  /** Seconds before each retry of a failed delivery; after the last one the event is dead. */
  HOOKLINE_DELIVERY_SCHEDULE: secondsList.default([5, 30, 120, 600, 1800, 3600, 7200, 21600, 43200, 86400]),
  /** Callback URLs on loopback / RFC 1918 / ULA addresses are allowed (self-hosting); link-local never. */
  HOOKLINE_ALLOW_PRIVATE_CALLBACKS: booleanFlagOn,
  /** Take the webhook sender's address from the last `X-Forwarded-For` hop (behind a reverse proxy). */
  HOOKLINE_TRUST_PROXY: booleanFlag,
  /** Upper bound on open client connections; the effective cap is also kept below the open-file limit (lib/net/fd-budget.ts). */
  HOOKLINE_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).optional(),
  /** Open connections one client address may hold; unset: 256, or no separate cap behind a trusted proxy. */
  HOOKLINE_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).optional(),
  /** Connections of the pool for people's reads (event log pages, search, chart, stream catch-up); ingest and delivery have their own. */
  HOOKLINE_READ_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
  /** How long one of those reads may run before PostgreSQL cancels it. */
  HOOKLINE_READ_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  /** How long a read waits for a free connection of that pool before it is refused as busy. */
  HOOKLINE_READ_QUEUE_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
  /**
   * Text searches of the event log running at once in one process, all users together; more wait for
   * one to finish (at most `HOOKLINE_READ_QUEUE_TIMEOUT_MS`, then 429). Unset: one fewer than the
   * cores, at least 1, so searches never take every core ingest needs.
   */
  HOOKLINE_MAX_SEARCHES: z.coerce.number().int().min(1).max(1_000).optional(),
  /** Live event log streams one user may have open in one process; more are refused with 429. */
  HOOKLINE_MAX_STREAMS_PER_USER: z.coerce.number().int().min(1).max(10_000).default(5),
  /** ConnectWise's `clientId` header for API calls (newer ConnectWise versions require one); not sent when unset. */
  HOOKLINE_CONNECTWISE_CLIENT_ID: z.string().trim().optional().transform((value) => value || undefined),
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
