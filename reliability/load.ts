// A provider-like sender for the reliability suite: every event is POSTed until it gets a 2xx (as
// Campaign Monitor or MailChimp retry), several in flight, and each carries its sequence number so
// what is stored and delivered can be matched to what was acknowledged.
import { campaignMonitorBody } from "@/bench/setup";
import { readBody, withDeadline } from "@/lib/net/deadline";

export type LoadResult = { sent: number; attempts: number; acked: Set<number>; gaveUp: Set<number> };

const SEQ = /seq-(\d+)@/g;

/** Every sequence number that occurs in a text (a stored body, a delivered notification). */
export function sequenceNumbers(text: string): number[] {
  return [...text.matchAll(SEQ)].map((match) => Number(match[1]));
}

export function sequenceBody(seq: number): string {
  return campaignMonitorBody(`seq-${seq}`);
}

/**
 * Sends `total` events to `url` with `concurrency` in flight. `onAck` sees the count after each 2xx
 * (the crash test kills the server from there). A refused or failed try is retried after a pause.
 */
export async function sendEvents(options: {
  url: string;
  total: number;
  concurrency: number;
  /** The first sequence number (0): each body is unique, a repeat would be stored as a DUPLICATE. */
  from?: number;
  maxAttempts?: number;
  onAck?: (acked: number) => void;
}): Promise<LoadResult> {
  const acked = new Set<number>();
  const gaveUp = new Set<number>();
  const from = options.from ?? 0;
  let next = from;
  let attempts = 0;
  const maxAttempts = options.maxAttempts ?? 400;
  const sendOne = async (seq: number) => {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      attempts++;
      try {
        const ok = await withDeadline(15_000, async (signal) => {
          const response = await fetch(options.url, { method: "POST", headers: { "content-type": "application/json" }, body: sequenceBody(seq), signal });
          await readBody(response, signal);
          return response.ok;
        });
        if (ok) {
          acked.add(seq);
          options.onAck?.(acked.size);
          return;
        }
      } catch {
        // refused or reset while the server is down: like a provider, try again shortly
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    gaveUp.add(seq);
  };
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < from + options.total) await sendOne(next++);
    }),
  );
  return { sent: options.total, attempts, acked, gaveUp };
}
