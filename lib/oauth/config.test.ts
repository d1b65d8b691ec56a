import { afterEach, describe, expect, it } from "vitest";
import { getConnector } from "@/lib/connectors";
import { providerApiUrl, requireOAuthConnector } from "@/lib/oauth/config";

const oauth = (key: string) => requireOAuthConnector(getConnector(key)!);

afterEach(() => {
  delete process.env.HOOKLINE_MAILCHIMPV3_API_URL;
});

describe("providerApiUrl", () => {
  it("uses MailChimp's api_endpoint from the account lookup, unless overridden", () => {
    expect(providerApiUrl(oauth("mailchimpv3"), { api_endpoint: "https://us21.api.mailchimp.com" })).toBe("https://us21.api.mailchimp.com");
    expect(providerApiUrl(oauth("mailchimpv3"), null)).toBeUndefined();
    process.env.HOOKLINE_MAILCHIMPV3_API_URL = "http://127.0.0.1:9999";
    expect(providerApiUrl(oauth("mailchimpv3"), { api_endpoint: "https://us21.api.mailchimp.com" })).toBe("http://127.0.0.1:9999");
  });

  it("falls back to the connector file's default", () => {
    expect(providerApiUrl(oauth("campaignmonitor"), null)).toBe("https://api.createsend.com/api/v3.3");
    expect(() => requireOAuthConnector(getConnector("connectwisecrmrest")!)).toThrow(/does not use OAuth 2/);
  });
});
