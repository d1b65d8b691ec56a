import ipaddr from "ipaddr.js";
import { classifyAddress } from "@/lib/net/ssrf";

/**
 * Whether providers on the internet could reach an address: `loopback` (this machine only), `private`
 * (a local network: RFC 1918 / ULA / link-local addresses, single-label and local-only names), or
 * `public`. Judged from the URL alone, without DNS: a public name that resolves to a private address
 * is not caught.
 */
export type Reachability = "public" | "private" | "loopback";

const LOCAL_SUFFIXES = [".local", ".lan", ".internal", ".home.arpa", ".intranet", ".corp"];

export function reachabilityOf(url: string): Reachability {
  let hostname: string;
  try {
    hostname = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
  } catch {
    return "private";
  }
  if (hostname === "localhost" || hostname.endsWith(".localhost")) return "loopback";
  if (ipaddr.isValid(hostname)) {
    const address = ipaddr.process(hostname);
    if (address.range() === "loopback" || address.range() === "unspecified") return "loopback";
    return classifyAddress(hostname) === "public" ? "public" : "private";
  }
  if (!hostname.includes(".") || LOCAL_SUFFIXES.some((suffix) => hostname.endsWith(suffix))) return "private";
  return "public";
}
