import "server-only";
import { normalizeConfiguration, secretApiNames, type Configuration, type ConnectorSpec } from "@/lib/connectors/schema";
import type { Connector } from "@/lib/connectors/types";
import type { Instance } from "@/lib/generated/prisma/client";
import { instanceFormDefaults, type InstanceFormValues } from "@/lib/forms/instance-form";
import { publicConfiguration } from "@/lib/instances/service";

/**
 * The plain-data part of a connector a client form needs (a full `Connector` holds functions), with its
 * default poller resources for the form to offer.
 */
export function connectorSpec(connector: Connector): ConnectorSpec {
  const polling = connector.events.polling;
  return {
    key: connector.key,
    aliases: [...connector.aliases],
    parameters: connector.parameters.map((row) => ({ ...row })),
    ...(polling ? { pollingDefaults: structuredClone(polling.resources) } : {}),
  };
}

/**
 * The edit form's values: the instance's configuration under canonical API names, with every secret
 * blanked. Only masks exist outside the service, and not even those are sent: a blank secret means
 * "keep the stored one".
 */
export function editFormDefaults(connector: Connector, instance: Instance): InstanceFormValues {
  const { configuration } = normalizeConfiguration(connector, publicConfiguration(instance));
  const current = { ...(configuration as Configuration) };
  for (const apiName of secretApiNames(connector)) {
    if (Object.prototype.hasOwnProperty.call(current, apiName)) current[apiName] = "";
  }
  return instanceFormDefaults(connector, { name: instance.name, tags: instance.tags, configuration: current });
}
