import { callProvider, cleanMessage, describeAnswer, isObject, isSuccess, type ProviderResponse } from "@/lib/connectors/subscriptions/shared";
import type { PollerResource } from "@/lib/polling/config";
import { valueAt } from "@/lib/polling/changes";

/**
 * Reading a resource's records from the provider, page after page, with the instance's credentials.
 * Every call goes through `callProvider` (SSRF guard, 10 s deadline, no redirects, credentials kept out
 * of messages). Results, not exceptions: a page the provider refused ends the read with why; 429 comes
 * back as `rateLimited` with its Retry-After; 401 as `unauthorized`, for the caller to refresh and retry.
 */

export type PollApi = { base: string; headers: Record<string, string> };

export type PageRead =
  | { ok: true; records: unknown[]; more: boolean }
  | { ok: false; kind: "rateLimited"; retryAfterSeconds: number; reason: string }
  | { ok: false; kind: "unauthorized" | "failed"; reason: string };

/** A page of records may be bigger than a registration answer. */
const MAX_PAGE_BYTES = 8 * 1024 * 1024;
const MAX_RETRY_AFTER_SECONDS = 3600;
const DEFAULT_RETRY_AFTER_SECONDS = 60;

/** `Retry-After` as seconds (a number, or an HTTP date), within an hour. */
export function retryAfterSeconds(value: string | undefined, now = Date.now()): number {
  if (!value) return DEFAULT_RETRY_AFTER_SECONDS;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value.trim()) : (Date.parse(value) - now) / 1000;
  if (!Number.isFinite(seconds)) return DEFAULT_RETRY_AFTER_SECONDS;
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil(seconds)));
}

function messageOf(body: unknown): string | undefined {
  if (typeof body === "string") return cleanMessage(body);
  if (!isObject(body)) return undefined;
  return cleanMessage(body.message) ?? cleanMessage(body.detail) ?? cleanMessage(body.Message) ?? cleanMessage(body.error_description) ?? cleanMessage(body.error);
}

function failure(provider: string, response: ProviderResponse, doing: string): PageRead {
  const reason = describeAnswer(provider, response, messageOf(response.body), doing);
  if (response.status === 429) return { ok: false, kind: "rateLimited", retryAfterSeconds: retryAfterSeconds(response.retryAfter), reason };
  return { ok: false, kind: response.status === 401 ? "unauthorized" : "failed", reason };
}

/** The URL of page `index` (0-based) of `path` (the URL with its dates and `${each}` filled in). */
export function pageUrl(api: PollApi, path: string, resource: PollerResource, index: number): string {
  const url = new URL(`${api.base.replace(/\/+$/, "")}${path}`);
  const pagination = resource.pagination ?? { type: "none" as const };
  if (pagination.type === "page") {
    url.searchParams.set(pagination.pageParameter, String(pagination.firstPage + index));
    url.searchParams.set(pagination.sizeParameter, String(pagination.pageSize));
  } else if (pagination.type === "offset") {
    url.searchParams.set(pagination.offsetParameter, String(index * pagination.pageSize));
    url.searchParams.set(pagination.sizeParameter, String(pagination.pageSize));
  }
  return url.toString();
}

/** Reads one page: its records (at `recordsField`, or the answer itself) and whether another may follow. */
export async function readPage(provider: string, api: PollApi, path: string, resource: PollerResource, index: number, signal?: AbortSignal): Promise<PageRead> {
  const answer = await callProvider(provider, { method: "GET", url: pageUrl(api, path, resource, index), headers: api.headers, signal, maxResponseBytes: MAX_PAGE_BYTES });
  const doing = `polling ${path.split("?")[0]}`;
  if (!answer.ok) return { ok: false, kind: "failed", reason: answer.reason };
  if (!isSuccess(answer.response)) return failure(provider, answer.response, doing);
  if (answer.response.truncated) return { ok: false, kind: "failed", reason: `${provider}'s answer when ${doing} was larger than ${MAX_PAGE_BYTES / 1024 / 1024} MB; use a smaller page size.` };
  const body = answer.response.body;
  const records = resource.recordsField ? valueAt(body, resource.recordsField) : body;
  if (!Array.isArray(records)) {
    return { ok: false, kind: "failed", reason: `${provider}'s answer when ${doing} has no list of records${resource.recordsField ? ` at ${resource.recordsField}` : ""}.` };
  }
  const pagination = resource.pagination ?? { type: "none" as const };
  const more = pagination.type !== "none" && records.length >= pagination.pageSize;
  return { ok: true, records, more };
}
