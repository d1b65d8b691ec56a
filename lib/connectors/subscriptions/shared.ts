import { env } from "@/lib/env";
import { hideSecrets } from "@/lib/crypto/secrets";
import { safeRequest } from "@/lib/net/safe-http";
import type { ProviderSubscription, RegisterResult } from "@/lib/connectors/contract";

/**
 * The HTTP calls webhook registration makes to a provider's API. They go through `safeRequest`: the
 * ConnectWise host is whatever the instance's Server URL says, so the same SSRF guard as deliveries
 * applies (private addresses follow `HOOKLINE_ALLOW_PRIVATE_CALLBACKS`), redirects are not followed,
 * and one 10 s deadline covers each call. Failures come back as one-line summaries, never exceptions,
 * and never carry request headers (tokens, Basic credentials).
 */

export const PROVIDER_TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 1024 * 1024;
const MAX_MESSAGE_CHARS = 300;

export type ProviderRequest = {
  method: "GET" | "POST" | "DELETE";
  url: string;
  headers: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
  /** Default 1 MB; a poll's page of records may need more. */
  maxResponseBytes?: number;
};

export type ProviderResponse = {
  status: number;
  body: unknown;
  /** The answer's `Retry-After` (429, 503), as sent. */
  retryAfter?: string;
  /** The answer was longer than the request's `maxResponseBytes` and was cut: `body` is not all of it. */
  truncated?: boolean;
};

export type ProviderCall = { ok: true; response: ProviderResponse } | { ok: false; reason: string };

/**
 * The credentials a request carries: the `Authorization` value, and its part after the scheme (a
 * ConnectWise `Basic` value is base64 of the private key and more). A provider that quotes them back
 * in an error must not get them into the message Hookline stores, shows and logs.
 */
function credentialsOf(headers: Record<string, string>): string[] {
  const value = Object.entries(headers).find(([name]) => name.toLowerCase() === "authorization")?.[1] ?? "";
  return [value, value.replace(/^\S+\s+/, "")].filter((text) => text.length >= 8);
}

function parseBody(bytes: Buffer, credentials: string[]): unknown {
  const text = hideSecrets(bytes.toString("utf8"), credentials);
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function callProvider(providerName: string, request: ProviderRequest): Promise<ProviderCall> {
  const body = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body), "utf8");
  const response = await safeRequest({
    url: request.url,
    method: request.method,
    headers: {
      accept: "application/json",
      "user-agent": "Hookline/1.0",
      ...(body ? { "content-type": "application/json" } : {}),
      ...request.headers,
    },
    body,
    timeoutMs: PROVIDER_TIMEOUT_MS,
    allowPrivate: env().HOOKLINE_ALLOW_PRIVATE_CALLBACKS,
    maxResponseBytes: request.maxResponseBytes ?? MAX_RESPONSE_BYTES,
    signal: request.signal,
  });
  if (!response.ok) {
    const why = response.kind === "aborted" ? "the call took too long and was stopped" : response.error;
    return { ok: false, reason: `Could not reach ${providerName}: ${why}.` };
  }
  const retryAfter = response.headers["retry-after"];
  return {
    ok: true,
    response: {
      status: response.status,
      body: parseBody(response.body, credentialsOf(request.headers)),
      ...(typeof retryAfter === "string" ? { retryAfter } : {}),
      ...(response.truncated ? { truncated: true } : {}),
    },
  };
}

export function isSuccess(response: ProviderResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

/** Provider text made safe to show: one line, no control characters, bounded. */
export function cleanMessage(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\s+/g, " ").trim();
  if (!text) return undefined;
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…` : text;
}

/** "MailChimp answered 400: Invalid Resource" — the status and what the provider said, summarized. */
export function describeAnswer(providerName: string, response: ProviderResponse, message: string | undefined, doing: string): string {
  const said = message ? `: ${message}` : "";
  return `${providerName} answered ${response.status} when ${doing}${said}${/[.!?…]$/.test(said) ? "" : "."}`;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The id a provider returned, whether it sent a string or a number. */
export function idOf(value: unknown): string | undefined {
  if (typeof value === "string" && value.trim() !== "") return value.trim();
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Runs `task` over `items`, at most `limit` at a time, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** One sentence for several failures: the first in full, the other distinct ones counted. */
export function joinFailures(reasons: string[]): string {
  const [first, ...rest] = [...new Set(reasons)];
  if (!first) return "";
  return rest.length ? `${first} (and ${rest.length} more ${rest.length === 1 ? "failure" : "failures"})` : first;
}

/** A `list` configuration value (`"a,b,c"`, as the schema stores it) as distinct, trimmed items. */
export function listValue(value: unknown): string[] {
  const items = Array.isArray(value) ? value.map(String) : typeof value === "string" ? value.split(",") : [];
  return [...new Set(items.map((item) => item.trim()).filter(Boolean))];
}

export type Created = { ok: true; id: string } | { ok: false; reason: string };

/** Provider calls of one registration made at the same time (a MailChimp account may have many lists). */
const CONCURRENCY = 4;

/**
 * The `register` skeleton every provider shares: scopes already recorded are kept as they are, each
 * missing one is handed to `create` (which adopts or creates a webhook), and what exists afterwards
 * is reported even when some scope failed.
 */
export async function registerScopes(
  wanted: readonly string[],
  existing: readonly ProviderSubscription[],
  create: (scope: string) => Promise<Created>,
): Promise<RegisterResult> {
  const kept: ProviderSubscription[] = [];
  for (const subscription of existing) {
    if (subscription.scope !== undefined && wanted.includes(subscription.scope) && !kept.some((k) => k.scope === subscription.scope)) {
      kept.push(subscription);
    }
  }
  const missing = wanted.filter((scope) => !kept.some((k) => k.scope === scope));
  const results = await mapLimit(missing, CONCURRENCY, create);
  const subscriptions = [...kept];
  const failures: string[] = [];
  results.forEach((result, index) => {
    if (result.ok) subscriptions.push({ id: result.id, scope: missing[index] });
    else failures.push(result.reason);
  });
  return failures.length ? { ok: false, reason: joinFailures(failures), subscriptions } : { ok: true, subscriptions };
}

/** The `unregister` skeleton: each subscription removed in turn; every failure reported. */
export async function unregisterEach(
  subscriptions: readonly ProviderSubscription[],
  remove: (subscription: ProviderSubscription) => Promise<{ ok: true } | { ok: false; reason: string }>,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const results = await mapLimit(subscriptions, CONCURRENCY, remove);
  const failures = results.flatMap((result) => (result.ok ? [] : [result.reason]));
  return failures.length ? { ok: false, reason: joinFailures(failures) } : { ok: true };
}

/** The result of a create call: the provider's webhook id, or why there is none. */
export function createdWebhook(providerName: string, id: string | undefined, scope: string): Created {
  return id ? { ok: true, id } : { ok: false, reason: `${providerName} created the webhook for ${scope} but sent no webhook id back.` };
}

/** What an OAuth connector's handler answers before the instance has tokens. */
export function notAuthorized(providerName: string): { ok: false; reason: string } {
  return { ok: false, reason: `${providerName} has not authorized this instance yet.` };
}
