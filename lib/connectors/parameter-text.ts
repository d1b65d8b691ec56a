import type { ParameterRow } from "@/lib/connectors/types";

/**
 * What the docs say about a parameter beyond its description, derived from the row's fields (the
 * catalog's descriptions never repeat them): whether it is optional, when it is required, its default,
 * its choices, its bounds and its JSON shape.
 */
export function parameterNotes(row: ParameterRow): { optional: boolean; after: string[] } {
  const after: string[] = [];
  if (row.requiredWhenEventsEnabled) after.push("Required when events are enabled.");
  if (row.default !== undefined) after.push(`Default: ${String(row.default)}.`);
  if (row.choices) after.push(`One of: ${row.choices.join(", ")}.`);
  if (row.range) after.push(`A JSON number greater than ${row.range.exclusiveMinimum} and at most ${row.range.maximum}.`);
  if (row.type === "json") after.push("A JSON object, or the same object as a JSON string.");
  return { optional: !row.required, after };
}

/** The docs' whole sentence for a parameter, as plain text. */
export function parameterDocText(row: ParameterRow): string {
  const { optional, after } = parameterNotes(row);
  return [optional ? "Optional." : "", row.description.trim(), ...after].filter(Boolean).join(" ");
}
