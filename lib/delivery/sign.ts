import { createHmac, timingSafeEqual } from "node:crypto";
import type { VerifyResult } from "@/lib/connectors/contract";

/**
 * Signatures on the notifications Hookline delivers. Two schemes, both over the exact bytes sent:
 * - Cloud Elements' `Elements-Webhook-Signature: sha256=<base64 HMAC-SHA256(key, body)>`, for clients of the original;
 * - Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`), which existing
 *   receiver libraries verify out of the box.
 */

export type Body = Buffer | string;

function toBytes(body: Body): Buffer {
  return typeof body === "string" ? Buffer.from(body, "utf8") : body;
}

/** The `Elements-Webhook-Signature` value: `sha256=` + base64(HMAC-SHA256(key as UTF-8, body)). */
export function elementsSignature(body: Body, key: string): string {
  return `sha256=${createHmac("sha256", key).update(toBytes(body)).digest("base64")}`;
}

const WHSEC_PREFIX = "whsec_";
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The HMAC key bytes for a Standard Webhooks secret. `whsec_<base64>` is decoded as the spec says.
 * Any other instance key (Cloud Elements keys are free-form strings) is used as its UTF-8 bytes rather
 * than rejected, so one configured key serves both signature schemes; a receiver using the
 * `standardwebhooks` library then passes `new Webhook(Buffer.from(key, "utf8"), { format: "raw" })`.
 * A `whsec_` value whose remainder is not valid base64 is treated the same way (as a raw key, whole).
 */
export function standardWebhookKey(secret: string): Buffer {
  if (secret.startsWith(WHSEC_PREFIX)) {
    const encoded = secret.slice(WHSEC_PREFIX.length);
    if (encoded !== "" && BASE64.test(encoded)) return Buffer.from(encoded, "base64");
  }
  return Buffer.from(secret, "utf8");
}

function timestampSeconds(timestamp: Date): number {
  return Math.floor(timestamp.getTime() / 1000);
}

/** The base64 HMAC-SHA256 of `${id}.${timestamp}.${body}` (the part after `v1,`). */
export function standardWebhookSignature(id: string, seconds: number, body: Body, secret: string): string {
  const content = Buffer.concat([Buffer.from(`${id}.${seconds}.`, "utf8"), toBytes(body)]);
  return createHmac("sha256", standardWebhookKey(secret)).update(content).digest("base64");
}

export type StandardWebhookHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
};

/**
 * The Standard Webhooks headers. With several secrets (a key rotation's overlap) `webhook-signature` lists
 * one space-separated `v1,<sig>` entry per secret, in the order given; a receiver accepts any that matches.
 */
export function standardWebhookHeaders(input: {
  id: string;
  timestamp: Date;
  body: Body;
  secret: string | readonly string[];
}): StandardWebhookHeaders {
  const seconds = timestampSeconds(input.timestamp);
  const secrets = typeof input.secret === "string" ? [input.secret] : input.secret;
  return {
    "webhook-id": input.id,
    "webhook-timestamp": String(seconds),
    "webhook-signature": secrets.map((secret) => `v1,${standardWebhookSignature(input.id, seconds, input.body, secret)}`).join(" "),
  };
}

const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

/** String equality that takes the same time wherever the strings differ (lengths are not secret). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}

function checkTimestamp(value: string, now: Date, tolerance: number): VerifyResult {
  if (!/^\d{1,15}$/.test(value)) return { ok: false, reason: "invalid webhook-timestamp" };
  const skew = timestampSeconds(now) - Number(value);
  if (skew > tolerance) return { ok: false, reason: "webhook-timestamp too old" };
  if (skew < -tolerance) return { ok: false, reason: "webhook-timestamp too new" };
  return { ok: true };
}

/**
 * Verifies a Standard Webhooks request (as a receiver would). Headers are matched case-insensitively;
 * `webhook-signature` may list several space-separated `v1,<sig>` entries (key rotation), any may match.
 */
export function verifyStandardWebhook(input: {
  headers: Record<string, string | undefined>;
  body: Body;
  secret: string;
  now?: Date;
  toleranceSeconds?: number;
}): VerifyResult {
  const headers = new Map(Object.entries(input.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const id = headers.get("webhook-id");
  const timestamp = headers.get("webhook-timestamp");
  const signatures = headers.get("webhook-signature");
  if (!id || !timestamp || !signatures) return { ok: false, reason: "missing webhook headers" };
  const fresh = checkTimestamp(timestamp, input.now ?? new Date(), input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
  if (!fresh.ok) return fresh;
  const expected = standardWebhookSignature(id, Number(timestamp), input.body, input.secret);
  const matches = signatures
    .split(" ")
    .some((entry) => entry.startsWith("v1,") && constantTimeEqual(entry.slice(3), expected));
  return matches ? { ok: true } : { ok: false, reason: "no matching signature" };
}
