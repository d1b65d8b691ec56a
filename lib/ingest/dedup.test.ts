import { describe, expect, it } from "vitest";
import { getConnector } from "@/lib/connectors";
import { dedupKey } from "@/lib/ingest/dedup";
import { fixture, incoming } from "@/tests/fixtures/webhooks";

const handler = (key: string) => getConnector(key)!.events.webhook;

describe("dedupKey", () => {
  it("is ConnectWise's MessageId, whatever else differs between two sends of it", () => {
    const sent = JSON.parse(fixture("connectwise-ticket-added.json").toString("utf8")) as Record<string, unknown>;
    const again = JSON.stringify({ ...sent, Metadata: { key_url: "https://elsewhere.example/key" } }, null, 2);
    expect(dedupKey(handler("connectwisecrmrest"), incoming(JSON.stringify(sent)))).toBe(`id:${String(sent.MessageId)}`);
    expect(dedupKey(handler("connectwisecrmrest"), incoming(again))).toBe(`id:${String(sent.MessageId)}`);
  });

  it("is the SHA-256 of an id PostgreSQL could not store or index as it is (a NUL, kilobytes), the same for every send", () => {
    const sent = JSON.parse(fixture("connectwise-ticket-added.json").toString("utf8")) as Record<string, unknown>;
    for (const messageId of ["abc\u0000def", "x".repeat(10_000), "caf\u00e9"]) {
      const body = JSON.stringify({ ...sent, MessageId: messageId });
      const key = dedupKey(handler("connectwisecrmrest"), incoming(body));
      expect(key).toMatch(/^id-sha256:[A-Za-z0-9_-]{43}$/);
      expect(dedupKey(handler("connectwisecrmrest"), incoming(JSON.stringify({ ...sent, MessageId: messageId, Extra: 1 })))).toBe(key);
    }
  });

  it("is the body's SHA-256 for providers without an event id, and for a ConnectWise body without one", () => {
    const body = fixture("mailchimp-subscribe.txt");
    const key = dedupKey(handler("mailchimpv3"), incoming(body, "application/x-www-form-urlencoded"));
    expect(key).toMatch(/^sha256:[A-Za-z0-9_-]{43}$/);
    expect(dedupKey(handler("mailchimpv3"), incoming(Buffer.concat([body, Buffer.from("x")])))).not.toBe(key);
    expect(dedupKey(handler("connectwisecrmrest"), incoming("{}"))).toMatch(/^sha256:/);
    expect(dedupKey(handler("campaignmonitor"), incoming("{}"))).toBe(dedupKey(handler("connectwisecrmrest"), incoming("{}")));
  });
});
