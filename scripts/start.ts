// `npm start`: boots Hookline (database, migrations, admin), builds the web app if needed, and
// serves it. Ctrl-C (or SIGTERM) stops the web server, the database pool and the embedded
// PostgreSQL, in that order.
import { spawnSync } from "node:child_process";
import { existsSync, statSync, readdirSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import next from "next";
import { disconnectDb } from "@/lib/db/client";
import { env, publicUrl } from "@/lib/env";
import { log } from "@/lib/log";
import { boot } from "@/lib/runtime/boot";

const root = path.resolve(import.meta.dirname, "..");

function newestSourceTime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "generated" || entry.name === "node_modules") continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceTime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** A production build is made on first start and whenever the sources are newer than it. */
function ensureBuild(): void {
  const buildId = path.join(root, process.env.HOOKLINE_NEXT_DIST_DIR || ".next", "BUILD_ID");
  const sources = ["app", "components", "lib"].map((d) => newestSourceTime(path.join(root, d)));
  if (existsSync(buildId) && statSync(buildId).mtimeMs > Math.max(...sources)) return;
  log("info", "building the web app (first start or sources changed)");
  const result = spawnSync("npx", ["--no-install", "next", "build"], { cwd: root, stdio: "inherit", env: process.env });
  if (result.status !== 0) throw new Error("next build failed");
}

async function main(): Promise<void> {
  const database = await boot();
  const dev = env().HOOKLINE_DEV;
  if (!dev) ensureBuild();

  const { PORT, HOSTNAME } = env();
  const app = next({ dev, dir: root, hostname: HOSTNAME, port: PORT });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = http.createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(PORT, HOSTNAME, resolve));
  log("info", "Hookline is ready", { url: publicUrl(), port: PORT });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log("info", "stopping", { signal });
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await disconnectDb();
    await database.stop();
    log("info", "stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  log("error", "Hookline failed to start", { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
