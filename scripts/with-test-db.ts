// Runs a test command against a fresh, migrated database of its own (see lib/db/test-database.ts)
// with generated secrets, then drops the database. Usage: tsx scripts/with-test-db.ts <command…>
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createTestDatabase } from "@/lib/db/test-database";

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: tsx scripts/with-test-db.ts <command> [args…]");
  process.exit(2);
}

const database = await createTestDatabase(process.env.DATABASE_URL);
const dataDir = await mkdtemp(path.join(os.tmpdir(), "hookline-test-data-"));
const child = spawn(command, args, {
  stdio: "inherit",
  shell: process.platform === "win32",
  env: {
    ...process.env,
    // The server the run's databases are created on, for tests that need more than one.
    HOOKLINE_TEST_ADMIN_DATABASE_URL: process.env.DATABASE_URL ?? "",
    DATABASE_URL: database.url,
    HOOKLINE_DATA_DIR: dataDir,
    HOOKLINE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
  },
});
const forward = (signal: NodeJS.Signals) => child.kill(signal);
process.on("SIGINT", forward);
process.on("SIGTERM", forward);
const code = await new Promise<number>((resolve) => child.on("exit", (c, s) => resolve(c ?? (s ? 1 : 0))));
await database.dispose().catch((error: unknown) => console.error("could not drop the test database:", error));
await rm(dataDir, { recursive: true, force: true });
process.exit(code);
