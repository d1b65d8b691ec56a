import { fork, type ChildProcess } from "node:child_process";
import { notifyEnqueued, onEnqueued } from "@/lib/delivery/queue";
import { onStored } from "@/lib/ingest/store";
import { log } from "@/lib/log";
import { coalescedSender, workerMessage } from "@/lib/runtime/worker-messages";

export type WorkerSupervisor = { stop: () => Promise<void> };

/** After a crash the worker is started again after 1 s, doubling to 30 s while it keeps crashing. */
const FIRST_RESTART_MS = 1_000;
const MAX_RESTART_MS = 30_000;
/** A worker that ran this long is healthy again: the next crash restarts it after 1 s. */
const HEALTHY_AFTER_MS = 60_000;
/** How long a stopping worker may finish its deliveries in flight before it is killed. */
const STOP_GRACE_MS = 20_000;

/**
 * Runs the worker (scripts/worker.ts) in a process of its own beside the web server, and keeps it
 * running: a crash is logged and the worker restarted (its leases run out meanwhile, so nothing is
 * lost). Ingests and redelivers of this process wake it over the IPC channel; the events it queues wake
 * this process's live log. The child inherits the environment boot() filled (database URL, keys).
 */
export function superviseWorker(entry: string): WorkerSupervisor {
  let child: ChildProcess | null = null;
  let stopping = false;
  let restartMs = FIRST_RESTART_MS;
  let restartTimer: NodeJS.Timeout | null = null;
  let relaying = false;
  const unsubscribe: (() => void)[] = [];

  const start = () => {
    const startedAt = Date.now();
    const current = fork(entry, [], { stdio: "inherit", env: process.env });
    child = current;
    const wakeOnStored = coalescedSender(current, { type: "stored" });
    const wakeOnEnqueued = coalescedSender(current, { type: "enqueued" });
    unsubscribe.push(
      onStored(wakeOnStored),
      onEnqueued(() => {
        if (!relaying) wakeOnEnqueued();
      }),
    );
    current.on("message", (raw) => {
      const message = workerMessage.safeParse(raw);
      if (!message.success) return;
      if (message.data.type === "ready") log("info", "worker process ready", { pid: current.pid });
      if (message.data.type !== "enqueued") return;
      relaying = true;
      notifyEnqueued();
      relaying = false;
    });
    current.on("error", (error) => log("warn", "worker process channel error", { error: error.message }));
    current.once("exit", (code, signal) => {
      for (const off of unsubscribe.splice(0)) off();
      child = null;
      if (stopping) return;
      if (Date.now() - startedAt > HEALTHY_AFTER_MS) restartMs = FIRST_RESTART_MS;
      log("error", "worker process exited; starting it again", { code, signal, inMs: restartMs });
      restartTimer = setTimeout(start, restartMs);
      restartMs = Math.min(restartMs * 2, MAX_RESTART_MS);
    });
  };
  start();

  return {
    async stop() {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
      running.kill("SIGTERM");
      const killer = setTimeout(() => running.kill("SIGKILL"), STOP_GRACE_MS);
      await exited;
      clearTimeout(killer);
    },
  };
}
