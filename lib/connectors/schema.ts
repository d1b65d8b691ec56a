import { z } from "zod";
import { jsonIssueMessages } from "@/lib/connectors/json-issues";
import { jsonValueKind } from "@/lib/connectors/json-values";
import type { Connector, ParameterRow } from "@/lib/connectors/types";
import type { PollerConfiguration } from "@/lib/polling/config";

/*
 * Validation derived from a connector's Parameters rows, shared by the react-hook-form resolver (client)
 * and the REST/server-action code (server).
 *
 * This module deliberately does not import the registry (`@/lib/connectors`): the registry pulls in the
 * webhook handlers, and those use `node:crypto`, which must not reach a client bundle. Everything here takes
 * the connector (or the catalog) as an argument instead; a `ConnectorSpec` is plain data, so a server
 * component can pass it to a client form as props.
 */

/**
 * The parts of a connector that validation and the form read. Serializable, unlike a full `Connector`.
 * `pollingDefaults` (the connector's `events.polling.resources`) is only read by the form, which offers
 * them as a starting point for `event.poller.configuration`.
 */
export type ConnectorSpec = Pick<Connector, "key" | "aliases" | "parameters"> & { pollingDefaults?: PollerConfiguration };

/** A validated `configuration`: canonical API names; unknown keys are kept as sent. */
export type Configuration = Record<string, unknown>;

export type SchemaMode = "create" | "update";

/** Error messages keyed by API name (`oauth.api.key`, `name`, `element.key`, …). */
export type FieldErrors = Record<string, string[]>;

export type ValidationFailure = { ok: false; message: string; fieldErrors: FieldErrors };

/**
 * Which alias spelling was sent for a canonical API name, e.g.
 * `{ "public.key": "helpdesk.connectwise.username" }`. Only names that were sent as an alias appear.
 */
export type SentAs = Record<string, string>;

export type CreateInstanceBody = {
  /** As sent: may be an alias such as `connectwisehd`; the resolved connector comes with the result. */
  element: { key: string };
  providerData?: { code?: string };
  configuration: Configuration;
  tags?: string[];
  name: string;
};

export type PatchInstanceBody = { name?: string; tags?: string[]; configuration?: Configuration };

export type CreateInstanceResult<C extends ConnectorSpec> =
  | { ok: true; connector: C; value: CreateInstanceBody; sentAs: SentAs }
  | ValidationFailure;

export type PatchInstanceResult = { ok: true; value: PatchInstanceBody; sentAs: SentAs } | ValidationFailure;

export type ConfigurationResult = { ok: true; value: Configuration; sentAs: SentAs } | ValidationFailure;

/** Long enough for any key, URL or secret these providers issue; short enough to stop junk. */
const MAX_TEXT = 4096;
const MAX_NAME = 200;
const MAX_TAG = 100;
const MAX_TAGS = 50;

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
function storableText(label: string) {
  return (value: string, ctx: z.RefinementCtx) => {
    const found = unstorableText(value);
    if (found) ctx.addIssue({ code: "custom", message: `${label} must not contain ${found}` });
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function hasOwn(value: object, key: string): boolean {
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

/** `" a, b,,c "` → `"a,b,c"`: the comma-separated form Cloud Elements stores for `list` rows. */
function normalizeList(value: string): string {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "")
    .join(",");
}

function configurationRows(connector: ConnectorSpec): ParameterRow[] {
  return connector.parameters.filter((row) => row.location === "configuration");
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

function textSchema(row: ParameterRow, required: boolean, withDefault: boolean): z.ZodType {
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

function fieldSchema(row: ParameterRow, mode: SchemaMode): z.ZodType {
  // PATCH merges into the stored configuration, so nothing is required and no default may overwrite it.
  const required = mode === "create" && row.required;
  const withDefault = mode === "create";
  if (row.type === "boolean") return booleanSchema(row, required, withDefault);
  if (row.type === "number") return numberSchema(row, required);
  if (row.type === "choice") return choiceSchema(row, required, withDefault);
  if (row.type === "json") return jsonSchema(row, required);
  return textSchema(row, required, withDefault);
}

/**
 * The zod schema of a connector's `configuration`, keyed by canonical API name.
 *
 * - `create`: required rows must be present and non-blank; defaults are filled in
 *   (`event.notification.enabled` → false); rows marked `requiredWhenEventsEnabled` are required when
 *   `event.notification.enabled` is true.
 * - `update` (PATCH): every row is optional and no default is applied; validate the merged result with
 *   `create` afterwards.
 *
 * Strings are trimmed (secrets excepted) and blank optional values come out as `undefined`; URLs must be
 * absolute http(s); booleans must be real booleans; numbers must be JSON numbers within the row's `range`
 * (null, like a blank string, means not set); `list` rows are normalized to `"a,b,c"`; `choice` values
 * must be one of the row's `choices`; `json` values are objects (a JSON string is parsed) that pass the
 * row's schema, stored parsed. Unknown keys are kept untouched (Cloud Elements tolerates extra keys).
 * Aliases are not resolved here: run {@link normalizeConfiguration} first (or use {@link parseConfiguration}).
 */
export function configurationSchema(
  connector: ConnectorSpec,
  { mode }: { mode: SchemaMode },
): z.ZodType<Configuration, Configuration> {
  const rows = configurationRows(connector);
  const shape = Object.fromEntries(rows.map((row) => [row.apiName, fieldSchema(row, mode)]));
  const known = new Set(rows.map((row) => row.apiName));
  // Unknown keys are kept as sent (Cloud Elements tolerates them), so they must be storable as sent.
  const object = z.looseObject(shape, { error: "configuration must be a JSON object" }).superRefine(
    (value, ctx) => {
      for (const [key, inner] of Object.entries(value)) {
        if (known.has(key)) continue;
        const keyProblem = unstorableText(key);
        // The key goes into the error as JSON would escape it: readable, and no NUL in a message.
        const name = keyProblem ? JSON.stringify(key).slice(1, -1) : key;
        const reason = keyProblem ? `must not contain ${keyProblem}` : unstorableJsonReason(inner);
        if (reason) ctx.addIssue({ code: "custom", path: [name], message: keyProblem ? `The key ${reason}` : `The value ${reason}` });
      }
    },
    { when: (payload) => isRecord(payload.value) },
  );
  if (mode === "update") return object;

  const eventRows = rows.filter((row) => row.requiredWhenEventsEnabled);
  if (eventRows.length === 0) return object;
  return object.superRefine(
    (value, ctx) => {
      if (value["event.notification.enabled"] !== true) return;
      for (const row of eventRows) {
        // A present-but-invalid value already has its own error; only report the missing ones.
        if (value[row.apiName] !== undefined) continue;
        ctx.addIssue({
          code: "custom",
          path: [row.apiName],
          message: `${row.label} is required when events are enabled`,
        });
      }
    },
    // Run even when other fields failed, so a person sees every problem at once.
    { when: (payload) => isRecord(payload.value) },
  );
}

/**
 * Maps alias spellings (e.g. ConnectWise's `helpdesk.connectwise.username`) to canonical API names
 * (`public.key`) before validation.
 *
 * Returns the rewritten configuration and `sentAs`, the alias used for each renamed key, so a response
 * can echo the caller's spelling (see {@link restoreAliases}) and errors can name the key the caller sent.
 * When both the canonical name and an alias are sent, the canonical value wins and the alias is dropped.
 * Input that is not an object is returned as is, for the schema to reject. A `__proto__` key is dropped.
 */
export function normalizeConfiguration(
  connector: ConnectorSpec,
  configuration: unknown,
): { configuration: unknown; sentAs: SentAs } {
  const sentAs: SentAs = {};
  if (!isRecord(configuration)) return { configuration, sentAs };

  const canonicalOf = new Map<string, string>();
  for (const row of configurationRows(connector)) {
    for (const alias of row.aliases ?? []) canonicalOf.set(alias, row.apiName);
  }

  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(configuration)) {
    // Assigning `result["__proto__"]` would replace the object's prototype instead of adding a key.
    if (key === "__proto__") continue;
    const canonical = canonicalOf.get(key);
    if (canonical === undefined) {
      result[key] = value;
    } else if (!hasOwn(configuration, canonical) && !hasOwn(result, canonical)) {
      result[canonical] = value;
      sentAs[canonical] = key;
    }
  }
  return { configuration: result, sentAs };
}

/** Renames canonical keys back to the alias spelling the caller used (the inverse of `normalizeConfiguration`). */
export function restoreAliases(configuration: Configuration, sentAs: SentAs): Configuration {
  return Object.fromEntries(
    Object.entries(configuration).map(([key, value]) => [
      hasOwn(sentAs, key) ? (sentAs[key] ?? key) : key,
      value,
    ]),
  );
}

/** The API names of `secret` rows, aliases included: what must be encrypted at rest and masked on output. */
export function secretApiNames(connector: ConnectorSpec): string[] {
  return connector.parameters
    .filter((row) => row.type === "secret")
    .flatMap((row) => [row.apiName, ...(row.aliases ?? [])]);
}

export const instanceNameSchema = z
  .string({ error: (issue) => (issue.input === undefined ? "Name is required" : "Name must be a string") })
  .trim()
  .min(1, "Name is required")
  .max(MAX_NAME, `Name must be at most ${MAX_NAME} characters`)
  .superRefine(storableText("Name"));

export const tagsSchema = z
  .array(
    z
      .string({ error: "tags must be an array of strings" })
      .trim()
      .min(1, "A tag must not be blank")
      .max(MAX_TAG, `A tag must be at most ${MAX_TAG} characters`)
      .superRefine(storableText("A tag")),
    { error: "tags must be an array of strings" },
  )
  .max(MAX_TAGS, `At most ${MAX_TAGS} tags`);

function providerDataSchema(connector: ConnectorSpec) {
  const rows = connector.parameters.filter((row) => row.location === "providerData");
  const shape = Object.fromEntries(rows.map((row) => [row.apiName, textSchema(row, false, false)]));
  return z.object(shape, { error: "providerData must be a JSON object" });
}

/** The Cloud Elements `POST /instances` body for one connector. `element.key` must be its key or an alias. */
export function createInstanceBodySchema(connector: ConnectorSpec): z.ZodType<CreateInstanceBody> {
  const keys = [connector.key, ...connector.aliases];
  return z.object(
    {
      element: z.object(
        {
          key: z
            .string({ error: "element.key is required" })
            .refine((key) => keys.includes(key), `element.key must be one of: ${keys.join(", ")}`),
        },
        { error: "element must be an object with a key" },
      ),
      providerData: providerDataSchema(connector).optional(),
      // Parsing `{}` when configuration is missing names every missing required field.
      configuration: configurationSchema(connector, { mode: "create" }).prefault({}),
      tags: tagsSchema.optional(),
      name: instanceNameSchema,
    },
    { error: "The request body must be a JSON object" },
  );
}

/** The `PATCH /instances/{id}` body: every part optional; other top-level keys are ignored. */
export function patchInstanceBodySchema(connector: ConnectorSpec): z.ZodType<PatchInstanceBody> {
  return z.object(
    {
      name: instanceNameSchema.optional(),
      tags: tagsSchema.optional(),
      configuration: configurationSchema(connector, { mode: "update" }).optional(),
    },
    { error: "The request body must be a JSON object" },
  );
}

/** The connector whose key or alias is `keyOrAlias` (case-sensitive, as in Cloud Elements). */
export function findConnector<C extends ConnectorSpec>(
  catalog: readonly C[],
  keyOrAlias: string,
): C | undefined {
  return catalog.find((c) => c.key === keyOrAlias || c.aliases.includes(keyOrAlias));
}

/** Keys for issues under `configuration`/`providerData` are the API names, in the spelling the caller sent. */
function fieldKey(path: readonly PropertyKey[], sentAs: SentAs, root: string): string {
  const [head, name] = path;
  if (head === undefined) return root;
  if ((head === "configuration" || head === "providerData") && typeof name === "string") {
    return hasOwn(sentAs, name) ? (sentAs[name] ?? name) : name;
  }
  if (head === "tags") return "tags";
  return path.map(String).join(".");
}

/** A validation failure whose message names the first few fields and their first messages. */
export function validationFailure(fieldErrors: FieldErrors): ValidationFailure {
  const entries = Object.entries(fieldErrors);
  const shown = entries.slice(0, 5).map(([key, messages]) => `${key}: ${messages[0] ?? "invalid"}`);
  const more = entries.length > shown.length ? ` (and ${entries.length - shown.length} more)` : "";
  return { ok: false, message: `Invalid request: ${shown.join("; ")}${more}`, fieldErrors };
}

function failureFromIssues(issues: readonly z.core.$ZodIssue[], sentAs: SentAs, root: string) {
  const fieldErrors: FieldErrors = {};
  for (const issue of issues) {
    const key = fieldKey(issue.path, sentAs, root);
    const messages = hasOwn(fieldErrors, key) ? (fieldErrors[key] ?? []) : [];
    if (!messages.includes(issue.message)) messages.push(issue.message);
    fieldErrors[key] = messages;
  }
  return validationFailure(fieldErrors);
}

/** Normalizes aliases, then validates a bare configuration (e.g. a PATCH merged into the stored one). */
export function parseConfiguration(
  connector: ConnectorSpec,
  input: unknown,
  { mode }: { mode: SchemaMode },
): ConfigurationResult {
  const { configuration, sentAs } = normalizeConfiguration(connector, input);
  const parsed = configurationSchema(connector, { mode }).safeParse(configuration);
  if (!parsed.success) {
    return failureFromIssues(
      parsed.error.issues.map((issue) => ({ ...issue, path: ["configuration", ...issue.path] })),
      sentAs,
      "configuration",
    );
  }
  return { ok: true, value: parsed.data, sentAs };
}

function describeKeys(catalog: readonly ConnectorSpec[]): string {
  return catalog.flatMap((c) => [c.key, ...c.aliases]).join(", ");
}

/**
 * Validates a `POST /instances` body of unknown shape: resolves `element.key` (or its alias) in `catalog`,
 * then applies that connector's schema. Never throws; every mistake comes back as `fieldErrors` keyed by
 * API name (`element.key`, `name`, `tags`, `code`, `oauth.api.key`, …).
 *
 * `catalog` is a parameter rather than an import to keep this module free of the webhook handlers; the
 * server passes `connectors` from `@/lib/connectors`.
 */
export function parseCreateInstanceBody<C extends ConnectorSpec>(
  json: unknown,
  catalog: readonly C[],
): CreateInstanceResult<C> {
  if (!isRecord(json)) {
    return { ok: false, message: "The request body must be a JSON object", fieldErrors: {} };
  }
  const key = isRecord(json.element) ? json.element.key : undefined;
  const connector = typeof key === "string" ? findConnector(catalog, key) : undefined;
  if (!connector) {
    const message =
      typeof key === "string"
        ? `Unknown element key ${JSON.stringify(key.slice(0, 60))}; valid keys: ${describeKeys(catalog)}`
        : `element.key is required; valid keys: ${describeKeys(catalog)}`;
    return validationFailure({ "element.key": [message] });
  }

  const { configuration, sentAs } = normalizeConfiguration(connector, json.configuration);
  const parsed = createInstanceBodySchema(connector).safeParse({ ...json, configuration });
  if (!parsed.success) return failureFromIssues(parsed.error.issues, sentAs, "body");
  return { ok: true, connector, value: parsed.data, sentAs };
}

/** Validates a `PATCH /instances/{id}` body for the instance's connector. Never throws. */
export function parsePatchInstanceBody(connector: ConnectorSpec, json: unknown): PatchInstanceResult {
  if (!isRecord(json)) {
    return { ok: false, message: "The request body must be a JSON object", fieldErrors: {} };
  }
  const { configuration, sentAs } = normalizeConfiguration(connector, json.configuration);
  const body = hasOwn(json, "configuration") ? { ...json, configuration } : json;
  const parsed = patchInstanceBodySchema(connector).safeParse(body);
  if (!parsed.success) return failureFromIssues(parsed.error.issues, sentAs, "body");
  return { ok: true, value: parsed.data, sentAs };
}

/*
 * Forms. react-hook-form reads a dot in a field name as nesting, so fields named by API name
 * (`event.notification.enabled`) produce `{ event: { notification: { enabled } } }`. The form schema
 * flattens that back before validating; its errors, keyed by API name, land on the same fields. Booleans
 * come from a Switch/checkbox as real booleans, so the API's boolean rule holds unchanged.
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
