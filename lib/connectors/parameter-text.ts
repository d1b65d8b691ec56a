import type { ParameterRow } from "@/lib/connectors/types";

/**
 * What the docs say about a parameter beyond its description, derived from the row's fields (the
 * catalog's descriptions never repeat them): whether it is optional, when it is required, its default
 * and its bounds.
 */
export function parameterNotes(row: ParameterRow): { optional: boolean; after: string[] } {
  const after: string[] = [];
  if (row.requiredWhenEventsEnabled) after.push("Required when events are enabled.");
  if (row.default !== undefined) after.push(`Default: ${String(row.default)}.`);
  if (row.range) after.push(`A JSON number greater than ${row.range.exclusiveMinimum} and at most ${row.range.maximum}.`);
  return { optional: !row.required, after };
}

/** The docs' whole sentence for a parameter, as plain text. */
export function parameterDocText(row: ParameterRow): string {
  const { optional, after } = parameterNotes(row);
  return [optional ? "Optional." : "", row.description.trim(), ...after].filter(Boolean).join(" ");
}
