// The console process `npm start` forks beside the edge (scripts/start.ts) and the worker: Next.js, with
// the pages, server actions, the REST API and the live log's streams, served on a Unix socket in a
// folder only this user can open. The edge proxies every request that is not a provider webhook here,
// having set the client address header (lib/auth/client-address.ts) from the connection it accepted.
// On its own event loop, a busy console (a page of searches, a render) cannot hold up webhook ingest.
// It stops when told (SIGTERM/SIGINT) and when the edge process is gone (the IPC channel closes).
import { rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import next from "next";
import { disconnectDb } from "@/lib/db/client";
import { closeEventsPool } from "@/lib/db/pg-pool";
import { env } from "@/lib/env";
import { closeNotifyHub } from "@/lib/live-log/notify-hub";
import { log } from "@/lib/log";
import { CONSOLE_SOCKET_ENV } from "@/lib/net/console-proxy";
import { acceptHandedStream, streamHandoff } from "@/lib/net/stream-handoff";
import { joinParent } from "@/lib/runtime/parent-channel";
import { logUnhandledRejections } from "@/lib/runtime/process-guards";

logUnhandledRejections();
const socketPath = process.env[CONSOLE_SOCKET_ENV];
if (!socketPath) throw new Error(`the console process needs ${CONSOLE_SOCKET_ENV} (npm start sets it)`);

try {
  os.setPriority(env().HOOKLINE_CONSOLE_NICE);
} catch (error) {
  log("warn", "could not lower the console's CPU priority; it runs at the edge's", { error: String(error) });
}

const root = path.resolve(import.meta.dirname, "..");
const { PORT, HOSTNAME, HOOKLINE_DEV } = env();
const app = next({ dev: HOOKLINE_DEV, dir: root, hostname: HOSTNAME, port: PORT });
await app.prepare();
const handle = app.getRequestHandler();
// Only the edge connects, over kept-alive connections: its own timeouts guard against slow clients,
// so none here (a live-log stream lasts as long as its reader stays).
const server = http.createServer({ requestTimeout: 0, headersTimeout: 0 }, (req, res) => void handle(req, res));
server.keepAliveTimeout = 0;
server.on("upgrade", app.getUpgradeHandler());
// Live-log streams arrive as connections the edge hands over (lib/net/stream-handoff.ts).
process.on("message", (raw, handle) => {
  const message = streamHandoff.safeParse(raw);
  if (message.success && handle instanceof net.Socket) acceptHandedStream(message.data, handle, (socket) => server.emit("connection", socket));
});
rmSync(socketPath, { force: true });
await new Promise<void>((resolve) => server.listen(socketPath, resolve));

let stopping = false;
async function stop(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log("info", "console stopping", { reason });
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await closeNotifyHub();
  await closeEventsPool();
  await disconnectDb();
  process.exit(0);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void stop(signal));
joinParent(() => void stop("the edge process is gone")).ready();
