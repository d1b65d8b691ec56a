import { z } from "zod";

/**
 * What `npm start`'s processes tell each other over their IPC channels (lib/runtime/child-supervisor.ts,
 * lib/runtime/parent-channel.ts): the edge (scripts/start.ts: webhook ingest, and the proxy in front of
 * the console), the console (scripts/console.ts: Next.js) and the worker (scripts/worker.ts). Wake-ups
 * only: the worker processes a stored webhook at once instead of at its next poll, and the console's
 * live log announces processed events at once. Losing one costs latency, never an event: every side
 * also polls the database. The edge relays each child's wake-ups to the other children.
 */
export const childMessage = z.object({ type: z.enum(["ready", "stored", "enqueued"]) });
export type ChildMessage = z.infer<typeof childMessage>;
export type WakeUp = Exclude<ChildMessage["type"], "ready">;

/**
 * Sends `message` at most once per turn of the event loop however often `send` is called (a burst of
 * ingests is one wake-up), and never while the channel is gone.
 */
export type Channel = { connected: boolean; send?: (message: ChildMessage, callback: (error: Error | null) => void) => boolean };

export function coalescedSender(channel: Channel, message: ChildMessage): () => void {
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
