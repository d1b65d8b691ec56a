import { z } from "zod";
import { getConnector } from "@/lib/connectors";
import type { Configuration, CreateInstanceBody } from "@/lib/connectors/schema";
import { decrypt } from "@/lib/crypto/secrets";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { splitSecrets } from "@/lib/instances/secrets";
import type { FlowUser } from "@/lib/oauth/flow";
import { isDraftExpired } from "@/lib/oauth/state";

/*
 * The form entries an OAuth authorization keeps (its encrypted draft), brought back to the connector's
 * form: "Back to the form" on the callback's error page, and the browser's Back (the form's address is
 * replaced with `?from=<authorization>` before the browser leaves for the provider). Only the person who
 * started it gets them, and only while the draft is kept (not completed, not retried, not expired).
 * Secrets never go back into a page: the form shows them blank, and a blank secret is taken from the
 * draft when the form is sent again (`withKeptSecrets`).
 */

type Draft = Omit<CreateInstanceBody, "providerData">;

export type KeptEntries = {
  authorizationId: string;
  name: string;
  tags: string[];
  /** The draft's configuration without its secrets (canonical API names). */
  configuration: Configuration;
  /** API names of the secrets kept (shown blank; left blank, they are used again). */
  keptSecrets: string[];
};

const zAuthorizationId = z.uuid();

async function keptDraft(user: FlowUser, elementKey: string, authorizationId: unknown): Promise<Draft | null> {
  const id = zAuthorizationId.safeParse(authorizationId);
  if (!id.success) return null;
  const row = await db().oAuthAuthorization.findFirst({
    where: { id: id.data, userId: user.id, organizationId: user.organizationId, elementKey, completedAt: null, instanceId: null },
  });
  if (!row?.draftEncrypted || isDraftExpired(row.createdAt)) return null;
  return JSON.parse(decrypt(row.draftEncrypted)) as Draft;
}

/** The kept entries of `authorizationId` for the form of connector `elementKey`, or null when there are none for this person. */
export async function keptFormEntries(user: FlowUser, elementKey: string, authorizationId: unknown): Promise<KeptEntries | null> {
  const connector = getConnector(elementKey);
  const draft = connector ? await keptDraft(user, connector.key, authorizationId) : null;
  if (!connector || !draft) return null;
  const { plain } = splitSecrets(connector, draft.configuration);
  return {
    authorizationId: String(authorizationId),
    name: typeof draft.name === "string" ? draft.name : "",
    tags: Array.isArray(draft.tags) ? draft.tags.filter((tag): tag is string => typeof tag === "string") : [],
    configuration: plain,
    keptSecrets: Object.keys(draft.configuration).filter((key) => !(key in plain) && draft.configuration[key] !== undefined),
  };
}

/**
 * `configuration` as sent again from a form restored from `authorizationId`: each secret left blank
 * takes the kept value. 404 when the entries are no longer kept (then the form must be filled in anew).
 */
export async function withKeptSecrets(user: FlowUser, elementKey: string, authorizationId: unknown, configuration: Record<string, unknown>) {
  const connector = getConnector(elementKey);
  const draft = connector ? await keptDraft(user, connector.key, authorizationId) : null;
  if (!connector || !draft) {
    throw new AppError("not_found", "The entries of that try are no longer kept; fill in the secrets again and send the form.");
  }
  const { plain } = splitSecrets(connector, draft.configuration);
  const merged: Record<string, unknown> = { ...configuration };
  for (const [key, value] of Object.entries(draft.configuration)) {
    if (key in plain) continue;
    if (merged[key] === undefined || merged[key] === null || merged[key] === "") merged[key] = value;
  }
  return merged;
}

/** The draft moved to a new authorization: the old one no longer keeps it (never stored twice). */
export async function releaseKeptDraft(user: FlowUser, authorizationId: string): Promise<void> {
  await db().oAuthAuthorization.updateMany({
    where: { id: authorizationId, userId: user.id, organizationId: user.organizationId, completedAt: null },
    data: { draftEncrypted: null },
  });
}
