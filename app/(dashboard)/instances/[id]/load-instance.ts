import "server-only";
import { notFound } from "next/navigation";
import { z } from "zod";
import type { SignedInUser } from "@/lib/auth/session";
import { getConnector } from "@/lib/connectors";
import type { Connector } from "@/lib/connectors/types";
import { AppError } from "@/lib/errors";
import type { Instance } from "@/lib/generated/prisma/client";
import { getInstance, publicConfiguration } from "@/lib/instances/service";

export const zInstanceId = z.coerce.number().int().positive().max(2_147_483_647);

/** The signed-in user's instance `rawId` and its connector; a 404 for anything else (bad, unknown, foreign). */
export async function loadInstance(user: SignedInUser, rawId: string): Promise<{ instance: Instance; connector: Connector }> {
  const id = zInstanceId.safeParse(rawId);
  if (!id.success) notFound();
  let instance: Instance;
  try {
    instance = await getInstance({ organizationId: user.organizationId, userId: user.id }, id.data);
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  }
  const connector = getConnector(instance.elementKey);
  if (!connector) throw new Error(`Instance ${instance.id} uses unknown connector ${instance.elementKey}`);
  return { instance, connector };
}

export type ConfigurationEntry = { apiName: string; label: string; value: string; secret: boolean };

function display(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "boolean" || typeof value === "number") return String(value);
  return JSON.stringify(value) ?? "";
}

/**
 * The configuration as the instance page lists it: catalog rows in table order, then any extra keys a
 * REST client sent. Secrets are masked by `publicConfiguration`; keys keep the spelling the client used.
 */
export function configurationEntries(connector: Connector, instance: Instance): ConfigurationEntry[] {
  const configuration = publicConfiguration(instance);
  const entries: ConfigurationEntry[] = [];
  const seen = new Set<string>();
  for (const row of connector.parameters) {
    if (row.location !== "configuration") continue;
    const key = [row.apiName, ...(row.aliases ?? [])].find((name) => Object.prototype.hasOwnProperty.call(configuration, name));
    if (key === undefined) continue;
    seen.add(key);
    entries.push({ apiName: key, label: row.label, value: display(configuration[key]), secret: row.type === "secret" });
  }
  for (const [key, value] of Object.entries(configuration)) {
    if (seen.has(key)) continue;
    entries.push({ apiName: key, label: key, value: display(value), secret: false });
  }
  return entries;
}
