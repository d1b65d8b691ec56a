import { z } from "zod";
import {
  instanceNameSchema,
  tagsSchema,
  type Configuration,
  type ConnectorSpec,
  type SchemaMode,
} from "@/lib/connectors/schema";
import {
  configurationFormDefaults,
  configurationFormSchema,
  numberApiNames,
  numberFromFormText,
  type ConfigurationFormValues,
} from "@/lib/connectors/form-values";
import type { ParameterRow } from "@/lib/connectors/types";
import { flattenFormValues } from "@/lib/forms/flatten";

/*
 * The instance form (create and edit), derived from a connector's Parameters rows. Client-safe: it reads
 * a plain `ConnectorSpec`, never the registry. Field names are API names, so an error the server reports
 * for `oauth.api.key` lands on the field react-hook-form knows as `oauth.api.key`.
 */

export const EVENTS_ENABLED = "event.notification.enabled";

/** Form values: the body rows (`name`, `tags`) beside the configuration, nested by the dots of API names. */
export type InstanceFormValues = ConfigurationFormValues & { name: string; tags: string[] };

/** What the resolver hands to `onSubmit` once the values pass. */
export type InstanceFormOutput = { name: string; tags: string[]; configuration: Configuration };

/** The rows of the form in the order they are shown. */
export type FormSections = {
  /** Required rows (Name first, where the table lists it first). */
  required: ParameterRow[];
  /** Neither required nor about events: shown behind "Show optional fields". */
  optional: ParameterRow[];
  /** The `event.notification.enabled` switch, when the connector has one. */
  eventsToggle: ParameterRow | undefined;
  /** The rest of the events group, shown while events are enabled. */
  events: ParameterRow[];
};

const fallbackNameRow: ParameterRow = {
  apiName: "name",
  label: "Name",
  description: "The name for the connector instance.",
  dataType: "Body",
  type: "string",
  required: true,
  group: "general",
  location: "body",
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The rows a person fills in (configuration and body rows that are not filled in by a flow), in sections. */
export function formSections(spec: ConnectorSpec): FormSections {
  const rows = spec.parameters.filter(
    (row) => !row.hiddenInForm && (row.location === "configuration" || row.location === "body"),
  );
  // Every instance has a name, whether or not the connector's table lists it.
  if (!rows.some((row) => row.location === "body" && row.apiName === "name")) rows.unshift(fallbackNameRow);
  return {
    required: rows.filter((row) => row.required && row.group !== "events"),
    optional: rows.filter((row) => !row.required && row.group !== "events"),
    eventsToggle: rows.find((row) => row.apiName === EVENTS_ENABLED),
    events: rows.filter((row) => row.group === "events" && row.apiName !== EVENTS_ENABLED),
  };
}

/**
 * The connector as the edit form validates it: a secret left blank keeps the stored value, so no secret
 * is required there; everything else follows the create rules, because the server validates the merged
 * configuration with them too.
 */
function editableSpec(spec: ConnectorSpec): ConnectorSpec {
  return {
    ...spec,
    parameters: spec.parameters.map((row) =>
      row.type === "secret" ? { ...row, required: false, requiredWhenEventsEnabled: false } : row,
    ),
  };
}

/** Splits form values into the body rows and the (still nested) configuration values. */
function splitFormValues(values: Record<string, unknown>) {
  const { name, tags, ...configuration } = values;
  return { name, tags, configuration };
}

/**
 * The resolver schema for the whole form: `name`, `tags` and the configuration, every problem reported at
 * once under the field's API name. In `update` mode secrets may be blank (blank keeps the stored one).
 */
export function instanceFormSchema(
  spec: ConnectorSpec,
  { mode }: { mode: SchemaMode },
): z.ZodType<InstanceFormOutput, InstanceFormValues> {
  const body = z.object({ name: instanceNameSchema, tags: tagsSchema });
  const configuration = configurationFormSchema(mode === "update" ? editableSpec(spec) : spec, { mode: "create" });
  return z
    .custom<InstanceFormValues>(isRecord, "The form values must be an object")
    .transform((values, ctx) => {
      const split = splitFormValues(values);
      const parsedBody = body.safeParse({ name: split.name, tags: split.tags ?? [] });
      const parsedConfiguration = configuration.safeParse(split.configuration);
      const issues = [...(parsedBody.error?.issues ?? []), ...(parsedConfiguration.error?.issues ?? [])];
      for (const issue of issues) {
        // `tags.3` → `tags`: the chip input is one field.
        const path = issue.path[0] === "tags" ? ["tags"] : issue.path;
        ctx.addIssue({ code: "custom", message: issue.message, path });
      }
      if (!parsedBody.success || !parsedConfiguration.success) return z.NEVER;
      return { ...parsedBody.data, configuration: parsedConfiguration.data };
    });
}

/** `defaultValues` for the form; `current` (canonical API names, secrets blanked) prefills an edit form. */
export function instanceFormDefaults(
  spec: ConnectorSpec,
  current: { name?: string; tags?: string[]; configuration?: Configuration } = {},
): InstanceFormValues {
  return {
    ...configurationFormDefaults(spec, current.configuration),
    name: current.name ?? "",
    tags: current.tags ?? [],
  };
}

/**
 * The values the form hands to its server action: as react-hook-form holds them (a cleared text field
 * stays "" so the server clears it), except that a number input's text becomes a JSON number, or null
 * when blank, which clears it too. Text that is no number is left for the server to refuse.
 */
export function formValuesForAction(spec: ConnectorSpec, values: InstanceFormValues): InstanceFormValues {
  const numbers = numberApiNames(spec);
  if (numbers.length === 0) return values;
  const copy = structuredClone(values);
  for (const apiName of numbers) {
    const path = apiName.split(".");
    const leaf = path.pop();
    const parent = path.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), copy);
    if (leaf !== undefined && isRecord(parent) && Object.prototype.hasOwnProperty.call(parent, leaf)) {
      parent[leaf] = numberFromFormText(parent[leaf]);
    }
  }
  return copy;
}

/**
 * Turns submitted form values (untrusted) into the parts of a Cloud Elements body: `name`, `tags` and a
 * flat `configuration` keyed by API name. Values are passed on as sent; the service validates them.
 */
export function instanceBodyFromForm(values: unknown): {
  name: unknown;
  tags: unknown;
  configuration: Record<string, unknown>;
} {
  if (!isRecord(values)) return { name: undefined, tags: undefined, configuration: {} };
  const split = splitFormValues(values);
  return { name: split.name, tags: split.tags, configuration: flattenFormValues(split.configuration) };
}

/** The API names of every field the form renders, for mapping server errors onto fields. */
export function formFieldNames(spec: ConnectorSpec): string[] {
  const sections = formSections(spec);
  return [...sections.required, ...sections.optional, ...sections.events, ...(sections.eventsToggle ? [sections.eventsToggle] : [])].map(
    (row) => row.apiName,
  );
}
