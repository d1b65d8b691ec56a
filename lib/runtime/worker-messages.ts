import { z } from "zod";

/**
 * What the web process and its worker process (lib/runtime/worker-supervisor.ts, scripts/worker.ts)
 * tell each other over the IPC channel: wake-ups only, so the worker processes a stored webhook at
 * once instead of at its next poll, and the web process's live log announces processed events at once.
 * Losing one costs latency, never an event: both sides also poll the database.
 */
export const workerMessage = z.object({ type: z.enum(["ready", "stored", "enqueued"]) });
export type WorkerMessage = z.infer<typeof workerMessage>;

/**
 * Sends `message` at most once per turn of the event loop however often `send` is called (a burst of
 * ingests is one wake-up), and never while the channel is gone.
 */
export type Channel = { connected: boolean; send?: (message: WorkerMessage, callback: (error: Error | null) => void) => boolean };

export function coalescedSender(channel: Channel, message: WorkerMessage): () => void {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    setImmediate(() => {
      queued = false;
      // A channel closing meanwhile fails the callback instead of emitting an unhandled 'error'.
      if (channel.connected) channel.send?.(message, () => undefined);
    });
  };
}
