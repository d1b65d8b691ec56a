import { notifyEnqueued, onEnqueued } from "@/lib/delivery/queue";
import { notifyStored, onStored } from "@/lib/ingest/store";
import { childMessage, coalescedSender, type WakeUp } from "@/lib/runtime/child-messages";

/**
 * A child process's side of the IPC channel to the edge (lib/runtime/child-supervisor.ts): wake-ups
 * from the edge are announced in this process, and this process's own are sent to the edge, which
 * relays them to the other children. `onGone` runs when the edge is gone (the channel closed): a child
 * never outlives it. Call `ready()` once the child serves.
 */
export function joinParent(onGone: () => void): { ready: () => void } {
  let relaying = false;
  const notifyLocally: Record<WakeUp, () => void> = { stored: notifyStored, enqueued: notifyEnqueued };
  process.on("message", (raw) => {
    const message = childMessage.safeParse(raw);
    if (!message.success || message.data.type === "ready") return;
    relaying = true;
    try {
      notifyLocally[message.data.type]();
    } finally {
      relaying = false;
    }
  });
  for (const type of ["stored", "enqueued"] as const) {
    const announce = coalescedSender(process, { type });
    (type === "stored" ? onStored : onEnqueued)(() => {
      if (!relaying) announce();
    });
  }
  process.on("disconnect", onGone);
  return { ready: () => void process.send?.({ type: "ready" }, () => undefined) };
}
