import { decodeUtf8 } from "@/lib/connectors/webhooks/shared";
import { deliveryHeaders } from "@/lib/delivery/deliver";
import { signingKeys } from "@/lib/delivery/signing-keys";
import { isUuid } from "@/lib/events/ids";
import { redactHeaders } from "@/lib/events/redact";
import { AppError } from "@/lib/errors";
import type { AttemptEntry, BodyView, EventLogDetail } from "@/lib/live-log/schema";
import { read, ROW_COLUMNS, ROW_FROM, toRow, type RowRecord } from "@/lib/live-log/sql";

/**
 * One event of the live log in full: its stored request (body decoded for display, secret headers
 * redacted), its notification, every delivery attempt, and the curl command that repeats its delivery.
 */

const CALLBACK_URL = "event.notification.callback.url";

const MAX_JSON_BYTES = 256 * 1024;
const MAX_TEXT_CHARS = 64 * 1024;
const MAX_FORM_FIELDS = 1000;

/** A stored body decoded for display: JSON parsed, form fields listed, other text as text, bytes as hex. */
export function bodyView(body: Buffer, contentType: string): BodyView {
  if (body.length === 0) return { kind: "empty" };
  const decoded = decodeUtf8(body);
  if (!decoded.ok) return { kind: "binary", bytes: body.length, hexPreview: body.subarray(0, 256).toString("hex") };
  const type = contentType.toLowerCase();
  if (type.includes("application/x-www-form-urlencoded")) {
    return { kind: "form", fields: [...new URLSearchParams(decoded.text)].slice(0, MAX_FORM_FIELDS), text: decoded.text.slice(0, MAX_TEXT_CHARS) };
  }
  if (body.length <= MAX_JSON_BYTES && (type.includes("json") || /^\s*[[{]/.test(decoded.text))) {
    try {
      return { kind: "json", value: JSON.parse(decoded.text) as unknown, text: decoded.text };
    } catch {
      // Declared JSON but is not: shown as text below.
    }
  }
  return { kind: "text", text: decoded.text.slice(0, MAX_TEXT_CHARS), truncated: decoded.text.length > MAX_TEXT_CHARS };
}

type DetailRecord = RowRecord & {
  payload: Buffer;
  last_error: string | null;
  received_at: Date | null;
  content_type: string | null;
  headers: unknown;
  body: Buffer | null;
  remote_address: string | null;
  duplicate_of: string | null;
};

function parseNotification(payload: Buffer): { normalized: unknown; raw: unknown } {
  try {
    const parsed = JSON.parse(payload.toString("utf8")) as { message?: Record<string, unknown> };
    const { raw, ...normalized } = parsed.message ?? {};
    return { normalized, raw: raw ?? null };
  } catch {
    // Payloads are always our own JSON; a row edited by hand still opens.
    return { normalized: null, raw: null };
  }
}

function headerList(headers: unknown): [string, string][] {
  if (typeof headers !== "object" || headers === null) return [];
  const strings = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)]));
  // Stored redacted already; redacting again costs nothing and survives older rows or a changed rule.
  return Object.entries(redactHeaders(strings)).sort(([a], [b]) => a.localeCompare(b));
}

/** One event of the organization with its request and every delivery attempt; null when there is none. */
export async function getEventDetail(organizationId: string, id: string): Promise<EventLogDetail | null> {
  if (!isUuid(id)) return null;
  const { rows } = await read<DetailRecord>(
    `SELECT ${ROW_COLUMNS}, e.payload, e.last_error, r.received_at, r.content_type, r.headers, r.body, r.remote_address,
            r.duplicate_of
       ${ROW_FROM} LEFT JOIN webhook_requests r ON r.id = e.request_id
      WHERE e.id = $1::uuid AND e.organization_id = $2::uuid`,
    [id, organizationId],
  );
  const record = rows[0];
  if (!record) return null;
  const attempts = await read<{
    attempt: number;
    started_at: Date;
    url: string | null;
    status_code: number | null;
    latency_ms: number;
    response_excerpt: string | null;
    error: string | null;
  }>(
    `SELECT attempt, started_at, url, status_code, latency_ms, response_excerpt, error
       FROM delivery_attempts WHERE event_id = $1::uuid ORDER BY started_at, attempt`,
    [id],
  );
  const notification = parseNotification(record.payload);
  const request =
    record.body && record.received_at
      ? {
          receivedAt: record.received_at.toISOString(),
          contentType: record.content_type ?? "",
          remoteAddress: record.remote_address,
          headers: headerList(record.headers),
          body: bodyView(record.body, record.content_type ?? ""),
          duplicateOf: record.duplicate_of,
        }
      : null;
  return {
    row: toRow(record),
    normalized: notification.normalized,
    request,
    notificationRaw: request ? null : notification.raw,
    attempts: attempts.rows.map(
      (attempt): AttemptEntry => ({
        attempt: attempt.attempt,
        startedAt: attempt.started_at.toISOString(),
        url: attempt.url,
        statusCode: attempt.status_code,
        latencyMs: attempt.latency_ms,
        responseExcerpt: attempt.response_excerpt,
        error: attempt.error,
      }),
    ),
    lastError: record.last_error,
  };
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The delivery request of an event as a cURL command: the instance's callback URL, the headers a
 * delivery sends now (signatures computed over the stored bytes with the instance's key) and those bytes.
 */
export async function deliveryCurl(organizationId: string, id: string, now = new Date()): Promise<string> {
  const { rows } = isUuid(id)
    ? await read<{ event_id: string; payload: Buffer; configuration: Record<string, unknown>; secrets_encrypted: string | null; previous_signature_key_encrypted: string | null }>(
        `SELECT e.event_id, e.payload, i.configuration, i.secrets_encrypted, i.previous_signature_key_encrypted
           FROM events e JOIN instances i ON i.id = e.instance_id
          WHERE e.id = $1::uuid AND e.organization_id = $2::uuid`,
        [id, organizationId],
      )
    : { rows: [] };
  const event = rows[0];
  if (!event) throw new AppError("not_found", "No event with that id.");
  const url = event.configuration[CALLBACK_URL];
  if (typeof url !== "string" || url === "") {
    throw new AppError("bad_request", "This instance has no Event Notification Callback URL to send to.");
  }
  const keys = signingKeys(event.secrets_encrypted, event.previous_signature_key_encrypted, now);
  const headers = deliveryHeaders({ payload: event.payload, eventId: event.event_id, ...keys, now });
  return [
    `curl -X POST ${shellQuote(url)}`,
    ...Object.entries(headers).map(([name, value]) => `-H ${shellQuote(`${name}: ${value}`)}`),
    `--data-raw ${shellQuote(event.payload.toString("utf8"))}`,
  ].join(" \\\n  ");
}
