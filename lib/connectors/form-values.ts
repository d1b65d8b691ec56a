import { z } from "zod";
import { configurationRows, configurationSchema, type Configuration, type ConnectorSpec, type SchemaMode } from "@/lib/connectors/schema";
import { hasOwn, isRecord } from "@/lib/connectors/storable";
import type { ParameterRow } from "@/lib/connectors/types";

/*
 * A connector's configuration as the instance form holds it: values nested by the dots of the API
 * names (react-hook-form), numbers as the text of their inputs, JSON as the text of its editor; and
 * the resolver that validates that shape with the same `configurationSchema` the API uses.
 */

/** Form values as react-hook-form holds them: nested by the dots of the API names. */
export type ConfigurationFormValues = Record<string, unknown>;

function flattenFormValues(value: unknown, prefix = "", into: Record<string, unknown> = {}): unknown {
  if (!isRecord(value)) return prefix === "" ? value : Object.assign(into, { [prefix]: value });
  for (const [key, inner] of Object.entries(value)) {
    if (key === "__proto__") continue;
    const name = prefix === "" ? key : `${prefix}.${key}`;
    if (isRecord(inner)) flattenFormValues(inner, name, into);
    else into[name] = inner;
  }
  return into;
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * A number input's text as the API wants it: blank → null (not set), a decimal → its number, anything else
 * is left as typed for validation to refuse with the row's message. Other values pass unchanged.
 */
export function numberFromFormText(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const text = value.trim();
  if (text === "") return null;
  return DECIMAL.test(text) ? Number(text) : value;
}

/** The rows whose form inputs hold text that must become a number. */
export function numberApiNames(connector: ConnectorSpec): string[] {
  return configurationRows(connector)
    .filter((row) => row.type === "number")
    .map((row) => row.apiName);
}

/** `configurationSchema` for a react-hook-form resolver whose fields are named by API name. */
export function configurationFormSchema(
  connector: ConnectorSpec,
  { mode }: { mode: SchemaMode },
): z.ZodType<Configuration, ConfigurationFormValues> {
  const numbers = numberApiNames(connector);
  const fromForm = (value: unknown) => {
    const flat = flattenFormValues(value);
    if (!isRecord(flat)) return flat;
    for (const name of numbers) if (hasOwn(flat, name)) flat[name] = numberFromFormText(flat[name]);
    return flat;
  };
  const schema = z.preprocess(fromForm, configurationSchema(connector, { mode }));
  // `preprocess` types its input as `unknown`; the resolver needs the form-values type it is fed.
  return schema as unknown as z.ZodType<Configuration, ConfigurationFormValues>;
}

/**
 * `defaultValues` for the configuration form: every visible configuration row, nested by API name, with
 * booleans at their default and text fields empty; `current` (canonical names, secrets already masked or
 * removed by the caller) overrides them for an edit form.
 */
export function configurationFormDefaults(
  connector: ConnectorSpec,
  current: Configuration = {},
): ConfigurationFormValues {
  const values: ConfigurationFormValues = {};
  for (const row of configurationRows(connector)) {
    if (row.hiddenInForm) continue;
    const fallback = row.type === "boolean" ? (row.default ?? false) : (row.default ?? "");
    const stored = hasOwn(current, row.apiName) ? current[row.apiName] : fallback;
    setNested(values, row.apiName.split("."), formText(row, stored));
  }
  return values;
}

/**
 * A stored value as its form control holds it: a number input holds text, and a `json` row's textarea
 * holds the stored object pretty-printed (an object left in the form values would be flattened into
 * dotted keys, and read back as other parameters).
 */
function formText(row: ParameterRow, stored: unknown): unknown {
  if (row.type === "number" && typeof stored === "number") return String(stored);
  if (row.type === "json") {
    if (stored === undefined || stored === null) return "";
    return typeof stored === "string" ? stored : JSON.stringify(stored, null, 2);
  }
  return stored;
}

function setNested(target: Record<string, unknown>, path: string[], value: unknown): void {
  const [head, ...rest] = path;
  if (head === undefined || head === "__proto__") return;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const next = hasOwn(target, head) ? target[head] : undefined;
  const child = isRecord(next) ? next : {};
  target[head] = child;
  setNested(child, rest, value);
}
