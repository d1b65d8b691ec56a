import { describe, expect, it, vi } from "vitest";
import { classifyAddress, isForbiddenAddress, parseIPv6, resolveCallbackTarget } from "@/lib/net/ssrf";
import type { Lookup } from "@/lib/net/ssrf";

const ALWAYS_FORBIDDEN = [
  "169.254.169.254",
  "169.254.0.1",
  "0.0.0.0",
  "0.1.2.3",
  "224.0.0.1",
  "239.255.255.250",
  "255.255.255.255",
  "240.0.0.1",
  "::",
  "fe80::1",
  "fe80::1%eth0",
  "febf:ffff::1",
  "fd00:ec2::254",
  "ff02::1",
  "::ffff:169.254.169.254",
  "::ffff:a9fe:a9fe",
  "0:0:0:0:0:ffff:169.254.169.254",
  "::ffff:0.0.0.0",
  "::169.254.169.254",
  "64:ff9b::169.254.169.254",
  "::ffff:224.0.0.1",
  // IPv6 forms that carry 169.254.169.254: SIIT, 6to4, NAT64, Teredo (client address inverted).
  "::ffff:0:a9fe:a9fe",
  "::ffff:0:169.254.169.254",
  "2002:a9fe:a9fe::1",
  "2002:a9fe:a9fe:1234:5678:9abc:def0:1",
  "64:ff9b::a9fe:a9fe",
  "2001:0:4136:e378:8000:63bf:5601:5601",
  "2001::5601:5601",
  // Local-use NAT64: where its IPv4 address sits depends on the operator's prefix length.
  "64:ff9b:1::a9fe:a9fe",
  "100::1",
];

const PRIVATE = [
  "127.0.0.1",
  "127.255.255.254",
  "10.0.0.1",
  "172.16.0.1",
  "172.31.255.255",
  "192.168.1.1",
  "100.64.0.1",
  "100.127.255.255",
  "::1",
  "fc00::1",
  "fd12:3456::1",
  "::ffff:127.0.0.1",
  "::ffff:10.1.2.3",
  "::ffff:7f00:1",
  "64:ff9b::10.0.0.1",
  "::ffff:0:10.0.0.1",
  "2002:7f00:1::1",
  "2002:a00:1::",
  "2001:0:4136:e378:8000:63bf:f5ff:fffe",
  "2001:db8::1",
];

const PUBLIC = [
  "8.8.8.8",
  "1.1.1.1",
  "172.15.255.255",
  "172.32.0.1",
  "100.63.255.255",
  "100.128.0.1",
  "169.253.255.255",
  "223.255.255.255",
  "2606:4700:4700::1111",
  "2001:4860:4860::8888",
  "::ffff:8.8.8.8",
  "::ffff:0:808:808",
  "2002:808:808::1",
  "64:ff9b::808:808",
  "2001:0:4136:e378:8000:63bf:f7f7:f7f7",
];

const GARBAGE = ["", "localhost", "1.2.3", "1.2.3.4.5", "256.1.1.1", "010.0.0.1", "0x7f.0.0.1", "1::2::3", "1:2:3:4:5:6:7:8:9", "gggg::1", "::ffff:1.2.3", "::ffff:010.0.0.1", "::ffff:0x7f.0.0.1", "fe80::1%"];

describe("isForbiddenAddress", () => {
  it.each(ALWAYS_FORBIDDEN)("always forbids %s", (ip) => {
    expect(isForbiddenAddress(ip, { allowPrivate: false })).toBe(true);
    expect(isForbiddenAddress(ip, { allowPrivate: true })).toBe(true);
  });

  it.each(PRIVATE)("forbids %s unless private addresses are allowed", (ip) => {
    expect(isForbiddenAddress(ip, { allowPrivate: false })).toBe(true);
    expect(isForbiddenAddress(ip, { allowPrivate: true })).toBe(false);
  });

  it.each(PUBLIC)("allows public %s", (ip) => {
    expect(isForbiddenAddress(ip, { allowPrivate: false })).toBe(false);
  });

  it("singles out the AWS IPv6 metadata address inside fc00::/7", () => {
    expect(isForbiddenAddress("fd00:ec2::253", { allowPrivate: true })).toBe(false);
    expect(isForbiddenAddress("fd00:ec2:0:0:0:0:0:254", { allowPrivate: true })).toBe(true);
  });

  it.each(GARBAGE)("fails closed on %j", (text) => {
    expect(classifyAddress(text)).toBe("forbidden");
  });

  it("parses IPv6 forms", () => {
    expect(parseIPv6("1:2:3:4:5:6:7::")).toEqual([1, 2, 3, 4, 5, 6, 7, 0]);
    expect(parseIPv6("::ffff:1.2.3.4")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    expect(parseIPv6("1:2:3:4:5:6:7:8::")).toBeNull();
  });
});

function fakeLookup(addresses: Array<{ address: string; family: number }>): Lookup {
  return vi.fn(async () => addresses);
}

describe("resolveCallbackTarget", () => {
  it("returns the checked address to connect to", async () => {
    const lookup = fakeLookup([{ address: "93.184.216.34", family: 4 }, { address: "2606:2800:220:1::1", family: 6 }]);
    expect(await resolveCallbackTarget("https://hooks.example.com/cb?x=1", { allowPrivate: false, lookup })).toEqual({
      ok: true,
      address: "93.184.216.34",
      family: 4,
    });
    expect(lookup).toHaveBeenCalledWith("hooks.example.com");
  });

  it("refuses a name when any of its addresses is forbidden (rebinding-style mixed answers)", async () => {
    const lookup = fakeLookup([{ address: "93.184.216.34", family: 4 }, { address: "169.254.169.254", family: 4 }]);
    const result = await resolveCallbackTarget("https://evil.example/", { allowPrivate: true, lookup });
    expect(result).toEqual({ ok: false, reason: "evil.example: forbidden address 169.254.169.254" });
  });

  it("honours allowPrivate for names resolving to private addresses", async () => {
    const lookup = fakeLookup([{ address: "10.0.0.5", family: 4 }]);
    expect((await resolveCallbackTarget("http://receiver.internal/", { allowPrivate: false, lookup })).ok).toBe(false);
    expect(await resolveCallbackTarget("http://receiver.internal/", { allowPrivate: true, lookup })).toEqual({
      ok: true,
      address: "10.0.0.5",
      family: 4,
    });
  });

  it("checks IP literals without a lookup, including bracketed IPv6 and numeric IPv4 forms", async () => {
    const lookup = fakeLookup([]);
    expect((await resolveCallbackTarget("http://169.254.169.254/latest/meta-data", { allowPrivate: true, lookup })).ok).toBe(false);
    expect((await resolveCallbackTarget("http://[::ffff:169.254.169.254]/", { allowPrivate: true, lookup })).ok).toBe(false);
    for (const host of ["[::ffff:0:a9fe:a9fe]", "[2002:a9fe:a9fe::1]", "[64:ff9b::a9fe:a9fe]", "[2001:0:4136:e378:8000:63bf:5601:5601]"]) {
      expect(await resolveCallbackTarget(`http://${host}/latest/meta-data`, { allowPrivate: true, lookup })).toMatchObject({ ok: false, reason: expect.stringMatching(/^forbidden address/) });
    }
    expect((await resolveCallbackTarget("http://2130706433/", { allowPrivate: false, lookup })).ok).toBe(false);
    expect((await resolveCallbackTarget("http://0x7f.1/", { allowPrivate: false, lookup })).ok).toBe(false);
    expect(await resolveCallbackTarget("http://[::1]:8080/", { allowPrivate: true, lookup })).toEqual({
      ok: true,
      address: "::1",
      family: 6,
    });
    expect(await resolveCallbackTarget("https://8.8.8.8/", { allowPrivate: false, lookup })).toEqual({
      ok: true,
      address: "8.8.8.8",
      family: 4,
    });
    expect(lookup).not.toHaveBeenCalled();
  });

  it("refuses bad URLs, other protocols, failed and empty lookups", async () => {
    const failing: Lookup = async () => {
      throw new Error("ENOTFOUND");
    };
    expect(await resolveCallbackTarget("not a url", { allowPrivate: false })).toEqual({ ok: false, reason: "invalid URL" });
    expect((await resolveCallbackTarget("file:///etc/passwd", { allowPrivate: true })).ok).toBe(false);
    expect((await resolveCallbackTarget("gopher://example.com/", { allowPrivate: true })).ok).toBe(false);
    expect(await resolveCallbackTarget("https://nowhere.example/", { allowPrivate: false, lookup: failing })).toEqual({
      ok: false,
      reason: "could not resolve nowhere.example",
    });
    expect((await resolveCallbackTarget("https://empty.example/", { allowPrivate: false, lookup: fakeLookup([]) })).ok).toBe(false);
  });
});
