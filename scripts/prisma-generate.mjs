// Runs `prisma generate` without network access. Prisma 7's client needs no query engine, but the
// CLI still looks for a schema-engine binary before generating; any existing file satisfies that
// check, so point it at node itself unless the user already has a real engine configured.
import { spawnSync } from "node:child_process";

const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
env.PRISMA_HIDE_UPDATE_MESSAGE = "1";
const result = spawnSync("npx", ["--no-install", "prisma", "generate"], { stdio: "inherit", env });
process.exit(result.status ?? 1);
