import { describe, expect, it } from "vitest";
import { MAX_EVENTS_PER_NOTIFICATION, buildNotifications, chunkEventId } from "@/lib/events/envelope";
import type { NormalizedEvent } from "@/lib/connectors/contract";

function events(count: number): NormalizedEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    eventType: "CREATED",
    objectType: "subscriber",
    objectId: `user${i}@example.org`,
    eventDate: "2010-12-14T11:32:00.000Z",
  }));
}

const RAW = { Events: [{ Type: "Subscribe" }], ListID: "96c0bbdaa54760c8d9e62a2b7ffa2e13" };

function build(count: number) {
  return buildNotifications({
    baseEventId: "evt_123",
    elementKey: "campaignmonitor",
    instanceId: 42,
    instanceName: "Newsletter",
    events: events(count),
    raw: RAW,
  });
}

describe("buildNotifications", () => {
  it("wraps one event in a Cloud Elements envelope, elementKey on each event", () => {
    expect(build(1)).toEqual([
      {
        message: {
          eventId: "evt_123",
          elementKey: "campaignmonitor",
          instanceId: 42,
          instanceName: "Newsletter",
          events: [
            {
              eventType: "CREATED",
              objectType: "subscriber",
              objectId: "user0@example.org",
              eventDate: "2010-12-14T11:32:00.000Z",
              elementKey: "campaignmonitor",
            },
          ],
          raw: RAW,
        },
      },
    ]);
  });

  it("returns nothing for zero events (a ping is not delivered)", () => {
    expect(build(0)).toEqual([]);
  });

  it("keeps exactly 20 events in one notification with the base id", () => {
    const notifications = build(MAX_EVENTS_PER_NOTIFICATION);
    expect(notifications).toHaveLength(1);
    expect(notifications[0]?.message.eventId).toBe("evt_123");
    expect(notifications[0]?.message.events).toHaveLength(20);
  });

  it("splits 45 events into 20 + 20 + 5, each with the full raw body and a stable numbered id", () => {
    const notifications = build(45);
    expect(notifications.map((n) => n.message.events.length)).toEqual([20, 20, 5]);
    expect(notifications.map((n) => n.message.eventId)).toEqual(["evt_123-1", "evt_123-2", "evt_123-3"]);
    expect(notifications.every((n) => n.message.raw === RAW)).toBe(true);
    expect(notifications.flatMap((n) => n.message.events.map((e) => e.objectId))).toEqual(events(45).map((e) => e.objectId));
    expect(build(45)).toEqual(notifications);
  });

  it("splits 21 events into 20 + 1", () => {
    expect(build(21).map((n) => [n.message.eventId, n.message.events.length])).toEqual([
      ["evt_123-1", 20],
      ["evt_123-2", 1],
    ]);
  });

  it("derives chunk ids", () => {
    expect(chunkEventId("x", 0, 1)).toBe("x");
    expect(chunkEventId("x", 2, 3)).toBe("x-3");
  });
});

describe("serializeNotification", () => {
  it("is byte-for-byte JSON.stringify of the notification", async () => {
    const { serializeNotification, serializeRaw } = await import("@/lib/events/envelope");
    const raw = { ...RAW, nested: { "quote\"key": "ünïcode \u2028", list: [1, null, true] } };
    const notifications = buildNotifications({
      baseEventId: "evt",
      elementKey: "campaignmonitor",
      instanceId: 7,
      instanceName: "Name with \"quotes\"",
      events: events(25),
      raw,
    });
    for (const notification of notifications) {
      expect(serializeNotification(notification, serializeRaw(raw)).toString("utf8")).toBe(JSON.stringify(notification));
    }
  });
});
