import type { IncomingMessage, ServerResponse } from "node:http";
import { MAX_BODY_BYTES } from "@/lib/api/body";
import { env } from "@/lib/env";
import { ingestWebhook, recordOversizedWebhook, type IngestResponse } from "@/lib/ingest/ingest";
import { URL_SECRET_PARAMETER } from "@/lib/instances/webhook-url";
import { log } from "@/lib/log";
import { answerTooLarge, dropRestOf } from "@/lib/net/oversized-body";

/**
 * The ingest endpoint served straight from `node:http`, in front of Next.js (scripts/start.ts): the raw
 * body is read once (≤ 1 MB, else 413 without buffering the rest) and handed to `ingestWebhook`. Next's
 * routing and Web Request/Response conversion are skipped on the one path measured against a bare
 * `node:http` + one INSERT. The Next route `app/elements/api-v2/events/[key]/[id]` serves the same
 * endpoint through the same `ingestWebhook` when Next runs alone (`next dev`).
 */

const INGEST_PATH = /^\/elements\/api-v2\/events\/([^/?#]+)\/([^/?#]+)\/?(?:\?(.*))?$/;

export type IngestRoute = { elementKey: string; encodedId: string; urlSecret: string | null };

/**
 * The `{key}`, `{id}` and URL secret (`?k=`, lib/instances/webhook-url.ts) of an ingest URL, or null
 * when the request is not for the ingest endpoint.
 */
export function matchIngestRoute(method: string | undefined, url: string | undefined): IngestRoute | null {
  if (method !== "POST" && method !== "GET" && method !== "HEAD") return null;
  const match = url ? INGEST_PATH.exec(url) : null;
  if (!match) return null;
  const urlSecret = urlSecretOf(new URLSearchParams(match[3] ?? ""));
  try {
    return { elementKey: decodeURIComponent(match[1] ?? ""), encodedId: decodeURIComponent(match[2] ?? ""), urlSecret };
  } catch {
    return { elementKey: "", encodedId: "", urlSecret };
  }
}

/** The URL secret of a query, null when absent (an empty `k=` counts as given, and wrong). */
export function urlSecretOf(query: URLSearchParams): string | null {
  return query.get(URL_SECRET_PARAMETER);
}

class TooLarge extends Error {}

/** The sender closed the connection (or broke the framing) before the body was complete. */
class BodyIncomplete extends Error {}

function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers["content-length"] ?? "0");
    if (declared > maxBytes) return reject(new TooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        request.removeAllListeners("data");
        reject(new TooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks, size)));
    request.on("error", () => reject(new BodyIncomplete()));
    request.on("close", () => {
      if (!request.complete) reject(new BodyIncomplete());
    });
  });
}

function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

/** The sender: the socket peer, or behind a trusted reverse proxy the hop it appended to X-Forwarded-For. */
export function remoteAddressOf(socketAddress: string | undefined, forwardedFor: string | undefined): string | undefined {
  if (env().HOOKLINE_TRUST_PROXY && forwardedFor) {
    const hops = forwardedFor.split(",").map((hop) => hop.trim()).filter(Boolean);
    return hops[hops.length - 1] ?? socketAddress;
  }
  return socketAddress;
}

function write(response: ServerResponse, result: IngestResponse, close = false): void {
  const body = Buffer.from(result.body, "utf8");
  response.writeHead(result.status, {
    ...result.headers,
    "content-length": String(body.length),
    ...(close ? { connection: "close" } : {}),
  });
  response.end(body);
}

export async function handleIngestRequest(request: IncomingMessage, response: ServerResponse, route: IngestRoute): Promise<void> {
  try {
    const body = await readBody(request, MAX_BODY_BYTES);
    const headers = headersOf(request);
    const result = await ingestWebhook({
      ...route,
      method: request.method ?? "POST",
      headers,
      body,
      contentType: headers["content-type"] ?? "",
      remoteAddress: remoteAddressOf(request.socket.remoteAddress, headers["x-forwarded-for"]),
    });
    write(response, request.method === "HEAD" ? { ...result, body: "" } : result);
  } catch (error) {
    if (error instanceof TooLarge) {
      dropRestOf(request);
      const headers = headersOf(request);
      void recordOversizedWebhook({
        ...route,
        method: request.method ?? "POST",
        headers,
        contentType: headers["content-type"] ?? "",
        remoteAddress: remoteAddressOf(request.socket.remoteAddress, headers["x-forwarded-for"]),
      }).catch((failure: unknown) => log("warn", "could not record an oversized webhook", { error: String(failure) }));
      answerTooLarge(response);
      return;
    }
    if (error instanceof BodyIncomplete) {
      // Nothing was stored and the sender is gone or broke HTTP: its retry is what counts, not our log.
      log("info", "webhook request ended before its body was complete", { elementKey: route.elementKey.slice(0, 60) });
      if (!response.headersSent && !request.socket.destroyed) {
        write(response, { status: 400, body: JSON.stringify({ message: "The body ended before it was complete." }), headers: { "content-type": "application/json; charset=utf-8" } }, true);
      }
      return;
    }
    log("error", "webhook ingest failed", { error: error instanceof Error ? error.message : String(error) });
    if (!response.headersSent) write(response, { status: 500, body: JSON.stringify({ message: "Something went wrong." }), headers: { "content-type": "application/json; charset=utf-8" } });
  }
}
