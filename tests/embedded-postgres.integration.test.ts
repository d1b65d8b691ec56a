import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "@/lib/db/database";
import { migrate } from "@/lib/db/migrate";

describe("with no DATABASE_URL, Hookline runs its own PostgreSQL", () => {
  let dataDir: string;
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it("starts an embedded server in the data folder, and data survives a restart", async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "hookline-embedded-"));
    await chmod(dataDir, 0o755);
    const first = await openDatabase({ dataDir, postgresPassword: "pw-for-test" });
    expect(first.embedded).toBe(true);
    expect(first.url).toMatch(/^postgresql:\/\/postgres:.*@127\.0\.0\.1:\d+\/hookline$/);
    await migrate(first.url);
    await withClient(first.url, (c) =>
      c.query(`INSERT INTO organizations (id, name, secret_hash, secret_encrypted) VALUES (gen_random_uuid(), 'Survivor', 'h', 'e')`),
    );
    await first.stop();

    const second = await openDatabase({ dataDir, postgresPassword: "pw-for-test" });
    try {
      const { applied } = await migrate(second.url);
      expect(applied).toEqual([]);
      const { rows } = await withClient(second.url, (c) => c.query<{ name: string }>("SELECT name FROM organizations"));
      expect(rows.map((r) => r.name)).toEqual(["Survivor"]);
    } finally {
      await second.stop();
    }
  }, 120_000);

  it("uses DATABASE_URL as given when it is set, without starting a server", async () => {
    const handle = await openDatabase({ databaseUrl: "postgresql://u:p@db.example:5432/x", dataDir: "/nonexistent", postgresPassword: "x" });
    expect(handle).toMatchObject({ url: "postgresql://u:p@db.example:5432/x", embedded: false });
  });
});

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
