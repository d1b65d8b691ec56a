import { z } from "zod";
import { jsonValueKind } from "@/lib/connectors/json-values";
import type { ParameterRow } from "@/lib/connectors/types";
import type { JsonSchema } from "@/lib/api/openapi-shared";

/*
 * A `json` row in the OpenAPI document. Its zod schema takes anything (a JSON string is parsed, then the
 * row's schema judges the object), which JSON Schema would render as `{}`; the document describes the
 * object instead: named entries, each as the row's entry schema says.
 */

const NOTE = "A JSON string holding the same object is accepted too; null or an empty string leaves it unset.";

export function jsonRowSchema(row: ParameterRow): JsonSchema {
  const kind = jsonValueKind(row);
  const entry = { ...(z.toJSONSchema(kind.entry, { unrepresentable: "any", io: "input" }) as JsonSchema) };
  delete entry.$schema; // the document declares the dialect once
  return {
    type: "object",
    title: row.label,
    description: `${row.description} ${NOTE}`,
    minProperties: 1,
    maxProperties: kind.maxEntries,
    propertyNames: { pattern: kind.entryName.source },
    additionalProperties: entry,
  };
}
