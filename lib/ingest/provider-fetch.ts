import type { Connector } from "@/lib/connectors/types";
import { env } from "@/lib/env";
import { normalizeProviderUrl, ProviderAnswerCache } from "@/lib/ingest/provider-answer-cache";
import { safeRequest } from "@/lib/net/safe-http";

/**
 * `WebhookContext.fetchFromProvider`: a JSON GET restricted to the origin of the instance's own provider
 * URL (the connector names which configuration value, e.g. ConnectWise's server URL). The URL to fetch
 * comes from the unauthenticated webhook body (`Metadata.key_url`), so without this restriction anyone
 * could make Hookline fetch anything. The SSRF guard applies on top, and answers are cached by origin and
 * path, with fetches rate-limited per host (lib/ingest/provider-answer-cache.ts): signing keys change
 * rarely, and a burst of callbacks, real or bogus, must not become a burst of key fetches.
 */

const TIMEOUT_MS = 5_000;
const MAX_RESPONSE_BYTES = 64 * 1024;

function originOf(value: unknown): string | null {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : null;
  } catch {
    return null;
  }
}

async function fetchJson(url: string): Promise<unknown> {
  const response = await safeRequest({
    url,
    method: "GET",
    headers: { accept: "application/json", "user-agent": "Hookline-Webhooks/1.0" },
    timeoutMs: TIMEOUT_MS,
    allowPrivate: env().HOOKLINE_ALLOW_PRIVATE_CALLBACKS,
    maxResponseBytes: MAX_RESPONSE_BYTES,
  });
  if (!response.ok) throw new Error(response.error);
  if (response.status !== 200 || response.truncated) throw new Error(`provider answered ${response.status}`);
  return JSON.parse(response.body.toString("utf8")) as unknown;
}

const cache = new ProviderAnswerCache(fetchJson);

/** The fetcher for one instance, or undefined when its connector may fetch nothing. */
export function providerFetcher(
  connector: Pick<Connector, "events">,
  configuration: Record<string, unknown>,
): ((url: string) => Promise<unknown>) | undefined {
  const parameter = connector.events.providerOrigin;
  if (!parameter) return undefined;
  const allowed = originOf(configuration[parameter]);
  return async (url: string) => {
    const origin = originOf(url);
    if (allowed === null || origin !== allowed) throw new Error("URL is not on the instance's provider host");
    return cache.get(normalizeProviderUrl(url));
  };
}

/** Empties the cache (tests rotate keys). */
export function clearProviderFetchCache(): void {
  cache.clear();
}
