/**
 * Counters of things each user has running in this process (searches, open streams), kept on
 * globalThis: the custom server and Next's bundle may each load this module, and must share the count.
 */
export type UserSlots = {
  /** Takes one of `userId`'s slots; returns how to give it back (idempotent), or null when `max` are taken. */
  take: (userId: string, max: number) => (() => void) | null;
  count: (userId: string) => number;
};

const globalForSlots = globalThis as unknown as { hooklineUserSlots?: Map<string, Map<string, number>> };

export function userSlots(kind: string): UserSlots {
  globalForSlots.hooklineUserSlots ??= new Map();
  let counts = globalForSlots.hooklineUserSlots.get(kind);
  if (!counts) globalForSlots.hooklineUserSlots.set(kind, (counts = new Map()));
  const taken = counts;
  return {
    take: (userId, max) => {
      const current = taken.get(userId) ?? 0;
      if (current >= max) return null;
      taken.set(userId, current + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (taken.get(userId) ?? 1) - 1;
        if (left > 0) taken.set(userId, left);
        else taken.delete(userId);
      };
    },
    count: (userId) => taken.get(userId) ?? 0,
  };
}
