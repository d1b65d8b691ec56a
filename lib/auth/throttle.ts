import { db } from "@/lib/db/client";

export const MAX_FAILURES = 10;
export const WINDOW_MS = 60_000;

/**
 * Password guessing is slowed by refusing an address after 10 failures within a minute. Attempts
 * live in Postgres so every app process enforces the same limit.
 * Returns how many seconds to wait, or 0 when a try is allowed.
 */
export async function secondsUntilAllowed(email: string, now = new Date()): Promise<number> {
  const since = new Date(now.getTime() - WINDOW_MS);
  const failures = await db().loginAttempt.findMany({
    where: { email, success: false, createdAt: { gt: since } },
    orderBy: { createdAt: "asc" },
    select: { createdAt: true },
  });
  if (failures.length < MAX_FAILURES) return 0;
  const oldestCounted = failures[failures.length - MAX_FAILURES]!.createdAt;
  return Math.max(1, Math.ceil((oldestCounted.getTime() + WINDOW_MS - now.getTime()) / 1000));
}

export async function recordAttempt(email: string, success: boolean): Promise<void> {
  await db().loginAttempt.create({ data: { email, success } });
  if (success) {
    // A successful sign-in clears the slate; old rows are pruned so the table stays small.
    await db().loginAttempt.deleteMany({
      where: { OR: [{ email }, { createdAt: { lt: new Date(Date.now() - 24 * 3600_000) } }] },
    });
  }
}
