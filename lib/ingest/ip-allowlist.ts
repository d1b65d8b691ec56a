import { parseIPv4, parseIPv6 } from "@/lib/net/ssrf";

/**
 * The optional per-instance IP allow-list for webhook senders (`event.notification.ip.allowlist`:
 * comma-separated addresses or CIDR ranges, IPv4 or IPv6). Unsigned providers are otherwise guarded only
 * by the unguessable URL; with a list set, requests from anywhere else are refused.
 */

export const ALLOWLIST_PARAMETER = "event.notification.ip.allowlist";

type Rule = { family: 4; base: number; bits: number } | { family: 6; groups: number[]; bits: number };

export type AllowList = { rules: Rule[]; invalid: string[] };

function parseRule(entry: string): Rule | null {
  const [address = "", prefix, extra] = entry.split("/");
  if (extra !== undefined) return null;
  const v4 = parseIPv4(address);
  const bitsOf = (max: number) => (prefix === undefined ? max : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN);
  if (v4 !== null) {
    const bits = bitsOf(32);
    return bits >= 0 && bits <= 32 ? { family: 4, base: v4, bits } : null;
  }
  const v6 = address.includes(":") ? parseIPv6(address) : null;
  if (v6 === null) return null;
  const bits = bitsOf(128);
  return bits >= 0 && bits <= 128 ? { family: 6, groups: v6, bits } : null;
}

export function parseAllowList(text: string): AllowList {
  const rules: Rule[] = [];
  const invalid: string[] = [];
  for (const entry of text.split(/[\s,]+/).filter(Boolean)) {
    const rule = parseRule(entry);
    if (rule) rules.push(rule);
    else invalid.push(entry);
  }
  return { rules, invalid };
}

function v4Matches(address: number, rule: { base: number; bits: number }): boolean {
  const mask = rule.bits === 0 ? 0 : (~0 << (32 - rule.bits)) >>> 0;
  return ((address & mask) >>> 0) === ((rule.base & mask) >>> 0);
}

function v6Matches(groups: number[], rule: { groups: number[]; bits: number }): boolean {
  for (let i = 0, left = rule.bits; i < 8 && left > 0; i += 1, left -= 16) {
    const mask = left >= 16 ? 0xffff : (0xffff << (16 - left)) & 0xffff;
    if (((groups[i] ?? 0) & mask) !== ((rule.groups[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** `::ffff:1.2.3.4` (how a dual-stack socket reports an IPv4 peer) is matched as `1.2.3.4`. */
function normalize(address: string): { family: 4; value: number } | { family: 6; groups: number[] } | null {
  const v4 = parseIPv4(address);
  if (v4 !== null) return { family: 4, value: v4 };
  const groups = address.includes(":") ? parseIPv6(address) : null;
  if (groups === null) return null;
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) return { family: 4, value: (((groups[6] ?? 0) << 16) >>> 0) + (groups[7] ?? 0) };
  return { family: 6, groups };
}

/** True when `address` is in one of the rules. An unknown or unparseable address is never allowed. */
export function isAllowedAddress(address: string | undefined, list: AllowList): boolean {
  const peer = address ? normalize(address) : null;
  if (peer === null) return false;
  return list.rules.some((rule) =>
    rule.family === 4 && peer.family === 4
      ? v4Matches(peer.value, rule)
      : rule.family === 6 && peer.family === 6 && v6Matches(peer.groups, rule),
  );
}
