import { env } from "@/lib/env";
import { userSlots } from "@/lib/live-log/user-slots";

/**
 * Open live-log streams per user in this process, at most HOOKLINE_MAX_STREAMS_PER_USER. Over the cap a
 * new stream is refused (429) rather than the oldest closed: a closed stream's browser reconnects within
 * seconds, so with one tab too many the tabs would close each other in turn forever, each reconnect a
 * catch-up query. Refused, the extra tab says so and retries with backoff; the open ones stay live.
 */

const streams = userSlots("streams");

export const tooManyStreams = (max: number) =>
  `You have ${max} live event logs open already (tabs or windows). Close one of them; this one retries by itself.`;

/** One of `userId`'s stream slots and how to give it back, or null when all are taken. */
export function takeStreamSlot(userId: string, max = env().HOOKLINE_MAX_STREAMS_PER_USER): (() => void) | null {
  return streams.take(userId, max);
}

export function openStreamCount(userId: string): number {
  return streams.count(userId);
}
