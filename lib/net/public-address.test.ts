import { describe, expect, it } from "vitest";
import { reachabilityOf } from "@/lib/net/public-address";

describe("reachabilityOf", () => {
  it.each([
    ["http://localhost:3000", "loopback"],
    ["http://app.localhost:3000", "loopback"],
    ["http://127.0.0.1:3100", "loopback"],
    ["http://127.1.2.3", "loopback"],
    ["http://[::1]:3000", "loopback"],
    ["http://0.0.0.0:3000", "loopback"],
    ["http://[::ffff:127.0.0.1]:3000", "loopback"],
    ["http://192.168.1.20:3000", "private"],
    ["http://10.0.0.5", "private"],
    ["http://172.16.3.4", "private"],
    ["http://[fd12:3456::1]", "private"],
    ["http://hookline:3000", "private"],
    ["http://hookline.local", "private"],
    ["http://box.home.arpa", "private"],
    ["https://hooks.example.com", "public"],
    ["https://203.0.114.10", "public"],
    ["https://[2606:4700::1111]", "public"],
  ])("%s is %s", (url, expected) => {
    expect(reachabilityOf(url)).toBe(expected);
  });
});
