import http, { type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/*
 * Small stand-ins for the providers' webhook APIs on 127.0.0.1 (node:http), keeping state like the
 * real ones (webhooks per list, callbacks) and recording every request, so tests can check exactly
 * what Hookline sent. `intercept` makes one answer differ (errors, outages).
 */

export type ProviderRequest = { method: string; path: string; query: URLSearchParams; headers: IncomingHttpHeaders; body: unknown };
export type Reply = { status: number; body?: unknown; contentType?: string; headers?: Record<string, string> };
type Rule = (request: ProviderRequest) => Reply | undefined;

export type FakeProvider = {
  url: string;
  requests: ProviderRequest[];
  /** A rule consulted first; when it returns a reply, the fake's own logic is skipped. `null` clears it. */
  intercept: (rule: Rule | null) => void;
  /** Requests as `METHOD /path`, for compact assertions. */
  calls: () => string[];
  close: () => Promise<void>;
};

async function startFakeProvider(route: (request: ProviderRequest) => Reply, port = 0): Promise<FakeProvider> {
  const requests: ProviderRequest[] = [];
  let rule: Rule | null = null;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://fake.local");
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      const request: ProviderRequest = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, body };
      requests.push(request);
      const reply = rule?.(request) ?? route(request);
      const payload = reply.body === undefined ? "" : JSON.stringify(reply.body);
      res.writeHead(reply.status, { ...(payload ? { "content-type": reply.contentType ?? "application/json" } : {}), ...reply.headers }).end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    requests,
    intercept: (next) => {
      rule = next;
    },
    calls: () => requests.map((r) => `${r.method} ${r.path}`),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let nextId = 1;
const newId = (prefix: string) => `${prefix}${(nextId++).toString(16).padStart(8, "0")}`;

/** Campaign Monitor under `/api/v3.3`: list webhooks; the create answer is the bare id string. */
export async function fakeCampaignMonitor(accessToken: string) {
  const webhooks = new Map<string, { WebhookID: string; Url: string; Events: unknown; PayloadFormat: unknown }[]>();
  const listOf = (id: string) => webhooks.get(id) ?? webhooks.set(id, []).get(id)!;
  /** The token the API takes; `POST /oauth/token` (a refresh) issues and switches to a new one. */
  const tokens = { accepted: accessToken, refreshes: 0 };
  /** Active subscribers per list: `{ EmailAddress, Name, Date ("YYYY-MM-DD HH:MM:SS"), State }`. */
  const active = new Map<string, { EmailAddress: string; Name: string; Date: string; State: string }[]>();
  const provider = await startFakeProvider((request) => {
    if (request.path === "/oauth/token" && request.method === "POST") {
      tokens.refreshes += 1;
      tokens.accepted = `cm-refreshed-${tokens.refreshes}`;
      return { status: 200, body: { access_token: tokens.accepted, expires_in: 1209600, refresh_token: `cm-refresh-${tokens.refreshes}` } };
    }
    if (request.headers.authorization !== `Bearer ${tokens.accepted}`) return { status: 401, body: { Code: 121, Message: "Expired OAuth Token" } };
    const subscribers = /^\/api\/v3\.3\/lists\/([^/]+)\/active\.json$/.exec(request.path);
    if (subscribers && request.method === "GET") {
      const since = request.query.get("date") ?? "";
      const results = (active.get(decodeURIComponent(subscribers[1]!)) ?? []).filter((s) => s.Date >= since);
      return { status: 200, body: { Results: results, PageNumber: 1, NumberOfPages: 1, TotalNumberOfRecords: results.length } };
    }
    if (/^\/api\/v3\.3\/lists\/[^/]+\/unsubscribed\.json$/.test(request.path)) return { status: 200, body: { Results: [], PageNumber: 1, NumberOfPages: 1 } };
    const collection = /^\/api\/v3\.3\/lists\/([^/]+)\/webhooks\.json$/.exec(request.path);
    const single = /^\/api\/v3\.3\/lists\/([^/]+)\/webhooks\/([^/]+)\.json$/.exec(request.path);
    if (collection && request.method === "GET") return { status: 200, body: listOf(decodeURIComponent(collection[1]!)) };
    if (collection && request.method === "POST") {
      const body = request.body as { Url: string; Events: unknown; PayloadFormat: unknown };
      const hook = { WebhookID: newId("cm"), Url: body.Url, Events: body.Events, PayloadFormat: body.PayloadFormat };
      listOf(decodeURIComponent(collection[1]!)).push(hook);
      return { status: 201, body: hook.WebhookID };
    }
    if (single && request.method === "DELETE") {
      const hooks = listOf(decodeURIComponent(single[1]!));
      const index = hooks.findIndex((hook) => hook.WebhookID === single[2]);
      if (index < 0) return { status: 404, body: { Code: 404, Message: "Not found" } };
      hooks.splice(index, 1);
      return { status: 200 };
    }
    return { status: 404, body: { Code: 404, Message: "Unknown route" } };
  });
  return { provider, webhooks, listOf, tokens, active };
}

/** MailChimp under `/3.0`: the account's lists and a webhook collection per list. */
export async function fakeMailChimp(accessToken: string, listIds: string[]) {
  const webhooks = new Map<string, { id: string; url: string; events: unknown; sources: unknown }[]>(listIds.map((id) => [id, []]));
  const problem = (status: number, title: string, detail: string) => ({ status, body: { type: "about:blank", title, status, detail, instance: "x" }, contentType: "application/problem+json" });
  const provider = await startFakeProvider((request) => {
    if (request.headers.authorization !== `Bearer ${accessToken}`) return problem(401, "API Key Invalid", "Your API key may be invalid.");
    if (request.path === "/3.0/lists" && request.method === "GET") {
      return { status: 200, body: { lists: [...webhooks.keys()].map((id) => ({ id })), total_items: webhooks.size } };
    }
    const collection = /^\/3\.0\/lists\/([^/]+)\/webhooks$/.exec(request.path);
    const single = /^\/3\.0\/lists\/([^/]+)\/webhooks\/([^/]+)$/.exec(request.path);
    const hooks = webhooks.get(decodeURIComponent((collection ?? single)?.[1] ?? ""));
    if (!hooks) return problem(404, "Resource Not Found", "The requested resource could not be found.");
    if (collection && request.method === "GET") return { status: 200, body: { webhooks: hooks, total_items: hooks.length } };
    if (collection && request.method === "POST") {
      const body = request.body as { url: string; events: unknown; sources: unknown };
      const hook = { id: newId("mc"), url: body.url, events: body.events, sources: body.sources };
      hooks.push(hook);
      return { status: 200, body: { ...hook, list_id: collection[1] } };
    }
    if (single && request.method === "DELETE") {
      const index = hooks.findIndex((hook) => hook.id === single[2]);
      if (index < 0) return problem(404, "Resource Not Found", "The requested resource could not be found.");
      hooks.splice(index, 1);
      return { status: 204 };
    }
    return problem(404, "Resource Not Found", "Unknown route.");
  });
  return { provider, webhooks };
}

/**
 * ConnectWise PSA under `/v4_6_release/apis/3.0`: system callbacks, Basic auth (`"any"`: every Basic
 * credential is accepted). `port`: a fixed port (the e2e server is configured before the spec starts this).
 */
export async function fakeConnectWise(credentials: { company: string; publicKey: string; privateKey: string } | "any", port = 0) {
  const callbacks: { id: number; url: string; objectId: unknown; type: string; level: unknown; description: unknown; inactiveFlag: unknown }[] = [];
  const records: Record<RecordPath, CwRecord[]> = { "service/tickets": [], "company/contacts": [], "company/companies": [] };
  let nextCallback = 100;
  const accepted = (authorization: string | undefined) =>
    credentials === "any"
      ? authorization?.startsWith("Basic ") === true
      : authorization === `Basic ${Buffer.from(`${credentials.company}+${credentials.publicKey}:${credentials.privateKey}`).toString("base64")}`;
  const provider = await startFakeProvider((request) => {
    // Metadata.key_url of a callback: fetched without credentials, as ConnectWise serves it.
    if (request.path === "/callback-signing-key") return { status: 200, body: { signing_key: CONNECTWISE_SIGNING_KEY } };
    if (!accepted(request.headers.authorization)) return { status: 401, body: { code: "Unauthorized", message: "Authentication failed." } };
    const base = "/v4_6_release/apis/3.0/system/callbacks";
    if (request.path === base && request.method === "GET") return { status: 200, body: callbacks };
    if (request.path === base && request.method === "POST") {
      const body = request.body as Omit<(typeof callbacks)[number], "id">;
      const callback = { ...body, id: nextCallback++ };
      callbacks.push(callback);
      return { status: 201, body: callback };
    }
    const listed = /^\/v4_6_release\/apis\/3\.0\/(service\/tickets|company\/contacts|company\/companies)$/.exec(request.path);
    if (listed && request.method === "GET") return { status: 200, body: listRecords(records[listed[1] as RecordPath], request.query) };
    const single = new RegExp(`^${base}/(\\d+)$`).exec(request.path);
    if (single && request.method === "DELETE") {
      const index = callbacks.findIndex((callback) => String(callback.id) === single[1]);
      if (index < 0) return { status: 404, body: { code: "NotFound", message: "Callback not found." } };
      callbacks.splice(index, 1);
      return { status: 204 };
    }
    return { status: 404, body: { code: "NotFound", message: "Unknown route." } };
  }, port);
  /** Records ConnectWise lists (tickets, contacts, companies), each with `_info.lastUpdated` and `_info.dateEntered`. */
  const save = (path: RecordPath, id: number, at: Date, fields: Record<string, unknown> = {}) => {
    const list = records[path];
    const stamp = at.toISOString().replace(/\.\d{3}Z$/, "Z");
    const existing = list.find((record) => record.id === id);
    if (existing) Object.assign(existing, fields, { _info: { ...(existing._info as object), lastUpdated: stamp } });
    else list.push({ id, ...fields, _info: { lastUpdated: stamp, dateEntered: stamp } });
  };
  return { provider, callbacks, records, save };
}

export const CONNECTWISE_SIGNING_KEY = "fake-connectwise-signing-key";

type RecordPath = "service/tickets" | "company/contacts" | "company/companies";
type CwRecord = Record<string, unknown> & { id: number; _info: { lastUpdated: string; dateEntered: string } };

/**
 * A ConnectWise list answer: `conditions=lastUpdated>=[<date>]` (or `>`) filters, `orderBy=lastUpdated asc`
 * sorts, `page` (from 1) and `pageSize` page, as the REST API documents them.
 */
function listRecords(all: CwRecord[], query: URLSearchParams): CwRecord[] {
  const condition = /^lastUpdated\s*(>=|>)\s*\[([^\]]+)\]$/.exec((query.get("conditions") ?? "").trim());
  const since = condition ? Date.parse(condition[2] as string) : Number.NEGATIVE_INFINITY;
  const kept = all
    .filter((record) => {
      const at = Date.parse(record._info.lastUpdated);
      return condition?.[1] === ">" ? at > since : at >= since;
    })
    .sort((a, b) => Date.parse(a._info.lastUpdated) - Date.parse(b._info.lastUpdated) || a.id - b.id);
  const page = Number(query.get("page") ?? 1);
  const size = Number(query.get("pageSize") ?? 25);
  return kept.slice((page - 1) * size, page * size);
}
