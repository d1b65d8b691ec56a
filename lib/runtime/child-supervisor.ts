import { fork, type ChildProcess } from "node:child_process";
import type { Socket } from "node:net";
import { notifyEnqueued, onEnqueued } from "@/lib/delivery/queue";
import { notifyStored, onStored } from "@/lib/ingest/store";
import { log } from "@/lib/log";
import { childMessage, coalescedSender, type WakeUp } from "@/lib/runtime/child-messages";

export type ChildSupervisor = {
  /** Resolves when the child has said it is ready the first time. */
  ready: Promise<void>;
  stop: () => Promise<void>;
  /**
   * Sends `message` with `socket` to the running child, which takes the connection over; this process
   * closes its own descriptor of it once sent. False, and the socket untouched, when the child is not
   * running.
   */
  handOff: (message: object, socket: Socket) => boolean;
};

export type ChildOptions = {
  /** For the log: "worker", "console". */
  name: string;
  entry: string;
  /** Added to the environment the edge filled in boot() (database URL, keys). */
  env?: Record<string, string>;
  /** Node's flags for the child (the tsx loader, memory); the edge's own when not given. */
  execArgv?: string[];
  /** How long a stopping child may finish what it has in flight before it is killed. */
  stopGraceMs: number;
};

/** After a crash the child is started again after 1 s, doubling to 30 s while it keeps crashing. */
const FIRST_RESTART_MS = 1_000;
const MAX_RESTART_MS = 30_000;
/** A child that ran this long is healthy again: the next crash restarts it after 1 s. */
const HEALTHY_AFTER_MS = 60_000;

/*
 * Wake-ups relayed between children: one child's "enqueued" is announced in this process, whose
 * listeners forward it to every child but the one it came from.
 */
let relayingFrom: ChildProcess | null = null;
const notifyLocally: Record<WakeUp, () => void> = { stored: notifyStored, enqueued: notifyEnqueued };

/**
 * Runs `entry` in a process of its own beside the edge (scripts/start.ts) and keeps it running: a crash
 * is logged and the child started again (the worker's leases run out meanwhile, so nothing is lost; the
 * console's requests get a 503 meanwhile, ingest goes on). Wake-ups of this process and of the other
 * children reach it over the IPC channel (lib/runtime/child-messages.ts).
 */
export function superviseChild({ name, entry, env, execArgv, stopGraceMs }: ChildOptions): ChildSupervisor {
  let child: ChildProcess | null = null;
  let stopping = false;
  let restartMs = FIRST_RESTART_MS;
  let restartTimer: NodeJS.Timeout | null = null;
  const unsubscribe: (() => void)[] = [];
  let resolveReady!: () => void;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));

  const start = () => {
    const startedAt = Date.now();
    const current = fork(entry, [], { stdio: "inherit", env: { ...process.env, ...env }, execArgv: execArgv ?? process.execArgv });
    child = current;
    for (const type of ["stored", "enqueued"] as const) {
      const wake = coalescedSender(current, { type });
      const subscribe = type === "stored" ? onStored : onEnqueued;
      unsubscribe.push(subscribe(() => relayingFrom !== current && wake()));
    }
    current.on("message", (raw) => {
      const message = childMessage.safeParse(raw);
      if (!message.success) return;
      if (message.data.type === "ready") {
        log("info", `${name} process ready`, { pid: current.pid });
        return resolveReady();
      }
      relayingFrom = current;
      try {
        notifyLocally[message.data.type]();
      } finally {
        relayingFrom = null;
      }
    });
    current.on("error", (error) => log("warn", `${name} process channel error`, { error: error.message }));
    current.once("exit", (code, signal) => {
      for (const off of unsubscribe.splice(0)) off();
      child = null;
      if (stopping) return;
      if (Date.now() - startedAt > HEALTHY_AFTER_MS) restartMs = FIRST_RESTART_MS;
      // A child stops with 0 only when told to (a signal from outside); anything else is a crash.
      log(code === 0 ? "warn" : "error", `${name} process exited; starting it again`, { code, signal, inMs: restartMs });
      restartTimer = setTimeout(start, restartMs);
      restartMs = Math.min(restartMs * 2, MAX_RESTART_MS);
    });
  };
  start();

  return {
    ready,
    handOff(message, socket) {
      if (!child?.connected) return false;
      // The child gets a duplicate of the connection's descriptor. Ours is then closed like any
      // connection the client left (the server's and the connection gate's bookkeeping run as usual);
      // the connection itself lives on in the child, which now holds it.
      socket.pause();
      child.send(message, socket, { keepOpen: true }, () => socket.destroy());
      return true;
    },
    // `stopping` is set before the first await: a child that exits on the same Ctrl-C is not restarted.
    async stop() {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
      running.kill("SIGTERM");
      const killer = setTimeout(() => running.kill("SIGKILL"), stopGraceMs);
      await exited;
      clearTimeout(killer);
    },
  };
}
