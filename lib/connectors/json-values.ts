import type { z } from "zod";
import type { JsonValueName, ParameterRow } from "@/lib/connectors/types";
import { MAX_POLLER_RESOURCES, POLLER_RESOURCE_NAME, pollerConfigurationSchema, pollerResourceSchema } from "@/lib/polling/config";

/*
 * The schemas of `json` rows, looked up by the name a row carries in `jsonValue`. Rows stay plain data
 * (a server component hands them to the client form); validation and the OpenAPI document find the
 * schema here. Client-safe: zod only.
 */

/**
 * One kind of JSON value: an object whose entries are each checked by `entry` (what the OpenAPI document
 * describes), validated as a whole by `schema` (which may add rules across entries).
 */
export type JsonValueKind = {
  schema: z.ZodType;
  entry: z.ZodType;
  maxEntries: number;
  entryName: RegExp;
};

const kinds: Record<JsonValueName, JsonValueKind> = {
  pollerConfiguration: {
    schema: pollerConfigurationSchema,
    entry: pollerResourceSchema,
    maxEntries: MAX_POLLER_RESOURCES,
    entryName: POLLER_RESOURCE_NAME,
  },
};

/** The kind of value a `json` row holds; a `json` row without `jsonValue` is a catalog mistake. */
export function jsonValueKind(row: ParameterRow): JsonValueKind {
  const kind = row.jsonValue ? kinds[row.jsonValue] : undefined;
  if (!kind) throw new Error(`The json row ${row.apiName} names no known jsonValue`);
  return kind;
}
