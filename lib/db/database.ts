import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "@/lib/db/embedded";

export type DatabaseHandle = {
  url: string;
  embedded: boolean;
  stop: () => Promise<void>;
};

const EMBEDDED_DATABASE = "hookline";

/**
 * Uses `DATABASE_URL` when given; otherwise starts the embedded PostgreSQL whose cluster lives in
 * `<data dir>/postgres` and makes sure the `hookline` database exists.
 */
export async function openDatabase(options: {
  databaseUrl?: string;
  dataDir: string;
  postgresPassword: string;
  log?: (line: string) => void;
}): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    return { url: options.databaseUrl, embedded: false, stop: async () => undefined };
  }
  const server = await startEmbeddedPostgres({
    clusterDir: path.join(options.dataDir, "postgres"),
    password: options.postgresPassword,
    log: options.log,
  });
  await createDatabaseIfMissing(server.url("postgres"), EMBEDDED_DATABASE);
  return { url: server.url(EMBEDDED_DATABASE), embedded: true, stop: server.stop };
}

export async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
