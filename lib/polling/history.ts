import { z } from "zod";

/*
 * History asked for (`POST /instances/{id}/poll` with `since`, or "Poll since" on the instance page):
 * every resource's high-water mark goes back to `since`, and the next poll reads the changes since then.
 */

/** How far back history may go: a year of changes is already far more than one poll reads. */
export const MAX_HISTORY_DAYS = 366;

export const pollSinceSchema = z.iso
  .datetime({ offset: true, error: "since must be an ISO 8601 date-time, e.g. 2026-11-01T00:00:00Z" })
  .transform((value) => new Date(value))
  .refine((date) => date.getTime() <= Date.now(), "since must not be in the future")
  .refine((date) => date.getTime() >= Date.now() - MAX_HISTORY_DAYS * 86_400_000, `since may go back ${MAX_HISTORY_DAYS} days at most`);

/** The body of `POST /instances/{id}/poll`: none, or `{ "since": "<ISO date-time>" }`. */
export const pollBodySchema = z.strictObject(
  { since: pollSinceSchema.optional() },
  { error: (issue) => (issue.code === "unrecognized_keys" ? `Unknown keys: ${issue.keys.join(", ")}; the body takes only since.` : "The body must be a JSON object.") },
);

/** The first message of a failed parse, for a 400 or a form's error. */
export function firstIssue(error: z.ZodError): string {
  return error.issues.map((issue) => issue.message).join("; ");
}
