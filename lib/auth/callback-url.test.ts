import { describe, expect, it } from "vitest";
import { loginUrlFor, safeCallbackUrl } from "@/lib/auth/callback-url";

const origin = "https://hookline.example";

describe("safeCallbackUrl", () => {
  // As `searchParams.get("callbackUrl")` hands them over: `/login?callbackUrl=/%5Cevil.test` gives "/\\evil.test".
  it.each([
    ["/\\evil.test", "a backslash (the review's /%5C)"],
    ["/\t/evil.test", "a tab (the review's /%09/)"],
    ["/\n/evil.test", "a newline"],
    ["//evil.test", "protocol-relative"],
    ["\\\\evil.test", "two backslashes"],
    ["https://evil.test/", "absolute, other site"],
    ["https://hookline.example.evil.test/", "our name as a prefix of theirs"],
    ["http://hookline.example/", "our host over another scheme"],
    ["javascript:alert(1)", "a script URL"],
    ["http://[", "unparseable"],
  ])("sends %j (%s) to the start page", (value) => {
    expect(safeCallbackUrl(value, origin)).toBe(`${origin}/`);
  });

  it("answers the review's links, decoded as the login page decodes them, with a page of this site", () => {
    for (const link of ["/login?callbackUrl=/%5Cevil.test", "/login?callbackUrl=/%09/evil.test", "/login?callbackUrl=%00"]) {
      const value = new URL(link, origin).searchParams.get("callbackUrl");
      expect(new URL(safeCallbackUrl(value, origin)).origin).toBe(origin);
    }
  });

  it("keeps deep links on this site, query and hash included", () => {
    expect(safeCallbackUrl("/events?status=DEAD", origin)).toBe(`${origin}/events?status=DEAD`);
    expect(safeCallbackUrl(`${origin}/instances/3#log`, origin)).toBe(`${origin}/instances/3#log`);
    expect(safeCallbackUrl(null, origin)).toBe(`${origin}/`);
  });

  it("builds a sign-in link that carries the deep link", () => {
    const link = new URL(loginUrlFor("/events?status=DEAD"), origin);
    expect(link.pathname).toBe("/login");
    expect(safeCallbackUrl(link.searchParams.get("callbackUrl"), origin)).toBe(`${origin}/events?status=DEAD`);
    expect(loginUrlFor("/")).toBe("/login");
  });
});

