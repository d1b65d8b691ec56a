import { describe, expect, it } from "vitest";
import { hootsuiteWebhook } from "@/lib/connectors/webhooks/hootsuite";
import { RECEIVED_AT, fixture, incoming } from "@/tests/fixtures/webhooks";

const parse = (body: Buffer | string) => hootsuiteWebhook.parse(incoming(body), RECEIVED_AT);
const message = (eventType: string, objectId: string, eventDate: string) => ({
  eventType,
  objectType: "message",
  objectId,
  eventDate,
});

describe("hootsuiteWebhook", () => {
  it("normalizes a batch of message events by state and skips the ping", () => {
    const body = fixture("hootsuite-batch.json");
    const result = parse(body);
    expect(result.raw).toEqual(JSON.parse(body.toString("utf8")));
    expect(result.events).toEqual([
      message("CREATED", "9384759327", "2023-05-17T15:35:25.555Z"),
      message("CREATED", "9384759328", "2023-05-17T15:36:01.000Z"),
      message("UPDATED", "9384759327", "2023-05-17T15:40:12.120Z"),
      message("UPDATED", "9384759327", "2023-05-17T16:00:00.004Z"),
      message("UPDATED", "9384759329", "2023-05-17T16:00:02.000Z"),
      message("DELETED", "9384759328", "2023-05-17T16:05:44.900Z"),
      { eventType: "CREATED", objectType: "comment", objectId: "5551234", eventDate: "2023-05-17T16:10:00.000Z" },
    ]);
  });

  it("answers a ping with no events (nothing to deliver) but keeps the raw body", () => {
    const body = fixture("hootsuite-ping.json");
    expect(parse(body)).toMatchObject({ raw: JSON.parse(body.toString("utf8")), events: [] });
  });

  it("cuts the batch down to a range of its events, pings (which make no event) left out", () => {
    const message = (id: string) => ({ seq_no: id, type: "com.hootsuite.messages.event.v1", data: { state: "SENT", message: { id } } });
    const ping = { seq_no: "p", type: "com.hootsuite.ping.event.v1", data: {} };
    const result = parse(JSON.stringify([message("1"), ping, message("2"), message("3")]));
    expect(result.events.map((e) => e.objectId)).toEqual(["1", "2", "3"]);
    expect(result.sliceRaw?.(1, 3)).toEqual([message("2"), message("3")]);
  });

  it("reports other event types and malformed items as UNKNOWN", () => {
    const body = JSON.stringify([
      { seq_no: "1", type: "com.hootsuite.apps.event.v1", data: { state: "INSTALLED", app: { id: 99 } } },
      { seq_no: "2", type: "something.else", data: {} },
      "garbage",
      { seq_no: "3", type: "com.hootsuite.messages.event.v1", data: { message: { id: 5 } } },
    ]);
    expect(parse(body).events).toEqual([
      { eventType: "UNKNOWN", objectType: "app", objectId: "99", eventDate: RECEIVED_AT.toISOString() },
      { eventType: "UNKNOWN", objectType: "unknown", objectId: null, eventDate: RECEIVED_AT.toISOString() },
      { eventType: "UNKNOWN", objectType: "unknown", objectId: null, eventDate: RECEIVED_AT.toISOString() },
      { eventType: "UNKNOWN", objectType: "message", objectId: "5", eventDate: RECEIVED_AT.toISOString() },
    ]);
  });

  it.each([["{}"], ['{"seq_no":"1"}'], ["not json"], [""]])("turns %j into one UNKNOWN event", (body) => {
    expect(parse(body)).toEqual({
      raw: { body },
      events: [{ eventType: "UNKNOWN", objectType: "unknown", objectId: null, eventDate: RECEIVED_AT.toISOString() }],
      unrecognized: expect.stringMatching(/\.$/),
    });
  });

  it("is treated as unsigned", async () => {
    await expect(hootsuiteWebhook.verify(incoming("[]"), { configuration: {} })).resolves.toEqual({ ok: true });
  });
});
