/**
 * The cache behind `fetchFromProvider` (ConnectWise signing keys). The URL comes from the body of an
 * unauthenticated webhook, so an attacker chooses it; three rules keep bogus webhooks from turning into
 * outbound fetches or pushing real keys out:
 *
 * - the key is the URL's origin and normalized path only: a query string or fragment is dropped (and
 *   never fetched), so `?x=1`, `?x=2`, … are one entry and one fetch;
 * - only successful answers are stored, and a new one evicts the least recently *used* entry of its own
 *   provider host (at most PER_ORIGIN per host, MAX_ENTRIES in all): a failure evicts nothing, and the
 *   key a host's real callbacks keep using stays;
 * - fetches of uncached URLs are rate-limited per provider host (a token bucket: a burst of FETCH_BURST,
 *   then one per FETCH_REFILL_MS), so distinct bogus paths cost a bounded number of requests.
 *   The host is the instance's own provider origin, so the bound holds per instance (instances on one
 *   host share it).
 */

const TTL_MS = 60 * 60 * 1000;
const MAX_ENTRIES = 1_000;
const PER_ORIGIN = 16;
export const FETCH_BURST = 5;
export const FETCH_REFILL_MS = 10_000;

/** Thrown when a host's fetch budget is spent: the webhook fails verification without a fetch. */
export class FetchBudgetSpent extends Error {
  constructor() {
    super("too many signing-key fetches for this provider host; try again shortly");
  }
}

/** Unreserved characters a client may percent-encode or not: `%7Ekey` and `~key` are one path. */
function decodeUnreserved(path: string): string {
  return path.replace(/%([0-9a-f]{2})/gi, (escape: string, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(char) ? char : escape.toUpperCase();
  });
}

/** `https://Host:443//a/./b?x#y` → `https://host/a/b`: what is fetched and what the cache is keyed by. */
export function normalizeProviderUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${decodeUnreserved(parsed.pathname.replace(/\/{2,}/g, "/"))}`;
}

type Entry = { value: unknown; expires: number };
type Bucket = { tokens: number; at: number };

export class ProviderAnswerCache {
  /** Map order is recency of use: a hit moves its entry to the end. */
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly fetchJson: (url: string) => Promise<unknown>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The answer for `url` (already normalized), from the cache or from one shared fetch. */
  get(url: string): Promise<unknown> {
    const hit = this.entries.get(url);
    if (hit && hit.expires > this.now()) {
      this.entries.delete(url);
      this.entries.set(url, hit);
      return Promise.resolve(hit.value);
    }
    const pending = this.inFlight.get(url);
    if (pending) return pending;
    const origin = new URL(url).origin;
    if (!this.takeToken(origin)) return Promise.reject(new FetchBudgetSpent());
    const fetching = this.fetchJson(url).then((value) => {
      this.store(url, origin, value);
      return value;
    });
    this.inFlight.set(url, fetching);
    const forget = () => this.inFlight.delete(url);
    fetching.then(forget, forget);
    return fetching;
  }

  clear(): void {
    this.entries.clear();
    this.inFlight.clear();
    this.buckets.clear();
  }

  private takeToken(origin: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(origin) ?? { tokens: FETCH_BURST, at: now };
    bucket.tokens = Math.min(FETCH_BURST, bucket.tokens + (now - bucket.at) / FETCH_REFILL_MS);
    bucket.at = now;
    this.buckets.set(origin, bucket);
    if (this.buckets.size > MAX_ENTRIES) this.buckets.delete(this.buckets.keys().next().value ?? "");
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  private store(url: string, origin: string, value: unknown): void {
    this.entries.delete(url);
    const ofOrigin = [...this.entries.keys()].filter((key) => key.startsWith(`${origin}/`));
    if (ofOrigin.length >= PER_ORIGIN) this.entries.delete(ofOrigin[0] ?? "");
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value ?? "");
    this.entries.set(url, { value, expires: this.now() + TTL_MS });
  }
}
