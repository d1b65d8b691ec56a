import {
  callProvider,
  cleanMessage,
  describeAnswer,
  idOf,
  isObject,
  isSuccess,
  registerScopes,
  unregisterEach,
  type Created,
  type ProviderResponse,
} from "@/lib/connectors/subscriptions/shared";
import { env, providerUrl } from "@/lib/env";
import type { SubscriptionContext, WebhookSubscriptionHandler } from "@/lib/connectors/contract";

/**
 * ConnectWise PSA: system callbacks at `<server url>/v4_6_release/apis/3.0` (or
 * `HOOKLINE_CONNECTWISECRMREST_API_URL`), one per object type the connector promises events for
 * (tickets, contacts, companies: ConnectWise callbacks are per type), level `owner` = every record of
 * that type; scope = the type. Auth: `Basic base64("<company>+<public key>:<private key>")`, plus the
 * `clientId` header when `HOOKLINE_CONNECTWISE_CLIENT_ID` is set.
 * `GET /system/callbacks` (a callback of that type for our URL is adopted); `POST /system/callbacks`
 * `{ url, objectId, type, level, description, inactiveFlag }` → `{ id, … }`; `DELETE /system/callbacks/{id}`.
 * Errors are `{ code, message, errors?: [{ message }] }`.
 */

export const PROVIDER = "ConnectWise";
const CALLBACK_TYPES = ["ticket", "contact", "company"];
const API_PATH = "/v4_6_release/apis/3.0";
const PAGE_SIZE = 1000;

/** The message of a ConnectWise error body (`{ code, message, errors?: [{ message }] }`). */
export function messageOf(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  const firstError = Array.isArray(body.errors) && isObject(body.errors[0]) ? cleanMessage(body.errors[0].message) : undefined;
  const message = cleanMessage(body.message);
  return message && firstError && firstError !== message ? `${message} ${firstError}` : (message ?? firstError);
}

function failure(response: ProviderResponse, doing: string): { ok: false; reason: string } {
  return { ok: false, reason: describeAnswer(PROVIDER, response, messageOf(response.body), doing) };
}

export type Api = { base: string; headers: Record<string, string>; signal?: AbortSignal };

function text(configuration: Record<string, unknown>, key: string): string | undefined {
  const value = configuration[key];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** The API base and Basic credentials of an instance's configuration. */
export function apiOf(context: Pick<SubscriptionContext, "configuration" | "signal">): Api | { error: string } {
  const { configuration } = context;
  const server = text(configuration, "helpdesk.connectwise.server.url");
  const company = text(configuration, "company");
  const publicKey = text(configuration, "public.key");
  const privateKey = configuration["private.key"];
  if (!server || !company || !publicKey || typeof privateKey !== "string" || privateKey === "") {
    return { error: "The instance lacks its Server URL, Company, User Name or Password, so ConnectWise cannot be called." };
  }
  const clientId = env().HOOKLINE_CONNECTWISE_CLIENT_ID;
  const credentials = Buffer.from(`${company}+${publicKey}:${privateKey}`, "utf8").toString("base64");
  return {
    base: providerUrl("connectwisecrmrest", "api", `${server.replace(/\/+$/, "")}${API_PATH}`).replace(/\/+$/, ""),
    headers: { authorization: `Basic ${credentials}`, ...(clientId ? { clientId } : {}) },
    signal: context.signal,
  };
}

type Callback = { id: string; url: unknown; type: string };

async function listCallbacks(api: Api): Promise<{ ok: true; callbacks: Callback[] } | { ok: false; reason: string }> {
  const answer = await callProvider(PROVIDER, { method: "GET", url: `${api.base}/system/callbacks?pageSize=${PAGE_SIZE}`, headers: api.headers, signal: api.signal });
  if (!answer.ok) return answer;
  if (!isSuccess(answer.response)) return failure(answer.response, "listing its callbacks");
  const items = Array.isArray(answer.response.body) ? answer.response.body : [];
  const callbacks = items.flatMap((item) => {
    const id = isObject(item) ? idOf(item.id) : undefined;
    return isObject(item) && id ? [{ id, url: item.url, type: String(item.type ?? "").toLowerCase() }] : [];
  });
  return { ok: true, callbacks };
}

async function ensureCallback(api: Api, context: SubscriptionContext, type: string, listing: () => ReturnType<typeof listCallbacks>): Promise<Created> {
  const known = await listing();
  if (!known.ok) return known;
  const adopted = known.callbacks.find((callback) => callback.url === context.webhookUrl && callback.type === type);
  if (adopted) return { ok: true, id: adopted.id };

  const created = await callProvider(PROVIDER, {
    method: "POST",
    url: `${api.base}/system/callbacks`,
    headers: api.headers,
    body: {
      url: context.webhookUrl,
      // With level "owner" the object is the whole company's records of that type.
      objectId: 1,
      type,
      level: "owner",
      description: `Hookline instance ${context.instanceId} (${type})`,
      inactiveFlag: false,
    },
    signal: api.signal,
  });
  if (!created.ok) return created;
  if (!isSuccess(created.response)) return failure(created.response, `creating the ${type} callback`);
  const id = isObject(created.response.body) ? idOf(created.response.body.id) : undefined;
  return id ? { ok: true, id } : { ok: false, reason: `${PROVIDER} created the ${type} callback but sent no id back.` };
}

export const connectwiseSubscription: WebhookSubscriptionHandler = {
  scopeName: { one: "callback type", other: "callback types" },

  async register(context) {
    const api = apiOf(context);
    if ("error" in api) return { ok: false, reason: api.error };
    // One listing serves every missing type, and only when one is missing.
    let listing: ReturnType<typeof listCallbacks> | undefined;
    const callbacks = () => (listing ??= listCallbacks(api));
    return registerScopes(CALLBACK_TYPES, context.existing, (type) => ensureCallback(api, context, type, callbacks));
  },

  async unregister(context) {
    const api = apiOf(context);
    if ("error" in api) return { ok: false, reason: api.error };
    return unregisterEach(context.subscriptions, async ({ id, scope }) => {
      const removed = await callProvider(PROVIDER, {
        method: "DELETE",
        url: `${api.base}/system/callbacks/${encodeURIComponent(id)}`,
        headers: api.headers,
        signal: api.signal,
      });
      if (!removed.ok) return removed;
      if (isSuccess(removed.response) || removed.response.status === 404) return { ok: true };
      return failure(removed.response, `removing the ${cleanMessage(scope) ?? ""} callback`);
    });
  },
};
