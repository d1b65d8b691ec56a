import { safeRequest, type SafeFailureKind } from "@/lib/net/safe-http";
import { elementsSignature, standardWebhookHeaders } from "@/lib/delivery/sign";
import type { Lookup } from "@/lib/net/ssrf";

/**
 * One HTTP delivery of a stored notification to `event.notification.callback.url`. Pure I/O: it decides
 * nothing about retries (the worker does) and never throws.
 */

export const DELIVERY_TIMEOUT_MS = 10_000;
export const RESPONSE_EXCERPT_BYTES = 2048;
const USER_AGENT = "Hookline-Webhooks/1.0";

export type DeliveryInput = {
  url: string;
  /** The envelope bytes exactly as stored: signed and sent unchanged on every attempt. */
  payload: Buffer;
  eventId: string;
  /** `event.notification.signature.key`; without it nothing is signed. */
  signatureKey?: string;
  /** Keys replaced by a rotation less than 24 h ago: `webhook-signature` carries a signature for each too. */
  previousSignatureKeys?: readonly string[];
  /** The `webhook-timestamp` (defaults to now). */
  now?: Date;
  timeoutMs?: number;
  allowPrivate: boolean;
  signal?: AbortSignal;
  lookup?: Lookup;
};

export type DeliveryResult = {
  /** A 2xx answer. */
  ok: boolean;
  status: number | null;
  ms: number;
  /** The first 2 KB of the response body. */
  excerpt: string | null;
  error: string | null;
  /** False when trying again cannot help (the URL is refused by the SSRF guard or invalid). */
  retryable: boolean;
  /** The caller's signal stopped it (worker shutdown): not an answer from the receiver. */
  aborted: boolean;
};

/**
 * `Elements-Webhook-Id` always; `Elements-Webhook-Signature: sha256=<base64>` with a key (the current one).
 * Standard Webhooks: `webhook-id` and `webhook-timestamp` always, `webhook-signature: v1,<base64>` with a
 * key (the same key; see `standardWebhookKey` for how a non-`whsec_` key is used), followed by one entry
 * per previous key still within its rotation overlap.
 */
export function deliveryHeaders(
  input: Pick<DeliveryInput, "payload" | "eventId" | "signatureKey" | "previousSignatureKeys" | "now">,
): Record<string, string> {
  const timestamp = input.now ?? new Date();
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": USER_AGENT,
    "elements-webhook-id": input.eventId,
    "webhook-id": input.eventId,
    "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
  };
  if (!input.signatureKey) return headers;
  const secrets = [input.signatureKey, ...(input.previousSignatureKeys ?? [])];
  const standard = standardWebhookHeaders({ id: input.eventId, timestamp, body: input.payload, secret: secrets });
  return {
    ...headers,
    "elements-webhook-signature": elementsSignature(input.payload, input.signatureKey),
    "webhook-signature": standard["webhook-signature"],
  };
}

/** Text for a TEXT column: Postgres refuses NUL characters in text. */
export function storableText(text: string): string {
  return text.replace(/\u0000/g, "\uFFFD");
}

const RETRYABLE: Record<SafeFailureKind, boolean> = { refused: false, network: true, timeout: true, aborted: true };

export async function deliver(input: DeliveryInput): Promise<DeliveryResult> {
  const response = await safeRequest({
    url: input.url,
    method: "POST",
    headers: deliveryHeaders(input),
    body: input.payload,
    timeoutMs: input.timeoutMs ?? DELIVERY_TIMEOUT_MS,
    allowPrivate: input.allowPrivate,
    maxResponseBytes: RESPONSE_EXCERPT_BYTES,
    signal: input.signal,
    lookup: input.lookup,
    keepAlive: true,
  });
  if (!response.ok) {
    return {
      ok: false,
      status: null,
      ms: response.ms,
      excerpt: null,
      error: storableText(response.kind === "refused" ? `refused: ${response.error}` : response.error),
      retryable: RETRYABLE[response.kind],
      aborted: response.kind === "aborted",
    };
  }
  const ok = response.status >= 200 && response.status < 300;
  return {
    ok,
    status: response.status,
    ms: response.ms,
    excerpt: response.body.length ? storableText(response.body.toString("utf8")) : null,
    error: ok ? null : `receiver answered ${response.status}`,
    retryable: true,
    aborted: false,
  };
}
