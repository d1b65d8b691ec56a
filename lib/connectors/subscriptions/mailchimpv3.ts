import { callProvider, cleanMessage, describeAnswer, idOf, isObject, isSuccess, registerScopes, unregisterEach, type Created, type ProviderResponse, createdWebhook, notAuthorized } from "@/lib/connectors/subscriptions/shared";
import type { SubscriptionContext, WebhookSubscriptionHandler } from "@/lib/connectors/contract";

/**
 * MailChimp: a webhook on each of the account's lists (audiences), scope = the list id.
 * `GET /3.0/lists` → `{ lists: [{ id }], total_items }`; `GET /3.0/lists/{id}/webhooks` →
 * `{ webhooks: [{ id, url }] }` (a webhook for our URL is adopted); `POST /3.0/lists/{id}/webhooks`
 * `{ url, events, sources }` → `{ id, … }`; `DELETE /3.0/lists/{id}/webhooks/{webhook id}` (any 2xx).
 * Errors are problem+json `{ title, detail, errors?: [{ field, message }] }`.
 *
 * Every event type and every source is subscribed: changes made through the API (by other
 * integrations) are events too. MailChimp checks the URL with a GET while creating the webhook, which
 * the ingest endpoint answers 200 (`probeStatus`).
 */

const PROVIDER = "MailChimp";
const EVENTS = { subscribe: true, unsubscribe: true, profile: true, cleaned: true, upemail: true, campaign: true };
const SOURCES = { user: true, admin: true, api: true };
const PAGE_SIZE = 1000;
const MAX_PAGES = 20;

function messageOf(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  const firstError = Array.isArray(body.errors) && isObject(body.errors[0]) ? body.errors[0] : undefined;
  const parts = [cleanMessage(body.title), cleanMessage(firstError?.message) ?? cleanMessage(body.detail)].filter(Boolean);
  return parts.length ? parts.join(": ") : undefined;
}

function failure(response: ProviderResponse, doing: string): { ok: false; reason: string } {
  return { ok: false, reason: describeAnswer(PROVIDER, response, messageOf(response.body), doing) };
}

type Api = { base: string; headers: Record<string, string>; signal?: AbortSignal };

function apiOf(context: SubscriptionContext): Api | null {
  if (!context.oauth) return null;
  return {
    base: `${context.oauth.apiUrl.replace(/\/+$/, "")}/3.0`,
    headers: { authorization: `Bearer ${context.oauth.accessToken}` },
    signal: context.signal,
  };
}

async function accountLists(api: Api): Promise<{ ok: true; lists: string[] } | { ok: false; reason: string }> {
  const lists: string[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({ fields: "lists.id,total_items", count: String(PAGE_SIZE), offset: String(page * PAGE_SIZE) });
    const answer = await callProvider(PROVIDER, { method: "GET", url: `${api.base}/lists?${query}`, headers: api.headers, signal: api.signal });
    if (!answer.ok) return answer;
    if (!isSuccess(answer.response)) return failure(answer.response, "listing the account's lists");
    const body = answer.response.body;
    const items = isObject(body) && Array.isArray(body.lists) ? body.lists : [];
    for (const item of items) {
      const id = isObject(item) ? idOf(item.id) : undefined;
      if (id && !lists.includes(id)) lists.push(id);
    }
    const total = isObject(body) && typeof body.total_items === "number" ? body.total_items : 0;
    if (items.length < PAGE_SIZE || lists.length >= total) break;
  }
  return { ok: true, lists };
}

function webhooksUrl(api: Api, listId: string): string {
  return `${api.base}/lists/${encodeURIComponent(listId)}/webhooks`;
}

async function ensureListWebhook(api: Api, listId: string, webhookUrl: string): Promise<Created> {
  const list = `list ${cleanMessage(listId) ?? ""}`;
  const found = await callProvider(PROVIDER, { method: "GET", url: webhooksUrl(api, listId), headers: api.headers, signal: api.signal });
  if (!found.ok) return found;
  if (!isSuccess(found.response)) return failure(found.response, `listing the webhooks of ${list}`);
  const body = found.response.body;
  const hooks = isObject(body) && Array.isArray(body.webhooks) ? body.webhooks : [];
  const mine = hooks.find((hook) => isObject(hook) && hook.url === webhookUrl);
  const adopted = isObject(mine) ? idOf(mine.id) : undefined;
  if (adopted) return { ok: true, id: adopted };

  const created = await callProvider(PROVIDER, {
    method: "POST",
    url: webhooksUrl(api, listId),
    headers: api.headers,
    body: { url: webhookUrl, events: EVENTS, sources: SOURCES },
    signal: api.signal,
  });
  if (!created.ok) return created;
  if (!isSuccess(created.response)) return failure(created.response, `creating the webhook for ${list}`);
  const id = isObject(created.response.body) ? idOf(created.response.body.id) : undefined;
  return createdWebhook(PROVIDER, id, list);
}

export const mailchimpSubscription: WebhookSubscriptionHandler = {
  scopeName: { one: "list", other: "lists" },

  async register(context) {
    const api = apiOf(context);
    if (!api) return notAuthorized(PROVIDER);
    const lists = await accountLists(api);
    // Nothing is known about which lists should have a webhook: keep what exists, change nothing.
    if (!lists.ok) return { ...lists, subscriptions: context.existing };
    return registerScopes(lists.lists, context.existing, (listId) => ensureListWebhook(api, listId, context.webhookUrl));
  },

  async unregister(context) {
    const api = apiOf(context);
    if (!api) return notAuthorized(PROVIDER);
    return unregisterEach(context.subscriptions, async ({ id, scope = "" }) => {
      const removed = await callProvider(PROVIDER, {
        method: "DELETE",
        url: `${webhooksUrl(api, scope)}/${encodeURIComponent(id)}`,
        headers: api.headers,
        signal: api.signal,
      });
      if (!removed.ok) return removed;
      if (isSuccess(removed.response) || removed.response.status === 404) return { ok: true };
      return failure(removed.response, `removing the webhook of list ${cleanMessage(scope) ?? ""}`);
    });
  },
};
