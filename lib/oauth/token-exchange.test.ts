import { describe, expect, it } from "vitest";
import { getConnector } from "@/lib/connectors";
import { requireOAuthConnector } from "@/lib/oauth/config";
import {
  describeTokenError,
  readTokenResponse,
  sanitizeDescription,
  safeErrorCode,
  TokenRequestError,
  tokenErrorToAppError,
} from "@/lib/oauth/token-exchange";

const cm = requireOAuthConnector(getConnector("campaignmonitor")!);
const mc = requireOAuthConnector(getConnector("mailchimpv3")!);
const now = new Date("2026-01-01T00:00:00Z");

function rejection(fn: () => unknown): TokenRequestError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TokenRequestError) return error;
    throw error;
  }
  throw new Error("expected a TokenRequestError");
}

describe("readTokenResponse", () => {
  it("reads tokens and turns expires_in into a date", () => {
    const tokens = readTokenResponse(cm, 200, JSON.stringify({ access_token: "a", refresh_token: "r", expires_in: 1209600 }), [], now);
    expect(tokens).toEqual({ accessToken: "a", refreshToken: "r", expiresAt: new Date("2026-01-15T00:00:00Z") });
    expect(readTokenResponse(cm, 200, '{"access_token":"a","expires_in":"60"}', [], now).expiresAt).toEqual(new Date(now.getTime() + 60_000));
  });

  it("treats MailChimp's expires_in: 0 as never expiring", () => {
    expect(readTokenResponse(mc, 200, '{"access_token":"a","expires_in":0,"scope":null}', [], now)).toEqual({
      accessToken: "a",
      refreshToken: null,
      expiresAt: null,
    });
  });

  it("classifies 4xx as rejected, 5xx and redirects as unavailable, junk as invalid", () => {
    expect(rejection(() => readTokenResponse(cm, 400, '{"error":"invalid_grant"}', [])).kind).toBe("rejected");
    expect(rejection(() => readTokenResponse(cm, 200, '{"error":"invalid_grant"}', [])).kind).toBe("rejected");
    expect(rejection(() => readTokenResponse(cm, 500, "<html>oops</html>", [])).kind).toBe("unavailable");
    expect(rejection(() => readTokenResponse(cm, 302, "", [])).kind).toBe("unavailable");
    expect(rejection(() => readTokenResponse(cm, 200, "not json", [])).kind).toBe("invalid_response");
    expect(rejection(() => readTokenResponse(cm, 200, '{"token":"x"}', [])).kind).toBe("invalid_response");
  });

  it("keeps the provider's error code and a redacted, shortened description", () => {
    const body = JSON.stringify({ error: "invalid_client", error_description: "Bad client_secret sekrit-value-123 for code abcd-code\n" + "x".repeat(500) });
    const error = rejection(() => readTokenResponse(cm, 401, body, ["sekrit-value-123", "abcd-code"]));
    expect(error.detail.providerError).toBe("invalid_client");
    expect(error.detail.providerDescription).not.toContain("sekrit-value-123");
    expect(error.detail.providerDescription).not.toContain("abcd-code");
    expect(error.detail.providerDescription).toContain("[redacted]");
    expect(error.detail.providerDescription!.length).toBeLessThanOrEqual(201);
  });
});

describe("error summaries", () => {
  it("accepts only plain error codes", () => {
    expect(safeErrorCode("access_denied")).toBe("access_denied");
    expect(safeErrorCode("<script>")).toBeUndefined();
    expect(safeErrorCode("a".repeat(65))).toBeUndefined();
    expect(safeErrorCode(42)).toBeUndefined();
  });

  it("sanitizes descriptions", () => {
    expect(sanitizeDescription("  a\u0000b\r\nc ", [])).toBe("a b c");
    expect(sanitizeDescription("", [])).toBeUndefined();
    expect(sanitizeDescription({}, [])).toBeUndefined();
  });

  it("says what failed; the provider's words only when asked", () => {
    const rejected = new TokenRequestError("rejected", "token", { status: 400, providerError: "invalid_grant", providerDescription: "Code expired" });
    expect(describeTokenError("Campaign Monitor", rejected)).toMatch(/^Campaign Monitor rejected the request \(invalid_grant\): the authorization code/);
    expect(describeTokenError("Campaign Monitor", rejected)).not.toContain("Code expired");
    expect(describeTokenError("Campaign Monitor", rejected, { withProviderText: true })).toContain('said: "Code expired"');
    expect(describeTokenError("Hootsuite", new TokenRequestError("unavailable", "token", { status: 503 }))).toMatch(/HTTP 503/);
    expect(describeTokenError("MailChimp", new TokenRequestError("invalid_response", "account"))).toMatch(/account lookup/);
  });

  it("maps refusals to 400 and failures to 502", () => {
    expect(tokenErrorToAppError("X", new TokenRequestError("rejected", "token", { status: 400 })).status).toBe(400);
    expect(tokenErrorToAppError("X", new TokenRequestError("unavailable", "token", { status: 500 })).status).toBe(502);
    expect(tokenErrorToAppError("X", new TokenRequestError("timeout", "token")).status).toBe(502);
  });
});
