"use server";

import type { ActionResult } from "@/lib/action-result";
import { requireUser } from "@/lib/auth/session";
import { getConnector } from "@/lib/connectors";
import { AppError } from "@/lib/errors";
import { instanceBodyFromForm } from "@/lib/forms/instance-form";
import { beginAuthorization, retryAuthorization, type FlowUser } from "@/lib/oauth/flow";
import { releaseKeptDraft, withKeptSecrets } from "@/lib/oauth/kept-draft";
import { reachableRedirect } from "@/lib/oauth/reachable-redirect";

/*
 * The browser flow's server actions. Each returns the provider's consent URL for the client to open
 * (`window.location.assign(result.data.redirectUrl)`), or the problem as field errors and a message.
 */

/** `formUrl`: the form's own address for these entries, put in the browser's history before it leaves, so Back restores them. */
export type RedirectResult = ActionResult<{ redirectUrl: string; formUrl?: string }>;

async function flowUser(): Promise<FlowUser> {
  const user = await requireUser();
  return { id: user.id, organizationId: user.organizationId };
}

async function asResult(run: () => Promise<{ redirectUrl: string; formUrl?: string }>): Promise<RedirectResult> {
  try {
    const started = await run();
    const { formUrl } = started;
    // A provider this server cannot reach gets Hookline's explanation, not the browser's DNS error page.
    const redirectUrl = await reachableRedirect(started.redirectUrl, formUrl);
    return { ok: true, data: formUrl ? { redirectUrl, formUrl } : { redirectUrl } };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, message: error.message, fieldErrors: error.fieldErrors };
    throw error;
  }
}

/**
 * "Create instance" on an OAuth connector's form: validates the values like `POST /instances` would,
 * stores them as a pending authorization and returns the consent URL. `values` are the generated
 * form's values (nested by API name), as `createInstanceAction` takes them.
 */
export async function startAuthorizationAction(key: unknown, values: unknown): Promise<RedirectResult> {
  const user = await flowUser();
  const connector = typeof key === "string" ? getConnector(key) : undefined;
  if (!connector) return { ok: false, message: "Unknown connector." };
  const { name, tags, configuration } = instanceBodyFromForm(values);
  return asResult(async () => withFormUrl(connector.key, await beginAuthorization(user, { element: { key: connector.key }, name, tags, configuration })));
}

function withFormUrl(key: string, started: { redirectUrl: string; authorizationId: string }): { redirectUrl: string; formUrl: string } {
  return { redirectUrl: started.redirectUrl, formUrl: `/connectors/${key}/new?from=${started.authorizationId}` };
}

/**
 * The connector's form sent again after it was restored from a kept authorization (`from`): secrets
 * left blank are the kept ones; the draft then moves to the new authorization.
 */
export async function resumeAuthorizationAction(key: unknown, from: unknown, values: unknown): Promise<RedirectResult> {
  const user = await flowUser();
  const connector = typeof key === "string" ? getConnector(key) : undefined;
  if (!connector) return { ok: false, message: "Unknown connector." };
  const { name, tags, configuration } = instanceBodyFromForm(values);
  return asResult(async () => {
    const merged = await withKeptSecrets(user, connector.key, from, configuration);
    const started = await beginAuthorization(user, { element: { key: connector.key }, name, tags, configuration: merged });
    await releaseKeptDraft(user, String(from));
    return withFormUrl(connector.key, started);
  });
}

/** "Reconnect" on an instance page: the browser flow again, for the same instance. */
export async function reconnectAction(instanceId: unknown): Promise<RedirectResult> {
  const user = await flowUser();
  const id = typeof instanceId === "number" ? instanceId : Number(instanceId);
  if (!Number.isSafeInteger(id) || id <= 0) return { ok: false, message: "No instance with that id." };
  return asResult(() => beginAuthorization(user, null, { instanceId: id }));
}

/** "Try again" on the callback's error page: a new consent URL for the kept draft. */
export async function retryAuthorizationAction(authorizationId: unknown): Promise<RedirectResult> {
  const user = await flowUser();
  if (typeof authorizationId !== "string") return { ok: false, message: "Nothing to retry." };
  return asResult(() => retryAuthorization(user, authorizationId));
}
