/*
 * Dates as Cloud Elements' poller configurations write them: Java `SimpleDateFormat` patterns
 * (`yyyy-MM-dd'T'HH:mm:ss'Z'`), `milliseconds` / `seconds` since the epoch, or `iso8601`. Formatting
 * fills `${gmtDate:<pattern>}` in a poll URL; parsing reads a record's updated and created dates.
 * Supported letters: y M d H m s S, and X / Z for the offset; text between single quotes is literal
 * (`''` is a quote). Anything else in a pattern is refused when the configuration is checked.
 */

type Token = { kind: "field"; letter: string; width: number } | { kind: "literal"; text: string };

const LETTERS = new Set(["y", "M", "d", "H", "m", "s", "S", "X", "Z"]);

export function tokenize(pattern: string): Token[] | { error: string } {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; ) {
    const char = pattern[i] as string;
    if (char === "'") {
      if (pattern[i + 1] === "'") {
        tokens.push({ kind: "literal", text: "'" });
        i += 2;
        continue;
      }
      // Quoted text, in which '' is a quote too.
      let text = "";
      let j = i + 1;
      for (;;) {
        if (j >= pattern.length) return { error: `the quote at position ${i + 1} is not closed` };
        if (pattern[j] === "'" && pattern[j + 1] === "'") {
          text += "'";
          j += 2;
        } else if (pattern[j] === "'") {
          break;
        } else {
          text += pattern[j];
          j += 1;
        }
      }
      tokens.push({ kind: "literal", text });
      i = j + 1;
    } else if (/[A-Za-z]/.test(char)) {
      if (!LETTERS.has(char)) return { error: `the letter ${char} is not supported (use y M d H m s S X Z, and quotes for text)` };
      let width = 1;
      while (pattern[i + width] === char) width += 1;
      tokens.push({ kind: "field", letter: char, width });
      i += width;
    } else {
      tokens.push({ kind: "literal", text: char });
      i += 1;
    }
  }
  return tokens;
}

const EPOCH_FORMATS = new Set(["milliseconds", "seconds", "iso8601"]);

/** Why a date format cannot be used, or null. */
export function dateFormatProblem(format: string): string | null {
  if (EPOCH_FORMATS.has(format)) return null;
  const tokens = tokenize(format);
  return "error" in tokens ? tokens.error : null;
}

const pad = (value: number, width: number) => String(value).padStart(width, "0");

/** `date` in UTC written with `format` (what `${gmtDate:<format>}` becomes). */
export function formatGmtDate(date: Date, format: string): string {
  if (format === "milliseconds") return String(date.getTime());
  if (format === "seconds") return String(Math.floor(date.getTime() / 1000));
  if (format === "iso8601") return date.toISOString();
  const tokens = tokenize(format);
  if ("error" in tokens) throw new Error(`date format ${JSON.stringify(format)}: ${tokens.error}`);
  return tokens
    .map((token) => {
      if (token.kind === "literal") return token.text;
      const { letter, width } = token;
      switch (letter) {
        case "y":
          return width === 2 ? pad(date.getUTCFullYear() % 100, 2) : pad(date.getUTCFullYear(), width);
        case "M":
          return pad(date.getUTCMonth() + 1, width);
        case "d":
          return pad(date.getUTCDate(), width);
        case "H":
          return pad(date.getUTCHours(), width);
        case "m":
          return pad(date.getUTCMinutes(), width);
        case "s":
          return pad(date.getUTCSeconds(), width);
        case "S":
          return pad(date.getUTCMilliseconds(), 3).slice(0, width).padEnd(width, "0");
        case "X":
          return "Z";
        default: // Z
          return "+0000";
      }
    })
    .join("");
}

/** Every `${gmtDate:<format>}` in `template` filled with `date`. */
export function fillGmtDates(template: string, date: Date): string {
  return template.replace(/\$\{gmtDate:([^}]*)\}/g, (_, format: string) => formatGmtDate(date, format));
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Minutes east of UTC of `zone` (UTC, GMT, Z, ±hh:mm, ±hhmm or an IANA name) at `utcMillis`; null if unknown. */
export function zoneOffsetMinutes(zone: string, utcMillis: number): number | null {
  const trimmed = zone.trim();
  if (/^(utc|gmt|z)$/i.test(trimmed)) return 0;
  const fixed = /^(?:utc|gmt)?([+-])(\d{2}):?(\d{2})?$/i.exec(trimmed);
  if (fixed) return (fixed[1] === "-" ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3] ?? 0));
  try {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone: trimmed,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    }).formatToParts(new Date(utcMillis));
    const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
    const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
    return Math.round((wall - Math.floor(utcMillis / 1000) * 1000) / 60_000);
  } catch {
    return null;
  }
}

function parseOffset(text: string): number {
  if (text === "Z" || text === "z") return 0;
  const match = /^([+-])(\d{2}):?(\d{2})?$/.exec(text);
  if (!match) return 0;
  return (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0));
}

/**
 * A record's date read with `format` in `timezone` (unset: UTC; an offset in the text wins). Numbers
 * are accepted for the epoch formats. Null when the value does not match.
 */
export function parseRecordDate(value: unknown, format: string, timezone?: string): Date | null {
  if (format === "milliseconds" || format === "seconds") {
    const number = typeof value === "number" ? value : typeof value === "string" && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isFinite(number)) return null;
    return new Date(format === "seconds" ? number * 1000 : number);
  }
  if (typeof value !== "string") return null;
  if (format === "iso8601") {
    const parsed = new Date(value.trim());
    return /^\d{4}-\d{2}-\d{2}/.test(value.trim()) && !Number.isNaN(parsed.getTime()) ? parsed : null;
  }
  const tokens = tokenize(format);
  if ("error" in tokens) return null;
  const names: string[] = [];
  const source = tokens
    .map((token) => {
      if (token.kind === "literal") return escapeRegex(token.text);
      names.push(token.letter);
      if (token.letter === "X" || token.letter === "Z") return "(Z|z|[+-]\\d{2}:?\\d{2}|[+-]\\d{2})";
      if (token.letter === "S") return "(\\d{1,9})";
      return token.letter === "y" && token.width !== 2 ? "(\\d{4})" : `(\\d{${token.width === 1 ? "1,2" : token.width}})`;
    })
    .join("");
  const match = new RegExp(`^${source}$`).exec(value.trim());
  if (!match) return null;
  const fields: Record<string, string> = {};
  names.forEach((name, index) => (fields[name] = match[index + 1] as string));
  const year = fields.y ? (fields.y.length === 2 ? 2000 + Number(fields.y) : Number(fields.y)) : 1970;
  const month = Number(fields.M ?? 1);
  const day = Number(fields.d ?? 1);
  const hour = Number(fields.H ?? 0);
  const minute = Number(fields.m ?? 0);
  const second = Number(fields.s ?? 0);
  const millis = fields.S ? Number(fields.S.padEnd(3, "0").slice(0, 3)) : 0;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const check = new Date(wall);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return null;
  const zoneText = fields.X ?? fields.Z;
  let offset: number | null = zoneText !== undefined ? parseOffset(zoneText) : timezone ? zoneOffsetMinutes(timezone, wall) : 0;
  if (offset === null) return null;
  // An IANA zone's offset is that of the local time, not of the same clock reading in UTC: settle it.
  if (zoneText === undefined && timezone) offset = zoneOffsetMinutes(timezone, wall - offset * 60_000) ?? offset;
  return new Date(wall - offset * 60_000);
}
