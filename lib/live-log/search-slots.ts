import os from "node:os";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { userSlots } from "@/lib/live-log/user-slots";

/**
 * At most MAX_SEARCHES_PER_USER text searches of the event log run at once per user (in this process).
 * A search can take seconds on a large log, and a person who retypes or reloads starts new ones while
 * the old ones still run; without a limit, one impatient user fills the read pool for everyone.
 */
export const MAX_SEARCHES_PER_USER = 2;

export const TOO_MANY_SEARCHES = `You already have ${MAX_SEARCHES_PER_USER} searches of the event log running. Wait for them to finish (or close other tabs), then search again.`;

export const SEARCHES_BUSY = "The event log is busy with other people's searches. Try again in a few seconds.";

const searches = userSlots("searches");

/**
 * All users' searches together: at most `HOOKLINE_MAX_SEARCHES` run at once (default: one fewer than
 * the cores). A worst-case search keeps a PostgreSQL backend on a core until its statement timeout;
 * 2 at once on 2 cores left webhook ingest waiting for CPU (p99 97–182 ms against a 50 ms target,
 * README, Reliability). The rest wait in line, first come first served, up to the read queue timeout.
 */
type Gate = { running: number; waiting: Array<() => void> };
const globalForGate = globalThis as unknown as { hooklineSearchGate?: Gate };
const gate = (globalForGate.hooklineSearchGate ??= { running: 0, waiting: [] });

export function maxSearches(): number {
  return env().HOOKLINE_MAX_SEARCHES ?? Math.max(1, os.availableParallelism() - 1);
}

async function enterGate(): Promise<() => void> {
  if (gate.running >= maxSearches()) {
    await new Promise<void>((resolve, reject) => {
      const turn = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        gate.waiting.splice(gate.waiting.indexOf(turn), 1);
        reject(new AppError("too_many_requests", SEARCHES_BUSY));
      }, env().HOOKLINE_READ_QUEUE_TIMEOUT_MS);
      gate.waiting.push(turn);
    });
  } else gate.running++;
  let left = false;
  return () => {
    if (left) return;
    left = true;
    // The slot passes straight to the next in line; only when nobody waits is it given back.
    const next = gate.waiting.shift();
    if (next) next();
    else gate.running--;
  };
}

/** Runs `search` in one of `userId`'s slots and the process's; throws a 429 AppError when none is free. */
export async function withSearchSlot<T>(userId: string, search: () => Promise<T>): Promise<T> {
  const release = searches.take(userId, MAX_SEARCHES_PER_USER);
  if (!release) throw new AppError("too_many_requests", TOO_MANY_SEARCHES);
  try {
    const leave = await enterGate();
    try {
      return await search();
    } finally {
      leave();
    }
  } finally {
    release();
  }
}
