import { z } from "zod";
import { fieldSchema, textSchema, type SchemaMode } from "@/lib/connectors/field-schemas";
import { configurationRows, normalizeConfiguration } from "@/lib/connectors/aliases";
import { hasOwn, isRecord, storableText, unstorableJsonReason, unstorableText } from "@/lib/connectors/storable";
import type { Connector } from "@/lib/connectors/types";
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

export type { SchemaMode };
export { configurationRows, normalizeConfiguration, restoreAliases, secretApiNames } from "@/lib/connectors/aliases";
export { choiceRule, MAX_JSON_TEXT, numberRule } from "@/lib/connectors/field-schemas";
export { hasUrlCredentials, isHttpUrl, MAX_CONFIGURATION_DEPTH, unstorableJsonReason, unstorableText } from "@/lib/connectors/storable";

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

const MAX_NAME = 200;
const MAX_TAG = 100;
const MAX_TAGS = 50;



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
