import type { AdmitResult, NormalizedEvent, NormalizedEventType, ParseResult } from "@/lib/connectors/contract";

/**
 * Helpers shared by the provider webhook handlers. Everything here returns a value and never throws,
 * because a handler must answer every provider request (a thrown error would become a 500 and
 * make the provider retry, or disable the URL, for a body that will never parse).
 */

export type JsonObject = { [key: string]: unknown };

export type Utf8Result = { ok: true; text: string } | { ok: false; text: string };

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const lenientUtf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });

/** Decodes UTF-8; on invalid bytes returns `ok: false` with U+FFFD replacements so the body can still be stored. */
export function decodeUtf8(body: Buffer): Utf8Result {
  try {
    return { ok: true, text: strictUtf8.decode(body) };
  } catch {
    return { ok: false, text: lenientUtf8.decode(body) };
  }
}

export type JsonResult = { ok: true; value: unknown; text: string } | { ok: false; text: string };

/** Deeper than any provider nests its payloads; deeper JSON is kept as text (stringifying it again would overflow the stack). */
export const MAX_JSON_DEPTH = 256;

/** Whether arrays/objects in JSON text nest deeper than `limit` (brackets inside strings don't count). */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i++; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) {
      if (++depth > limit) return true;
    } else if (char === 0x5d || char === 0x7d) depth--;
  }
  return false;
}

/**
 * Parses a UTF-8 JSON body. Invalid UTF-8 counts as unparseable (JSON is defined over Unicode text), and
 * so does nesting deeper than MAX_JSON_DEPTH.
 */
export function parseJsonBody(body: Buffer): JsonResult {
  const decoded = decodeUtf8(body);
  if (!decoded.ok) return decoded;
  if (nestsDeeperThan(decoded.text, MAX_JSON_DEPTH)) return { ok: false, text: decoded.text };
  try {
    return { ok: true, value: JSON.parse(decoded.text) as unknown, text: decoded.text };
  } catch {
    return { ok: false, text: decoded.text };
  }
}

/**
 * The batch check of `WebhookHandler.admit`: `items` (found at `where` in the body) may hold at most
 * `maxEvents` entries, each a JSON object. Anything else in a batch is not an event of this provider,
 * and a huge batch would be split into thousands of notifications.
 */
export function admitBatch(items: readonly unknown[], where: string, maxEvents: number): AdmitResult {
  if (items.length > maxEvents) {
    return { ok: false, message: `A webhook may carry at most ${maxEvents} events; ${where} has ${items.length}. Send them in several requests.` };
  }
  const bad = items.findIndex((item) => !isObject(item));
  if (bad >= 0) return { ok: false, message: `${where}[${bad}] is not an object; every item of ${where} must be an event object.` };
  return { ok: true };
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A string field, or undefined when absent or of another type. */
export function stringField(source: unknown, key: string): string | undefined {
  if (!isObject(source)) return undefined;
  const value = source[key];
  return typeof value === "string" ? value : undefined;
}

/** An id as providers send it (string or number), normalized to a non-empty string. */
export function idField(source: unknown, key: string): string | undefined {
  if (!isObject(source)) return undefined;
  const value = source[key];
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

/** `YYYY-MM-DD HH:MM:SS` (optionally `T`, fractional seconds and a `Z`/`±HH:MM` offset). */
const PROVIDER_DATE =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Converts a provider timestamp to ISO-8601 UTC. A timestamp without an offset is taken as UTC:
 * MailChimp documents UTC, and Campaign Monitor sends the account's local time without saying which
 * zone, so UTC is the only choice that does not depend on configuration we do not have.
 * Unparseable or out-of-range values fall back to `fallback` (the time the request was received).
 */
export function providerDateToIso(value: unknown, fallback: Date): string {
  if (typeof value !== "string") return fallback.toISOString();
  const match = PROVIDER_DATE.exec(value.trim());
  if (!match) return fallback.toISOString();
  const [, y, mo, d, h, mi, s = "00", frac = "0", offset] = match;
  const millis = Number(`0.${frac}`) * 1000;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Math.floor(millis));
  const parsed = new Date(utc - offsetMinutes(offset) * 60_000);
  if (!sameCalendarFields(parsed, utc, [y, mo, d, h, mi, s]) || Number.isNaN(parsed.getTime())) {
    return fallback.toISOString();
  }
  return parsed.toISOString();
}

function offsetMinutes(offset: string | undefined): number {
  if (offset === undefined || offset.toUpperCase() === "Z") return 0;
  const digits = offset.replace(":", "");
  const sign = digits.startsWith("-") ? -1 : 1;
  return sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
}

/** Rejects rolled-over dates such as `2024-02-31` or `25:00`, which `Date.UTC` silently normalizes. */
function sameCalendarFields(parsed: Date, utc: number, fields: Array<string | undefined>): boolean {
  if (Number.isNaN(parsed.getTime())) return false;
  const asUtc = new Date(utc);
  const actual = [
    asUtc.getUTCFullYear(),
    asUtc.getUTCMonth() + 1,
    asUtc.getUTCDate(),
    asUtc.getUTCHours(),
    asUtc.getUTCMinutes(),
    asUtc.getUTCSeconds(),
  ];
  return fields.every((field, i) => Number(field) === actual[i]);
}

export function normalizedEvent(
  eventType: NormalizedEventType,
  objectType: string,
  objectId: string | null | undefined,
  eventDate: string,
): NormalizedEvent {
  return { eventType, objectType, objectId: objectId ?? null, eventDate };
}

/**
 * `event` with the object's own updated date as `changeDate` (reconciliation with polling), when `value`
 * is a provider date; unchanged when it is not (then `eventDate` is only when the webhook came).
 */
export function withChangeDate(event: NormalizedEvent, value: unknown): NormalizedEvent {
  // Read twice with different fallbacks: equal results mean the date was read, not a fallback.
  const read = providerDateToIso(value, new Date(0));
  return read === providerDateToIso(value, new Date(1)) ? { ...event, changeDate: read } : event;
}

/** Looks a provider's action up in a table; anything not in it is UNKNOWN (a Map, so `toString` is not an action). */
export function eventTypeFrom(
  table: ReadonlyMap<string, NormalizedEventType>,
  key: string | undefined,
): NormalizedEventType {
  return (key !== undefined && table.get(key)) || "UNKNOWN";
}

/** The event reported for anything we received but could not make sense of. */
export function unknownEvent(receivedAt: Date): NormalizedEvent {
  return normalizedEvent("UNKNOWN", "unknown", null, receivedAt.toISOString());
}

/**
 * The result for a body that is not the provider's payload at all (bad JSON, wrong shape, invalid UTF-8):
 * the text is kept so nothing is lost, and one UNKNOWN event makes the delivery visible downstream.
 * `reason` says what the parser missed; the log shows it with "Not recognized".
 */
export function unparseable(body: Buffer, receivedAt: Date, reason: string): ParseResult {
  return { raw: { body: decodeUtf8(body).text }, events: [unknownEvent(receivedAt)], unrecognized: reason };
}

/** Why a body meant to be JSON was not: for `unparseable`. */
export function jsonFailure(parsed: JsonResult): string {
  return parsed.ok ? "" : "The body is not JSON (or not UTF-8, or nested too deeply).";
}

/** Keys that would reach `Object.prototype` (or be mistaken for it) if used as property names. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
const MAX_FORM_DEPTH = 16;
const BRACKETED_KEY = /^([^[\]]*)((?:\[[^[\]]*\])*)$/;

/** `data[merges][FNAME]` → `["data", "merges", "FNAME"]`; a malformed key is kept as one literal segment. */
export function splitBracketedKey(key: string): string[] {
  const match = BRACKETED_KEY.exec(key);
  if (!match || match[1] === "") return [key];
  const rest = match[2] ?? "";
  const segments = rest === "" ? [] : rest.slice(1, -1).split("][");
  return [match[1] ?? key, ...segments];
}

/**
 * Decodes `application/x-www-form-urlencoded` with PHP-style bracketed keys into nested objects.
 * Objects have a null prototype and `__proto__`/`constructor`/`prototype` segments are dropped, so a
 * hostile body cannot pollute prototypes. `[]` appends with the next numeric key. A repeated scalar key
 * keeps the last value (as URLSearchParams-based parsers do); when a key is used both as a scalar and
 * as a parent (`a=1&a[b]=2`), the first use wins: the provider never sends that, so any rule will do
 * as long as a later pair cannot replace a whole subtree.
 */
export function decodeNestedForm(text: string): JsonObject {
  const root: JsonObject = Object.create(null) as JsonObject;
  for (const [key, value] of new URLSearchParams(text)) {
    const segments = splitBracketedKey(key);
    if (segments.length > MAX_FORM_DEPTH || segments.some((s) => FORBIDDEN_KEYS.has(s))) continue;
    assignPath(root, segments, value);
  }
  // Built with null prototypes so keys like `toString` are plain data; handed out as ordinary objects
  // (the dangerous keys are already gone) so consumers and JSON columns see nothing unusual.
  return JSON.parse(JSON.stringify(root)) as JsonObject;
}

function assignPath(root: JsonObject, segments: string[], value: string): void {
  let node = root;
  for (let i = 0; i < segments.length; i += 1) {
    const segment = resolveSegment(node, segments[i] ?? "");
    if (i === segments.length - 1) {
      if (!isObject(node[segment])) node[segment] = value;
      return;
    }
    const next = node[segment];
    if (next === undefined) {
      const child: JsonObject = Object.create(null) as JsonObject;
      node[segment] = child;
      node = child;
    } else if (isObject(next)) {
      node = next;
    } else {
      return;
    }
  }
}

function resolveSegment(node: JsonObject, segment: string): string {
  return segment === "" ? String(Object.keys(node).length) : segment;
}
