// The worker process `npm start` forks beside the edge and the console (lib/runtime/child-supervisor.ts):
// processing stored webhooks, polling, delivering events, table upkeep and OAuth token refresh, at a lower CPU
// priority (HOOKLINE_WORKER_NICE), so that under load webhook ingest and the console run first and
// deliveries catch up after. Its database, keys and settings come from the edge process's environment.
// It stops when told (SIGTERM/SIGINT) and when the edge process is gone (the IPC channel closes).
import os from "node:os";
import { startDeliveryWorker } from "@/lib/delivery/worker";
import { disconnectDb } from "@/lib/db/client";
import { closeEventsPool } from "@/lib/db/pg-pool";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { startTokenRefresher } from "@/lib/oauth/background-refresh";
import { ensureWebhookSecrets } from "@/lib/instances/webhook-secret";
import { startPoller } from "@/lib/polling/poller";
import { joinParent } from "@/lib/runtime/parent-channel";
import { logUnhandledRejections } from "@/lib/runtime/process-guards";

logUnhandledRejections();
const connectionString = env().DATABASE_URL;
if (!connectionString) throw new Error("the worker process needs DATABASE_URL (npm start sets it)");

try {
  os.setPriority(env().HOOKLINE_WORKER_NICE);
} catch (error) {
  log("warn", "could not lower the worker's CPU priority; it runs at the web server's", { error: String(error) });
}

const worker = await startDeliveryWorker({ connectionString });
const stopRefresher = startTokenRefresher();
// Polling instances (event.vendor.type "polling" or "both"), on their refresh intervals.
const poller = startPoller();
// Instances made before webhook URL secrets get one, and their provider webhooks move to the new URL.
void ensureWebhookSecrets().catch((error: unknown) => log("error", "could not give instances a webhook URL secret", { error: String(error) }));

let stopping = false;
async function stop(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log("info", "worker stopping", { reason });
  await poller.stop();
  await worker.stop();
  await stopRefresher();
  await closeEventsPool();
  await disconnectDb();
  process.exit(0);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void stop(signal));
// Wake-ups: the edge's stores reach this process's processor; events queued here wake the console's live log.
joinParent(() => void stop("the edge process is gone")).ready();
