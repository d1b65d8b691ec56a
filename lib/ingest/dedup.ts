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
  if (id) return STORABLE_ID.test(id) ? `id:${id}` : `id-sha256:${sha256(Buffer.from(id, "utf8"))}`;
  return `sha256:${sha256(request.body)}`;
}

/**
 * An id kept as it is: printable ASCII of a sane length. Any other (the sender's own bytes: a NUL, which
 * a PostgreSQL text column refuses, or kilobytes, past what its index takes) is kept as its SHA-256, still
 * the same for every send of it. Both once answered 500 to a signed ConnectWise body (fuzzing, CI).
 */
const STORABLE_ID = /^[\x20-\x7e]{1,200}$/;

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("base64url");
}
