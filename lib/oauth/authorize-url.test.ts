import { afterEach, describe, expect, it } from "vitest";
import { getConnector } from "@/lib/connectors";
import { buildAuthorizeUrl } from "@/lib/oauth/authorize-url";
import { requireOAuthConnector } from "@/lib/oauth/config";

const oauth = (key: string) => requireOAuthConnector(getConnector(key)!);
const input = { clientId: "client-1", redirectUri: "https://hookline.example/oauth/callback", state: "s".repeat(43) };

afterEach(() => {
  delete process.env.HOOKLINE_CAMPAIGNMONITOR_AUTHORIZE_URL;
});

describe("buildAuthorizeUrl", () => {
  it("campaignmonitor: /oauth with type=web_server and comma-separated scopes", () => {
    const url = new URL(buildAuthorizeUrl(oauth("campaignmonitor"), input));
    expect(`${url.origin}${url.pathname}`).toBe("https://api.createsend.com/oauth");
    expect(url.searchParams.get("type")).toBe("web_server");
    expect(url.searchParams.get("scope")).toBe("ManageLists,ImportSubscribers");
    expect(url.searchParams.get("client_id")).toBe("client-1");
    expect(url.searchParams.get("redirect_uri")).toBe(input.redirectUri);
    expect(url.searchParams.get("state")).toBe(input.state);
    expect(url.searchParams.get("response_type")).toBe("code");
    expect(url.searchParams.has("code_challenge")).toBe(false);
  });

  it("hootsuite: /oauth2/auth with scope=offline", () => {
    const url = new URL(buildAuthorizeUrl(oauth("hootsuite"), input));
    expect(`${url.origin}${url.pathname}`).toBe("https://platform.hootsuite.com/oauth2/auth");
    expect(url.searchParams.get("scope")).toBe("offline");
  });

  it("mailchimpv3: no scope parameter at all", () => {
    const url = new URL(buildAuthorizeUrl(oauth("mailchimpv3"), input));
    expect(`${url.origin}${url.pathname}`).toBe("https://login.mailchimp.com/oauth2/authorize");
    expect(url.searchParams.has("scope")).toBe(false);
  });

  it("adds the S256 challenge when given, and honours a scope override and the URL override", () => {
    process.env.HOOKLINE_CAMPAIGNMONITOR_AUTHORIZE_URL = "http://127.0.0.1:9999/authorize?tenant=t1";
    const url = new URL(buildAuthorizeUrl(oauth("campaignmonitor"), { ...input, scope: "ViewReports", codeChallenge: "abc" }));
    expect(`${url.origin}${url.pathname}`).toBe("http://127.0.0.1:9999/authorize");
    expect(url.searchParams.get("tenant")).toBe("t1");
    expect(url.searchParams.get("scope")).toBe("ViewReports");
    expect(url.searchParams.get("code_challenge")).toBe("abc");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
  });

  it("never carries a client secret", () => {
    for (const key of ["campaignmonitor", "hootsuite", "mailchimpv3"]) {
      expect(buildAuthorizeUrl(oauth(key), input)).not.toMatch(/secret/i);
    }
  });
});
