import { createHash } from "node:crypto";
import type { IncomingWebhook, WebhookHandler } from "@/lib/connectors/contract";

/**
 * A webhook's dedup key: the provider's id of what it reports where the connector's handler finds one
 * (`dedupId`, declared next to its parser), else the SHA-256 of the body, so a provider retrying the
 * same request is recognised either way. The store statement (lib/ingest/store.ts) keeps the first
 * request of each key per instance in `webhook_dedup_keys` for HOOKLINE_DEDUP_WINDOW_HOURS; a request
 * whose key is held is stored as a duplicate of the holder, and processing makes DUPLICATE events of it
 * that are shown but not delivered.
 */
export function dedupKey(handler: WebhookHandler, request: IncomingWebhook): string {
  const id = handler.dedupId?.(request);
  if (id) return `id:${id}`;
  return `sha256:${createHash("sha256").update(request.body).digest("base64url")}`;
}
