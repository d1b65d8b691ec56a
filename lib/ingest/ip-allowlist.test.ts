import { describe, expect, it } from "vitest";
import { isAllowedAddress, parseAllowList } from "@/lib/ingest/ip-allowlist";

describe("IP allow-list", () => {
  const list = parseAllowList("203.0.113.7, 198.51.100.0/24 2001:db8::/32,::1");

  it.each([
    ["203.0.113.7", true],
    ["203.0.113.8", false],
    ["198.51.100.200", true],
    ["198.51.101.1", false],
    ["::ffff:198.51.100.9", true],
    ["2001:db8:1::5", true],
    ["2001:db9::5", false],
    ["::1", true],
    ["127.0.0.1", false],
    [undefined, false],
    ["not an address", false],
  ])("%s → %s", (address, allowed) => {
    expect(isAllowedAddress(address, list)).toBe(allowed);
  });

  it("reports entries it cannot read and ignores them", () => {
    const parsed = parseAllowList("10.0.0.0/33, example.com, 10.1.2.3/8/1, 192.168.0.1");
    expect(parsed.invalid).toEqual(["10.0.0.0/33", "example.com", "10.1.2.3/8/1"]);
    expect(isAllowedAddress("192.168.0.1", parsed)).toBe(true);
  });

  it("0.0.0.0/0 allows every IPv4 sender", () => {
    expect(isAllowedAddress("8.8.8.8", parseAllowList("0.0.0.0/0"))).toBe(true);
  });
});
