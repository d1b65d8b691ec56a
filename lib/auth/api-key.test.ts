import { describe, expect, it } from "vitest";
import { parseAuthorizationHeader } from "@/lib/auth/api-key";

describe("Authorization: User …, Organization …", () => {
  it("parses the Cloud Elements header in any order and case", () => {
    expect(parseAuthorizationHeader("User abc, Organization def")).toEqual({ user: "abc", organization: "def", element: undefined });
    expect(parseAuthorizationHeader("organization def,user abc, Element tok")).toEqual({ user: "abc", organization: "def", element: "tok" });
  });

  it("rejects missing, duplicated or malformed parts", () => {
    for (const header of [null, "", "Bearer abc", "Organization def", "User abc, User def", "User, Organization def", "User a b"]) {
      expect(parseAuthorizationHeader(header)).toBeNull();
    }
  });
});
