import { z } from "zod";
import { jsonIssueMessages } from "@/lib/connectors/json-issues";
import { jsonValueKind } from "@/lib/connectors/json-values";
import { hasUrlCredentials, isHttpUrl, isRecord, storableText, unstorableJsonReason } from "@/lib/connectors/storable";
import type { ParameterRow } from "@/lib/connectors/types";

/*
 * The zod schema of ONE Parameters row, by its type: boolean, string/url/secret/list text, number,
 * choice and json. `configurationSchema` (lib/connectors/schema.ts) puts them together per connector.
 */

/** `create`: required rows and defaults apply; `update` (PATCH): every row optional, no defaults. */
export type SchemaMode = "create" | "update";

/** Long enough for any key, URL or secret these providers issue; short enough to stop junk. */
const MAX_TEXT = 4096;

/** `" a, b,,c "` → `"a,b,c"`: the comma-separated form Cloud Elements stores for `list` rows. */
function normalizeList(value: string): string {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "")
    .join(",");
}

function booleanSchema(row: ParameterRow, required: boolean, withDefault: boolean): z.ZodType {
  // Real booleans only: `"yes"`/`"true"` is a client mistake the API reports rather than guesses at.
  const base = z.boolean({
    error: (issue) =>
      issue.input === undefined ? `${row.label} is required` : `${row.label} must be true or false`,
  });
  if (required) return base;
  if (withDefault && typeof row.default === "boolean") return base.prefault(row.default);
  return base.optional();
}

export function textSchema(row: ParameterRow, required: boolean, withDefault: boolean): z.ZodType {
  const requiredMessage = `${row.label} is required`;
  const finalize = (value: string) => (row.type === "list" ? normalizeList(value) : value);
  const isBlank = (value: string) => finalize(value).trim() === "";

  let text = z.string({
    error: (issue) => (issue.input === undefined ? requiredMessage : `${row.label} must be a string`),
  });
  // Secrets are used byte for byte (passwords, HMAC signature keys): trimming one would silently make
  // signatures or logins fail, so only blankness is judged after trimming.
  if (row.type !== "secret") text = text.trim();
  text = text.superRefine(storableText(row.label));
  // No `abort: true` on these checks: an explicitly aborted issue stops zod from running the object-level
  // events rule, and a person should see every problem at once. Later checks skip blank values instead.
  if (required) text = text.refine((value) => !isBlank(value), requiredMessage);
  text = text.max(MAX_TEXT, `${row.label} must be at most ${MAX_TEXT} characters`);
  if (row.type === "url") {
    text = text.refine(
      (value) => value.trim() === "" || isHttpUrl(value),
      `${row.label} must be an http or https URL`,
    );
    text = text.refine(
      (value) => !hasUrlCredentials(value),
      `${row.label} must not contain a user name or password (user:pass@): remove them from the URL`,
    );
  }

  if (required) return text.transform(finalize);
  // A blank optional field (an empty form input) means "not set".
  const optional = text.transform((value) => (isBlank(value) ? undefined : finalize(value))).optional();
  if (withDefault && typeof row.default === "string") return optional.prefault(row.default);
  return optional;
}

/** The one message for every wrong value of a `number` row, naming its bounds. */
export function numberRule(row: ParameterRow): string {
  const range = row.range;
  return range
    ? `${row.label} must be a number greater than ${range.exclusiveMinimum} and at most ${range.maximum}`
    : `${row.label} must be a number`;
}

function numberSchema(row: ParameterRow, required: boolean): z.ZodType {
  const rule = numberRule(row);
  // Real JSON numbers only, like the booleans: `"5"` is a client mistake. NaN and ±Infinity are refused
  // by `z.number()` itself (a form's "1e999" becomes Infinity).
  let number = z.number({ error: (issue) => (issue.input === undefined ? `${row.label} is required` : rule) });
  if (row.range) number = number.gt(row.range.exclusiveMinimum, rule).lte(row.range.maximum, rule);
  if (required) return number;
  // null means "not set": it is how a PATCH (or an emptied form input) clears the value.
  return number
    .nullable()
    .transform((value) => value ?? undefined)
    .optional();
}

/** The one message for every wrong value of a `choice` row, naming the values it accepts. */
export function choiceRule(row: ParameterRow): string {
  return `${row.label} must be one of: ${(row.choices ?? []).join(", ")}`;
}

function choiceSchema(row: ParameterRow, required: boolean, withDefault: boolean): z.ZodType {
  const requiredMessage = `${row.label} is required`;
  const rule = choiceRule(row);
  const choices = row.choices ?? [];
  // Exact values only (after trimming): `Polling` is a client mistake the API reports rather than guesses at.
  let text = z.string({ error: (issue) => (issue.input === undefined ? requiredMessage : rule) }).trim();
  if (required) text = text.refine((value) => value !== "", requiredMessage);
  text = text.refine((value) => value === "" || choices.includes(value), rule);
  if (required) return text;
  // Blank or null means "not set", as for text rows and numbers: how a form or a PATCH clears it.
  const optional = text
    .nullable()
    .transform((value) => (value === null || value === "" ? undefined : value))
    .optional();
  if (withDefault && typeof row.default === "string") return optional.prefault(row.default);
  return optional;
}

/** The longest JSON text a `json` row takes: far more than 20 resources need, little enough to parse at once. */
export const MAX_JSON_TEXT = 64 * 1024;

/** A JSON string as its value, or an issue message when it is no JSON. */
function parseJsonText(row: ParameterRow, text: string): { value: unknown } | { message: string } {
  if (text.length > MAX_JSON_TEXT) return { message: `${row.label} must be at most ${MAX_JSON_TEXT} characters of JSON` };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : "it does not parse";
    return { message: `${row.label} is not valid JSON: ${reason}` };
  }
}

/**
 * A `json` row: a JSON object, or the same object as a JSON string (a form's textarea, and what some
 * Cloud Elements clients send), stored as the parsed object after the row's schema passes it. Blank,
 * null or "" means not set. Problems inside the object name their path (`tickets.url must not be empty`).
 */
function jsonSchema(row: ParameterRow, required: boolean): z.ZodType {
  const kind = jsonValueKind(row);
  const requiredMessage = `${row.label} is required`;
  return z
    .unknown()
    .transform((input, ctx) => {
      const blank = input === undefined || input === null || (typeof input === "string" && input.trim() === "");
      if (blank) {
        if (required) ctx.addIssue({ code: "custom", message: requiredMessage });
        return undefined;
      }
      let value: unknown = input;
      if (typeof input === "string") {
        const parsed = parseJsonText(row, input);
        if ("message" in parsed) {
          ctx.addIssue({ code: "custom", message: parsed.message });
          return z.NEVER;
        }
        value = parsed.value;
      }
      if (!isRecord(value)) {
        ctx.addIssue({ code: "custom", message: `${row.label} must be a JSON object (or the same object as a JSON string)` });
        return z.NEVER;
      }
      // Checked before the schema, which would otherwise walk a value nested thousands of levels deep.
      const unstorable = unstorableJsonReason(value);
      if (unstorable) {
        ctx.addIssue({ code: "custom", message: `${row.label} ${unstorable}` });
        return z.NEVER;
      }
      const checked = kind.schema.safeParse(value, { reportInput: true });
      if (!checked.success) {
        for (const message of jsonIssueMessages(row.label, checked.error.issues)) ctx.addIssue({ code: "custom", message });
        return z.NEVER;
      }
      return checked.data as unknown;
    })
    .optional();
}

export function fieldSchema(row: ParameterRow, mode: SchemaMode): z.ZodType {
  // PATCH merges into the stored configuration, so nothing is required and no default may overwrite it.
  const required = mode === "create" && row.required;
  const withDefault = mode === "create";
  if (row.type === "boolean") return booleanSchema(row, required, withDefault);
  if (row.type === "number") return numberSchema(row, required);
  if (row.type === "choice") return choiceSchema(row, required, withDefault);
  if (row.type === "json") return jsonSchema(row, required);
  return textSchema(row, required, withDefault);
}
