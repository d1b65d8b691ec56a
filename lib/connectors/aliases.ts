import type { Configuration, ConnectorSpec, SentAs } from "@/lib/connectors/schema";
import { hasOwn, isRecord } from "@/lib/connectors/storable";
import type { ParameterRow } from "@/lib/connectors/types";

/*
 * A connector's configuration rows by name: the other spellings Cloud Elements clients send (aliases)
 * mapped to the canonical API names and back, and which names hold secrets. Plain functions over the
 * connector's data: safe in a client bundle.
 */

/** The rows that live in the body's `configuration`. */
export function configurationRows(connector: ConnectorSpec): ParameterRow[] {
  return connector.parameters.filter((row) => row.location === "configuration");
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
