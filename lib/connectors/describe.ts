import type { Connector } from "@/lib/connectors/types";

/**
 * A connector as `GET /elements/api-v2/elements/{key}` returns it: Cloud Elements' field names
 * (`configuration[].key/name/required/defaultValue`), derived from the same rows as forms and validation.
 */
export function describeConnector(connector: Connector) {
  return {
    key: connector.key,
    name: connector.name,
    description: connector.description,
    aliases: connector.aliases,
    authentication: { type: connector.auth.type },
    ...(connector.auth.type === "oauth2" ? { oauth: { scopes: connector.auth.scopes, pkce: connector.auth.pkce } } : {}),
    configuration: connector.parameters.map((row) => ({
      key: row.apiName,
      name: row.label,
      description: row.description,
      type: row.type,
      dataType: row.dataType,
      required: row.required,
      ...(row.requiredWhenEventsEnabled ? { requiredWhenEventsEnabled: true } : {}),
      ...(row.default !== undefined ? { defaultValue: row.default } : {}),
      ...(row.range ? { range: { ...row.range } } : {}),
      ...(row.choices ? { choices: [...row.choices] } : {}),
      group: row.group,
      location: row.location,
      ...(row.aliases?.length ? { aliases: row.aliases } : {}),
      hideFromConsole: row.hiddenInForm ?? false,
    })),
    events: { supported: true, ...(connector.events.manualSetup ? { manualSetup: connector.events.manualSetup } : {}) },
  };
}
