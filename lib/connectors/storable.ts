import type { z } from "zod";

/*
 * What the database can store as given, and the URL checks, for every schema of a connector's values
 * (lib/connectors/field-schemas.ts, lib/connectors/schema.ts). Plain functions: safe in a client bundle.
 */

/**
 * How deep an unknown configuration value may nest. Configuration values are strings and booleans; a
 * deeper structure is junk, and thousands of levels overflow the stack of the code that stores it.
 */
export const MAX_CONFIGURATION_DEPTH = 32;

/** What Postgres cannot store in `text` or `jsonb`: U+0000, and half of a UTF-16 surrogate pair. */
const UNSTORABLE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * What in a string the database would refuse (with an error, not a 400), or null. Both reach a JSON body
 * as escapes, `\u0000` and a lone `\ud800`: a raw NUL or invalid UTF-8 byte is refused before parsing.
 */
export function unstorableText(value: string): string | null {
  const match = UNSTORABLE_TEXT.exec(value);
  if (!match) return null;
  return match[0] === "\u0000" ? "the NUL character (\\u0000)" : "an unpaired UTF-16 surrogate (\\ud800-\\udfff)";
}

/**
 * Why a JSON value cannot be stored as given, or null: {@link unstorableText} in any string or key, or
 * nesting deeper than `maxDepth`. Iterative, so a deep value cannot overflow the stack here.
 */
export function unstorableJsonReason(value: unknown, maxDepth = MAX_CONFIGURATION_DEPTH): string | null {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (pending.length > 0) {
    const { value: current, depth } = pending.pop()!;
    if (typeof current === "string") {
      const found = unstorableText(current);
      if (found) return `must not contain ${found}`;
      continue;
    }
    if (typeof current !== "object" || current === null) continue;
    if (depth >= maxDepth) return `must not be nested more than ${maxDepth} levels deep`;
    for (const [key, inner] of Object.entries(current)) {
      const found = Array.isArray(current) ? null : unstorableText(key);
      if (found) return `must not have a key containing ${found}`;
      pending.push({ value: inner, depth: depth + 1 });
    }
  }
  return null;
}

/** A string check (for `superRefine`): an issue when the database could not store the value. */
export function storableText(label: string) {
  return (value: string, ctx: z.RefinementCtx) => {
    const found = unstorableText(value);
    if (found) ctx.addIssue({ code: "custom", message: `${label} must not contain ${found}` });
  };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function hasOwn(value: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(value, key);
}

/** True for an absolute `http:` or `https:` URL with a host. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

/**
 * True for a URL carrying `user:pass@` (or just `user@`). Such URLs are refused rather than stored with
 * the credentials hidden: every place that shows or logs a URL (instance page, API answers, delivery
 * log) would have to mask them, and one that forgot would show them in plain text.
 */
export function hasUrlCredentials(value: string): boolean {
  try {
    const url = new URL(value);
    return url.username !== "" || url.password !== "";
  } catch {
    return false;
  }
}
