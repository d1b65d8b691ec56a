import { callProvider, cleanMessage, describeAnswer, idOf, isObject, isSuccess, listValue, registerScopes, unregisterEach, type Created, type ProviderResponse, createdWebhook, notAuthorized } from "@/lib/connectors/subscriptions/shared";
import type { SubscriptionContext, WebhookSubscriptionHandler } from "@/lib/connectors/contract";

/**
 * Campaign Monitor: one webhook per list in `events.list.ids`, scope = the list id.
 * `GET /lists/{listid}/webhooks.json` → `[{ WebhookID, Url, … }]` (a webhook for our URL is adopted);
 * `POST /lists/{listid}/webhooks.json` `{ Events, Url, PayloadFormat: "json" }` → the new id as a bare
 * JSON string; `DELETE /lists/{listid}/webhooks/{id}.json`. Errors are `{ Code, Message }`.
 */

const PROVIDER = "Campaign Monitor";
const EVENTS = ["Subscribe", "Update", "Deactivate"];

function messageOf(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  const message = cleanMessage(body.Message);
  const code = idOf(body.Code);
  return message && code ? `${message} (code ${code})` : message;
}

function failure(response: ProviderResponse, doing: string): { ok: false; reason: string } {
  return { ok: false, reason: describeAnswer(PROVIDER, response, messageOf(response.body), doing) };
}

type Api = { base: string; headers: Record<string, string>; signal?: AbortSignal };

function apiOf(context: SubscriptionContext): Api | null {
  if (!context.oauth) return null;
  return {
    base: context.oauth.apiUrl.replace(/\/+$/, ""),
    headers: { authorization: `Bearer ${context.oauth.accessToken}` },
    signal: context.signal,
  };
}

function webhooksUrl(api: Api, listId: string): string {
  return `${api.base}/lists/${encodeURIComponent(listId)}/webhooks`;
}

async function ensureListWebhook(api: Api, listId: string, webhookUrl: string): Promise<Created> {
  const list = `list ${cleanMessage(listId) ?? ""}`;
  const found = await callProvider(PROVIDER, { method: "GET", url: `${webhooksUrl(api, listId)}.json`, headers: api.headers, signal: api.signal });
  if (!found.ok) return found;
  if (!isSuccess(found.response)) return failure(found.response, `listing the webhooks of ${list}`);
  const body = found.response.body;
  const mine = Array.isArray(body) ? body.find((hook) => isObject(hook) && hook.Url === webhookUrl) : undefined;
  const adopted = isObject(mine) ? idOf(mine.WebhookID) : undefined;
  if (adopted) return { ok: true, id: adopted };

  const created = await callProvider(PROVIDER, {
    method: "POST",
    url: `${webhooksUrl(api, listId)}.json`,
    headers: api.headers,
    body: { Events: EVENTS, Url: webhookUrl, PayloadFormat: "json" },
    signal: api.signal,
  });
  if (!created.ok) return created;
  if (!isSuccess(created.response)) return failure(created.response, `creating the webhook for ${list}`);
  const id = idOf(created.response.body);
  return createdWebhook(PROVIDER, id, list);
}

export const campaignMonitorSubscription: WebhookSubscriptionHandler = {
  scopeName: { one: "list", other: "lists" },

  async register(context) {
    const api = apiOf(context);
    if (!api) return notAuthorized(PROVIDER);
    const lists = listValue(context.configuration["events.list.ids"]);
    if (lists.length === 0) {
      return { ok: false, reason: "No List IDs (events.list.ids) are set: Campaign Monitor webhooks are registered per list." };
    }
    return registerScopes(lists, context.existing, (listId) => ensureListWebhook(api, listId, context.webhookUrl));
  },

  async unregister(context) {
    const api = apiOf(context);
    if (!api) return notAuthorized(PROVIDER);
    return unregisterEach(context.subscriptions, async ({ id, scope = "" }) => {
      const removed = await callProvider(PROVIDER, {
        method: "DELETE",
        url: `${webhooksUrl(api, scope)}/${encodeURIComponent(id)}.json`,
        headers: api.headers,
        signal: api.signal,
      });
      if (!removed.ok) return removed;
      // Already gone (deleted by hand at Campaign Monitor) is what we wanted.
      if (isSuccess(removed.response) || removed.response.status === 404) return { ok: true };
      return failure(removed.response, `removing the webhook of list ${cleanMessage(scope) ?? ""}`);
    });
  },
};
