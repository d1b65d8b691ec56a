import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrate";

export type TestDatabase = { url: string; dispose: () => Promise<void> };

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]", ""]);

/**
 * A fresh, migrated database for one test run: a new database on the server `DATABASE_URL`
 * points at (local servers only, so tests never touch a shared one), or an embedded PostgreSQL
 * in a temporary folder when `DATABASE_URL` is unset.
 */
export async function createTestDatabase(databaseUrl?: string): Promise<TestDatabase> {
  const name = `hookline_test_${Date.now()}_${randomBytes(3).toString("hex")}`;
  if (databaseUrl) {
    const admin = new URL(databaseUrl);
    if (!LOCAL_HOSTS.has(admin.hostname) && process.env.HOOKLINE_TEST_ALLOW_REMOTE_DB !== "true") {
      throw new Error(`Refusing to create test databases on ${admin.hostname}: use a local server`);
    }
    await adminQuery(databaseUrl, `CREATE DATABASE "${name}"`);
    const url = new URL(databaseUrl);
    url.pathname = `/${name}`;
    await migrate(url.toString());
    return {
      url: url.toString(),
      dispose: () => adminQuery(databaseUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    };
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "hookline-test-pg-"));
  await chmod(dir, 0o755); // the unprivileged postgres user must reach the cluster when we are root
  const server = await startEmbeddedPostgres({
    clusterDir: path.join(dir, "postgres"),
    password: randomBytes(12).toString("hex"),
  });
  await adminQuery(server.url("postgres"), `CREATE DATABASE "${name}"`);
  await migrate(server.url(name));
  return {
    url: server.url(name),
    dispose: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
