import { AppError } from "@/lib/errors";
import { userSlots } from "@/lib/live-log/user-slots";

/**
 * At most MAX_SEARCHES_PER_USER text searches of the event log run at once per user (in this process).
 * A search can take seconds on a large log, and a person who retypes or reloads starts new ones while
 * the old ones still run; without a limit, one impatient user fills the read pool for everyone.
 */
export const MAX_SEARCHES_PER_USER = 2;

export const TOO_MANY_SEARCHES = `You already have ${MAX_SEARCHES_PER_USER} searches of the event log running. Wait for them to finish (or close other tabs), then search again.`;

const searches = userSlots("searches");

/** Runs `search` in one of `userId`'s slots; throws a 429 AppError when none is free. */
export async function withSearchSlot<T>(userId: string, search: () => Promise<T>): Promise<T> {
  const release = searches.take(userId, MAX_SEARCHES_PER_USER);
  if (!release) throw new AppError("too_many_requests", TOO_MANY_SEARCHES);
  try {
    return await search();
  } finally {
    release();
  }
}
