import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

/**
 * Guards outgoing deliveries (and any other server-side fetch of a user-supplied URL) against SSRF.
 *
 * Three classes of address:
 * - forbidden always: unspecified/"this network" (0.0.0.0/8, ::), link-local (169.254.0.0/16 — cloud
 *   metadata lives there — and fe80::/10), AWS's IPv6 metadata address fd00:ec2::254, multicast
 *   (224.0.0.0/4, ff00::/8), reserved/broadcast 240.0.0.0/4, the IPv6 discard prefix, and local-use
 *   NAT64 64:ff9b:1::/48 (where the IPv4 address sits depends on the operator's prefix length);
 * - private (allowed only with `allowPrivate`, for self-hosters delivering inside their own network):
 *   loopback, RFC 1918, CGNAT 100.64.0.0/10, the other special-purpose IPv4 blocks (192.0.0.0/24,
 *   TEST-NETs, 198.18.0.0/15…), fc00::/7, fec0::/10 and IPv6's other special-purpose, non-global ranges;
 * - everything else is public.
 * IPv6 that carries an IPv4 address is judged as the IPv4 address it reaches: mapped ::ffff:0:0/96,
 * SIIT ::ffff:0:0:0/96, compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16 and Teredo 2001::/32
 * (the client address, stored inverted). Parsing is Node's (`isIP`, strict: no octal or hex quads) and
 * ipaddr.js's (ranges); anything that does not parse as an address is forbidden (fail closed).
 */

export type AddressClass = "public" | "private" | "forbidden";

/** An IP literal, strictly: what Node's own socket code would accept as an address, nothing looser. */
function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const family = isIP(text);
  if (family === 4) return ipaddr.IPv4.parse(text);
  if (family !== 6) return null;
  // ipaddr.js reads `::a.b.c.d` as `::ffff:a.b.c.d`; the URL parser writes any dotted tail as hex first.
  const bare = text.split("%")[0] ?? "";
  const hex = bare.includes(".") ? new URL(`http://[${bare}]`).hostname.slice(1, -1) : bare;
  return ipaddr.IPv6.parse(hex);
}

/** A dotted quad as a 32-bit number (for CIDR matching in lib/ingest/ip-allowlist.ts), or null. */
export function parseIPv4(text: string): number | null {
  const address = isIP(text) === 4 ? parseAddress(text) : null;
  if (address?.kind() !== "ipv4") return null;
  const [a = 0, b = 0, c = 0, d = 0] = (address as ipaddr.IPv4).octets;
  return ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
}

/** Eight 16-bit groups, or null. A zone id (`fe80::1%eth0`) is ignored. */
export function parseIPv6(text: string): number[] | null {
  const address = isIP(text) === 6 ? parseAddress(text) : null;
  return address?.kind() === "ipv6" ? [...(address as ipaddr.IPv6).parts] : null;
}

const V4_FORBIDDEN = new Set(["unspecified", "broadcast", "multicast", "linkLocal"]);
const V4_PUBLIC = new Set(["unicast", "as112", "amt"]);
const RESERVED_CLASS_E = ipaddr.parseCIDR("240.0.0.0/4") as [ipaddr.IPv4, number];

function classifyIPv4(address: ipaddr.IPv4): AddressClass {
  const range = address.range();
  if (V4_FORBIDDEN.has(range) || address.match(RESERVED_CLASS_E)) return "forbidden";
  return V4_PUBLIC.has(range) ? "public" : "private";
}

function ipv4From(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

const LOCAL_NAT64 = ipaddr.parseCIDR("64:ff9b:1::/48") as [ipaddr.IPv6, number];

/** The IPv4 address an IPv6 address stands for, null if none, "unknown" when it cannot be told. */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | null | "unknown" {
  const g = address.parts;
  switch (address.range()) {
    case "ipv4Mapped":
    case "rfc6145":
      return ipv4From(g[6] ?? 0, g[7] ?? 0);
    case "rfc6052":
      return address.match(LOCAL_NAT64) ? "unknown" : ipv4From(g[6] ?? 0, g[7] ?? 0);
    case "6to4":
      return ipv4From(g[1] ?? 0, g[2] ?? 0);
    case "teredo":
      return ipv4From(~(g[6] ?? 0) & 0xffff, ~(g[7] ?? 0) & 0xffff);
    default: {
      // IPv4-compatible `::a.b.c.d` (deprecated, still routed by some stacks); `::` and `::1` are not.
      const compatible = g.slice(0, 6).every((part) => part === 0) && ((g[6] ?? 0) > 0 || (g[7] ?? 0) > 1);
      return compatible ? ipv4From(g[6] ?? 0, g[7] ?? 0) : null;
    }
  }
}

const AWS_METADATA_V6 = ipaddr.IPv6.parse("fd00:ec2::254");
const V6_FORBIDDEN = new Set(["unspecified", "linkLocal", "multicast", "discard"]);

function classifyIPv6(address: ipaddr.IPv6): AddressClass {
  const v4 = embeddedIPv4(address);
  if (v4 === "unknown") return "forbidden";
  if (v4 !== null) return classifyIPv4(v4);
  if (V6_FORBIDDEN.has(address.range()) || address.match(AWS_METADATA_V6, 128)) return "forbidden";
  return address.range() === "unicast" ? "public" : "private";
}

/** Classifies an IP literal; text that is not an IP address is "forbidden". */
export function classifyAddress(ip: string): AddressClass {
  const address = parseAddress(ip);
  if (address === null) return "forbidden";
  return address.kind() === "ipv4" ? classifyIPv4(address as ipaddr.IPv4) : classifyIPv6(address as ipaddr.IPv6);
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
