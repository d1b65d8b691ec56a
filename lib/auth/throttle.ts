import { db } from "@/lib/db/client";

/** Tries per key and window; a window that ended with tries refused doubles the next one (backoff). */
export const MAX_ATTEMPTS = 10;
export const WINDOW_SECONDS = 60;
/** 2^6 × 60 s: at most about an hour between windows, however long the guessing goes on. */
const MAX_STRIKES = 6;

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

// One key's upsert. Every SET expression reads the row as it was, so "the window has ended" means the
// same thing in all three. $3 = limit, $4 = base window in seconds.
const EXPIRED = "t.window_start + make_interval(secs => $4::float8 * power(2, t.strikes)) <= now()";
const COUNT = `
  ON CONFLICT (key) DO UPDATE SET
    attempts = CASE WHEN ${EXPIRED} THEN 1 ELSE t.attempts + 1 END,
    strikes = CASE WHEN ${EXPIRED} THEN CASE WHEN t.attempts > $3 THEN least(t.strikes + 1, ${MAX_STRIKES}) ELSE 0 END ELSE t.strikes END,
    window_start = CASE WHEN ${EXPIRED} THEN now() ELSE t.window_start END
  RETURNING attempts,
    ceil(extract(epoch FROM window_start + make_interval(secs => $4::float8 * power(2, strikes)) - now()))::int AS seconds_left`;

/**
 * Both keys counted in ONE statement: each row is updated under its row lock, so of 100 parallel tries
 * exactly MAX_ATTEMPTS see a count within the limit (a read-then-write check let 13 through). The second
 * key is counted only when the first allows the try: an address that is already refused cannot use up
 * the account's tries and lock its owner out from elsewhere.
 */
const TAKE = `
  WITH first AS (
    INSERT INTO auth_throttle AS t (key, attempts, window_start, strikes) VALUES ($1, 1, now(), 0)
    ${COUNT}
  ), second AS (
    INSERT INTO auth_throttle AS t (key, attempts, window_start, strikes)
    SELECT $2, 1, now(), 0 FROM first WHERE $2::text IS NOT NULL AND first.attempts <= $3
    ${COUNT}
  )
  SELECT first.attempts, first.seconds_left, second.attempts AS second_attempts, second.seconds_left AS second_seconds_left
  FROM first LEFT JOIN second ON true`;

type Row = { attempts: number; seconds_left: number; second_attempts: number | null; second_seconds_left: number | null };

/**
 * Counts one try against `keys` (one or two, e.g. the client address and the account) and says whether
 * it may go ahead. Counters live in PostgreSQL, so every app process enforces the same limit.
 */
export async function takeAttempt(keys: readonly [string] | readonly [string, string]): Promise<ThrottleVerdict> {
  const [row] = await db().$queryRawUnsafe<Row[]>(TAKE, keys[0], keys[1] ?? null, MAX_ATTEMPTS, WINDOW_SECONDS);
  if (!row) throw new Error("auth_throttle upsert returned no row");
  const refusedFor = [
    row.attempts > MAX_ATTEMPTS ? row.seconds_left : 0,
    row.second_attempts !== null && row.second_attempts > MAX_ATTEMPTS ? (row.second_seconds_left ?? 0) : 0,
  ];
  if (refusedFor.every((seconds) => seconds === 0)) return { allowed: true };
  return { allowed: false, retryAfterSeconds: Math.max(1, ...refusedFor) };
}

/** A successful sign-in starts these keys afresh; rows idle for a day go too, so the table stays small. */
export async function clearAttempts(keys: readonly string[]): Promise<void> {
  await db().$executeRawUnsafe(
    "DELETE FROM auth_throttle WHERE key = ANY($1::text[]) OR window_start < now() - interval '1 day'",
    [...keys],
  );
}
