import { describe, expect, it } from "vitest";
import {
  decodeNestedForm,
  decodeUtf8,
  MAX_JSON_DEPTH,
  nestsDeeperThan,
  parseJsonBody,
  providerDateToIso,
  splitBracketedKey,
  unknownEvent,
  unparseable,
} from "@/lib/connectors/webhooks/shared";

const FALLBACK = new Date("2024-06-01T12:00:00.000Z");

describe("decodeUtf8 / parseJsonBody", () => {
  it("decodes valid UTF-8", () => {
    expect(decodeUtf8(Buffer.from("héllo ✓", "utf8"))).toEqual({ ok: true, text: "héllo ✓" });
  });

  it("flags invalid UTF-8 and keeps the text with replacement characters", () => {
    const result = decodeUtf8(Buffer.from([0x61, 0xff, 0x62]));
    expect(result).toEqual({ ok: false, text: "a\uFFFDb" });
  });

  it("parses JSON and refuses invalid JSON or invalid UTF-8 inside a JSON string", () => {
    expect(parseJsonBody(Buffer.from('{"a":1}'))).toMatchObject({ ok: true, value: { a: 1 } });
    expect(parseJsonBody(Buffer.from("{nope")).ok).toBe(false);
    expect(parseJsonBody(Buffer.from([0x22, 0xc3, 0x28, 0x22])).ok).toBe(false);
  });

  it("keeps JSON nested deeper than MAX_JSON_DEPTH as text, so it is never stringified back into a stack overflow", () => {
    const deep = (depth: number) => Buffer.from("[".repeat(depth) + "]".repeat(depth));
    expect(parseJsonBody(deep(MAX_JSON_DEPTH)).ok).toBe(true);
    expect(parseJsonBody(deep(MAX_JSON_DEPTH + 1)).ok).toBe(false);
    expect(parseJsonBody(deep(20_000))).toMatchObject({ ok: false, text: expect.stringMatching(/^\[+\]+$/) });
    // Brackets inside strings, escaped quotes included, are not nesting.
    expect(parseJsonBody(Buffer.from(JSON.stringify({ a: "[".repeat(1000) + '\\"' + "{".repeat(1000) })))).toMatchObject({ ok: true });
    expect(nestsDeeperThan('{"a":{"b":[1]}}', 2)).toBe(true);
    expect(nestsDeeperThan('{"a":{"b":"[[["}}', 2)).toBe(false);
  });
});

describe("providerDateToIso", () => {
  it.each([
    ["2009-03-26 21:35:57", "2009-03-26T21:35:57.000Z"],
    ["2010-12-14 11:32:00", "2010-12-14T11:32:00.000Z"],
    ["2023-05-17T15:35:25.555Z", "2023-05-17T15:35:25.555Z"],
    ["2024-03-05T14:22:11Z", "2024-03-05T14:22:11.000Z"],
    ["2024-03-05 14:22:11+02:00", "2024-03-05T12:22:11.000Z"],
    ["2024-03-05T14:22:11-0530", "2024-03-05T19:52:11.000Z"],
    ["2024-03-05 14:22", "2024-03-05T14:22:00.000Z"],
  ])("%s → %s", (input, expected) => {
    expect(providerDateToIso(input, FALLBACK)).toBe(expected);
  });

  it.each([undefined, null, 42, "", "yesterday", "2024-02-31 10:00:00", "2024-01-01 25:00:00", "0099-01-01 00:00:00"])(
    "falls back to the received time for %s",
    (input) => {
      expect(providerDateToIso(input, FALLBACK)).toBe(FALLBACK.toISOString());
    },
  );
});

describe("splitBracketedKey", () => {
  it.each([
    ["type", ["type"]],
    ["data[id]", ["data", "id"]],
    ["data[merges][FNAME]", ["data", "merges", "FNAME"]],
    ["a[]", ["a", ""]],
    ["a[b", ["a[b"]],
    ["a]b", ["a]b"]],
    ["[x]", ["[x]"]],
    ["a[b]c", ["a[b]c"]],
  ])("%s", (key, segments) => {
    expect(splitBracketedKey(key)).toEqual(segments);
  });
});

describe("decodeNestedForm", () => {
  it("builds nested objects from bracketed keys", () => {
    const decoded = decodeNestedForm(
      "type=subscribe&fired_at=2009-03-26+21%3A35%3A57&data%5Bid%5D=8a25ff1d98&data%5Bmerges%5D%5BFNAME%5D=Agent&data%5Bmerges%5D%5BGROUPINGS%5D%5B0%5D%5Bid%5D=1",
    );
    expect(decoded).toEqual({
      type: "subscribe",
      fired_at: "2009-03-26 21:35:57",
      data: { id: "8a25ff1d98", merges: { FNAME: "Agent", GROUPINGS: { "0": { id: "1" } } } },
    });
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
  });

  it("appends for [] and lets the first use of a key decide between scalar and object", () => {
    expect(decodeNestedForm("a[]=x&a[]=y")).toEqual({ a: { "0": "x", "1": "y" } });
    expect(decodeNestedForm("a=1&a[b]=2")).toEqual({ a: "1" });
    expect(decodeNestedForm("a[b]=2&a=1")).toEqual({ a: { b: "2" } });
    expect(decodeNestedForm("a=1&a=2")).toEqual({ a: "2" });
  });

  it("keeps keys that shadow Object.prototype members as plain data", () => {
    expect(decodeNestedForm("toString=x&hasOwnProperty[a]=y")).toEqual({ toString: "x", hasOwnProperty: { a: "y" } });
  });

  it("cannot pollute prototypes", () => {
    const hostile = [
      "__proto__[polluted]=1",
      "__proto__.polluted=1",
      "constructor[prototype][polluted]=1",
      "data[__proto__][polluted]=1",
      "data[constructor][prototype][polluted]=1",
      "a[prototype]=1",
      "%5F%5Fproto%5F%5F%5Bpolluted%5D=1",
    ].join("&");
    const decoded = decodeNestedForm(hostile);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(decoded)).toEqual(["__proto__.polluted"]);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
  });

  it("ignores absurdly deep keys", () => {
    expect(decodeNestedForm(`a${"[x]".repeat(40)}=1&b=2`)).toEqual({ b: "2" });
  });
});

describe("unknownEvent / unparseable", () => {
  it("keeps the body text and reports one UNKNOWN event at the received time", () => {
    expect(unknownEvent(FALLBACK)).toEqual({
      eventType: "UNKNOWN",
      objectType: "unknown",
      objectId: null,
      eventDate: FALLBACK.toISOString(),
    });
    expect(unparseable(Buffer.from([0x7b, 0xff]), FALLBACK, "why")).toEqual({
      raw: { body: "{\uFFFD" },
      events: [unknownEvent(FALLBACK)],
      unrecognized: "why",
    });
  });
});
