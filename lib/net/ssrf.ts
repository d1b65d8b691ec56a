import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";

/**
 * Guards outgoing deliveries (and any other server-side fetch of a user-supplied URL) against SSRF.
 *
 * Three classes of address:
 * - forbidden always: unspecified/"this network" (0.0.0.0/8, ::), link-local (169.254.0.0/16 — cloud
 *   metadata lives there — and fe80::/10), AWS's IPv6 metadata address fd00:ec2::254, multicast
 *   (224.0.0.0/4, ff00::/8) and reserved/broadcast 240.0.0.0/4;
 * - private (allowed only with `allowPrivate`, for self-hosters delivering inside their own network):
 *   loopback, RFC 1918, CGNAT 100.64.0.0/10, 192.0.0.0/24, 198.18.0.0/15, fc00::/7, fec0::/10;
 * - everything else is public.
 * IPv4 embedded in IPv6 (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64 64:ff9b::/96) is judged as
 * the IPv4 address it reaches. Anything that does not parse as an address is forbidden (fail closed).
 */

export type AddressClass = "public" | "private" | "forbidden";

type Cidr4 = readonly [base: number, bits: number];

function ipv4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
}

const V4_FORBIDDEN: readonly Cidr4[] = [
  [ipv4(0, 0, 0, 0), 8],
  [ipv4(169, 254, 0, 0), 16],
  [ipv4(224, 0, 0, 0), 4],
  [ipv4(240, 0, 0, 0), 4],
];

const V4_PRIVATE: readonly Cidr4[] = [
  [ipv4(127, 0, 0, 0), 8],
  [ipv4(10, 0, 0, 0), 8],
  [ipv4(172, 16, 0, 0), 12],
  [ipv4(192, 168, 0, 0), 16],
  [ipv4(100, 64, 0, 0), 10],
  [ipv4(192, 0, 0, 0), 24],
  [ipv4(198, 18, 0, 0), 15],
];

function inCidr4(address: number, [base, bits]: Cidr4): boolean {
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((address & mask) >>> 0) === ((base & mask) >>> 0);
}

/** Strict dotted quad; leading zeros are refused because some resolvers read them as octal. */
export function parseIPv4(text: string): number | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!match) return null;
  const octets = match.slice(1).map((part) => (/^0\d/.test(part) ? NaN : Number(part)));
  if (octets.some((n) => !(n >= 0 && n <= 255))) return null;
  const [a = 0, b = 0, c = 0, d = 0] = octets;
  return ipv4(a, b, c, d);
}

function parseHextets(part: string): number[] | null {
  if (part === "") return [];
  const groups = part.split(":");
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
  return groups.map((g) => parseInt(g, 16));
}

/** Moves a trailing dotted quad (`::ffff:1.2.3.4`) into two hextets. */
function expandEmbeddedIPv4(text: string): string | null {
  if (!text.includes(".")) return text;
  const cut = text.lastIndexOf(":");
  const v4 = parseIPv4(text.slice(cut + 1));
  if (cut < 0 || v4 === null) return null;
  return `${text.slice(0, cut + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
}

/** Eight 16-bit groups, or null. A zone id (`fe80::1%eth0`) is ignored. */
export function parseIPv6(input: string): number[] | null {
  const text = expandEmbeddedIPv4(input.split("%")[0] ?? "");
  if (text === null) return null;
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = parseHextets(halves[0] ?? "");
  const tail = halves.length === 2 ? parseHextets(halves[1] ?? "") : [];
  if (head === null || tail === null) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...new Array<number>(missing).fill(0), ...tail] : null;
}

function classifyIPv4(address: number): AddressClass {
  if (V4_FORBIDDEN.some((cidr) => inCidr4(address, cidr))) return "forbidden";
  if (V4_PRIVATE.some((cidr) => inCidr4(address, cidr))) return "private";
  return "public";
}

function zeros(groups: number[], from: number, to: number): boolean {
  return groups.slice(from, to).every((g) => g === 0);
}

/** The IPv4 address an IPv6 address stands for (mapped, compatible or NAT64), if any. */
function embeddedIPv4(g: number[]): number | null {
  const low = (((g[6] ?? 0) << 16) >>> 0) + (g[7] ?? 0);
  if (zeros(g, 0, 5) && g[5] === 0xffff) return low;
  if (zeros(g, 0, 6) && low > 1) return low;
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(g, 2, 6)) return low;
  return null;
}

const AWS_METADATA_V6 = [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x254];

function classifyIPv6(g: number[]): AddressClass {
  const v4 = embeddedIPv4(g);
  if (v4 !== null) return classifyIPv4(v4);
  const first = g[0] ?? 0;
  if (zeros(g, 0, 8)) return "forbidden";
  if (zeros(g, 0, 7) && g[7] === 1) return "private";
  if (AWS_METADATA_V6.every((value, i) => g[i] === value)) return "forbidden";
  if ((first & 0xff00) === 0xff00 || (first & 0xffc0) === 0xfe80) return "forbidden";
  if ((first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfec0) return "private";
  return "public";
}

/** Classifies an IP literal; text that is not an IP address is "forbidden". */
export function classifyAddress(ip: string): AddressClass {
  const v4 = parseIPv4(ip);
  if (v4 !== null) return classifyIPv4(v4);
  const v6 = ip.includes(":") ? parseIPv6(ip) : null;
  return v6 === null ? "forbidden" : classifyIPv6(v6);
}

export function isForbiddenAddress(ip: string, options: { allowPrivate: boolean }): boolean {
  const kind = classifyAddress(ip);
  return kind === "forbidden" || (kind === "private" && !options.allowPrivate);
}

export type ResolvedAddress = { address: string; family: number };
export type Lookup = (hostname: string) => Promise<ResolvedAddress[]>;

export type ResolveResult = { ok: true; address: string; family: 4 | 6 } | { ok: false; reason: string };

const defaultLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true });

function checked(address: string, allowPrivate: boolean): ResolveResult {
  const family = isIP(address);
  if (family !== 4 && family !== 6) return { ok: false, reason: `not an IP address: ${address}` };
  if (isForbiddenAddress(address, { allowPrivate })) return { ok: false, reason: `forbidden address ${address}` };
  return { ok: true, address, family };
}

async function resolveAll(hostname: string, lookup: Lookup): Promise<ResolvedAddress[] | null> {
  try {
    return await lookup(hostname);
  } catch {
    return null;
  }
}

/**
 * Resolves a callback URL's host once and checks every address it resolves to. The delivery must then
 * connect to the returned address (sending the original Host/SNI), never resolve the name again: a
 * second lookup is exactly what a DNS-rebinding attacker answers differently. If any address is
 * forbidden the whole name is refused, since we cannot know which one a client would pick.
 */
export async function resolveCallbackTarget(
  url: string,
  options: { allowPrivate: boolean; lookup?: Lookup },
): Promise<ResolveResult> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: "invalid URL" };
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return { ok: false, reason: `unsupported protocol ${parsed.protocol}` };
  }
  const hostname = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(hostname) !== 0) return checked(hostname, options.allowPrivate);
  const addresses = await resolveAll(hostname, options.lookup ?? defaultLookup);
  if (addresses === null || addresses.length === 0) return { ok: false, reason: `could not resolve ${hostname}` };
  for (const entry of addresses) {
    const result = checked(entry.address, options.allowPrivate);
    if (!result.ok) return { ok: false, reason: `${hostname}: ${result.reason}` };
  }
  return checked(addresses[0]?.address ?? "", options.allowPrivate);
}
