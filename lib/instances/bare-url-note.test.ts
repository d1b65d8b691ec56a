import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { BareUrlNote } from "@/app/(dashboard)/instances/[id]/bare-url-note";
import { getConnector } from "@/lib/connectors";
import type { Instance } from "@/lib/generated/prisma/client";
import { bareUrlAcceptance } from "@/lib/instances/webhook-url";

// Which instances also accept the bare, guessable webhook URL, and what the instance page says about it.

function render(key: string, configuration: Record<string, unknown>): string {
  const connector = getConnector(key)!;
  const instance = { id: 7, elementKey: key, configuration } as unknown as Instance;
  return renderToStaticMarkup(createElement(BareUrlNote, { instance, connector }));
}

describe("the bare webhook URL", () => {
  it("is accepted for a signing provider, an IP allow-list or the opt-in, and nothing else", () => {
    const handler = (key: string) => getConnector(key)!.events.webhook;
    expect(bareUrlAcceptance(handler("connectwisecrmrest"), {})).toBe("signed");
    expect(bareUrlAcceptance(handler("campaignmonitor"), { "event.notification.ip.allowlist": "203.0.113.0/24" })).toBe("allowlist");
    expect(bareUrlAcceptance(handler("campaignmonitor"), { "event.notification.ip.allowlist": " " })).toBeNull();
    expect(bareUrlAcceptance(handler("mailchimpv3"), { "event.webhook.bare.url": true })).toBe("opted-in");
    expect(bareUrlAcceptance(handler("hootsuite"), { "event.webhook.bare.url": false })).toBeNull();
  });

  it("warns on the instance page when the instance opted in, and explains it otherwise", () => {
    const warned = render("campaignmonitor", { "event.webhook.bare.url": true });
    expect(warned).toContain('role="alert"');
    expect(warned).toContain("/elements/api-v2/events/campaignmonitor/Nw==");
    expect(warned).toMatch(/anyone can guess/);
    expect(render("connectwisecrmrest", {})).toMatch(/ConnectWise signs every webhook/);
    expect(render("campaignmonitor", {})).toBe("");
  });
});
