import { describe, expect, it } from "vitest";
import { campaignMonitorWebhook } from "@/lib/connectors/webhooks/campaignmonitor";
import { RECEIVED_AT, fixture, incoming } from "@/tests/fixtures/webhooks";

const parse = (body: Buffer | string) => campaignMonitorWebhook.parse(incoming(body), RECEIVED_AT);

describe("campaignMonitorWebhook", () => {
  it("normalizes the documented subscribe payload", () => {
    const body = fixture("campaignmonitor-subscribe.json");
    const result = parse(body);
    expect(result.raw).toEqual(JSON.parse(body.toString("utf8")));
    expect(result.events).toEqual([
      { eventType: "CREATED", objectType: "subscriber", objectId: "test@example.org", eventDate: "2010-12-14T11:32:00.000Z", changeDate: "2010-12-14T11:32:00.000Z" },
    ]);
  });

  it("normalizes a batch: Subscribe → CREATED, Update → UPDATED (current address), Deactivate → DELETED", () => {
    expect(parse(fixture("campaignmonitor-batch.json")).events).toEqual([
      { eventType: "CREATED", objectType: "subscriber", objectId: "test1@example.org", eventDate: "2010-12-14T11:32:00.000Z", changeDate: "2010-12-14T11:32:00.000Z" },
      { eventType: "CREATED", objectType: "subscriber", objectId: "test2@example.org", eventDate: "2010-12-14T11:32:00.000Z", changeDate: "2010-12-14T11:32:00.000Z" },
      { eventType: "UPDATED", objectType: "subscriber", objectId: "new.address@example.org", eventDate: "2010-12-14T11:40:00.000Z", changeDate: "2010-12-14T11:40:00.000Z" },
      { eventType: "DELETED", objectType: "subscriber", objectId: "example@example.com", eventDate: "2011-04-27T09:41:00.000Z", changeDate: "2011-04-27T09:41:00.000Z" },
      { eventType: "DELETED", objectType: "subscriber", objectId: "bounced@example.com", eventDate: "2011-04-27T09:45:30.000Z", changeDate: "2011-04-27T09:45:30.000Z" },
    ]);
  });

  it("reports unknown or malformed items as UNKNOWN without dropping the others", () => {
    const body = JSON.stringify({
      Events: [{ Type: "Unsubscribed", EmailAddress: "a@b.c", Date: "bad" }, 7, { Type: "Subscribe" }],
      ListID: "x",
    });
    expect(parse(body).events).toEqual([
      { eventType: "UNKNOWN", objectType: "subscriber", objectId: "a@b.c", eventDate: RECEIVED_AT.toISOString() },
      { eventType: "UNKNOWN", objectType: "subscriber", objectId: null, eventDate: RECEIVED_AT.toISOString() },
      { eventType: "CREATED", objectType: "subscriber", objectId: null, eventDate: RECEIVED_AT.toISOString() },
    ]);
  });

  it("yields no events for an empty batch", () => {
    expect(parse('{"Events":[],"ListID":"x"}')).toMatchObject({ raw: { Events: [], ListID: "x" }, events: [] });
  });

  it("cuts the body down to a range of its events (a notification's own raw payload)", () => {
    const items = [0, 1, 2].map((i) => ({ Type: "Subscribe", Date: "2024-01-01 10:00:00", EmailAddress: `u${i}@example.org` }));
    const result = parse(JSON.stringify({ Events: items, ListID: "x" }));
    expect(result.sliceRaw?.(1, 3)).toEqual({ Events: items.slice(1, 3), ListID: "x" });
  });

  it.each([
    ["bad JSON", "{"],
    ["the XML payload format", "<?xml version=\"1.0\"?><hash><Events/></hash>"],
    ["wrong shape", '{"events":[]}'],
    ["an array", "[]"],
  ])("turns %s into one UNKNOWN event with the body kept", (_, body) => {
    expect(parse(body)).toEqual({
      raw: { body },
      events: [{ eventType: "UNKNOWN", objectType: "unknown", objectId: null, eventDate: RECEIVED_AT.toISOString() }],
      unrecognized: expect.stringMatching(/\.$/),
    });
  });

  it("is unsigned", async () => {
    await expect(campaignMonitorWebhook.verify(incoming("{}"), { configuration: {} })).resolves.toEqual({ ok: true });
    expect(campaignMonitorWebhook.probeStatus).toBeUndefined();
  });
});
