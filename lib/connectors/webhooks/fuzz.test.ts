import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { campaignMonitorWebhook } from "@/lib/connectors/webhooks/campaignmonitor";
import { connectwiseWebhook } from "@/lib/connectors/webhooks/connectwisecrmrest";
import { hootsuiteWebhook } from "@/lib/connectors/webhooks/hootsuite";
import { mailchimpWebhook } from "@/lib/connectors/webhooks/mailchimpv3";
import type { ParseResult, WebhookHandler } from "@/lib/connectors/contract";
import { incoming } from "@/tests/fixtures/webhooks";

/**
 * Every handler's parse must return a well-formed result for any bytes under any content type, and
 * verify must resolve (never reject) whatever the body, headers and key fetcher do.
 */

const HANDLERS: Array<[string, WebhookHandler]> = [
  ["campaignmonitor", campaignMonitorWebhook],
  ["mailchimpv3", mailchimpWebhook],
  ["hootsuite", hootsuiteWebhook],
  ["connectwisecrmrest", connectwiseWebhook],
];

const RUNS = 2000;
const EVENT_TYPES = new Set(["CREATED", "UPDATED", "DELETED", "UNKNOWN"]);
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const contentType = fc.oneof(
  fc.constantFrom(
    "application/json",
    "application/json; charset=utf-8",
    "application/x-www-form-urlencoded",
    "text/xml",
    "text/plain",
    "",
    "multipart/form-data; boundary=x",
  ),
  fc.string(),
);

/** Random bytes, plus bodies that get past the first checks so the deeper code is exercised too. */
const body = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
  fc.json().map((text) => Buffer.from(text)),
  fc.array(fc.record({ seq_no: fc.string(), type: fc.string(), data: fc.jsonValue() }, { requiredKeys: [] })).map(
    (items) => Buffer.from(JSON.stringify(items)),
  ),
  fc
    .record({ Events: fc.array(fc.jsonValue()), ListID: fc.jsonValue() }, { requiredKeys: [] })
    .map((value) => Buffer.from(JSON.stringify(value))),
  fc
    .record(
      { Action: fc.jsonValue(), Type: fc.jsonValue(), ID: fc.jsonValue(), Entity: fc.jsonValue(), Metadata: fc.jsonValue() },
      { requiredKeys: [] },
    )
    .map((value) => Buffer.from(JSON.stringify(value))),
  fc
    .record({ Action: fc.string(), Entity: fc.json(), Metadata: fc.record({ key_url: fc.webUrl() }) })
    .map((value) => Buffer.from(JSON.stringify(value))),
  fc
    .array(fc.tuple(fc.stringMatching(/^[a-z_[\]]{0,20}$/), fc.string()))
    .map((pairs) => Buffer.from(`type=subscribe&${new URLSearchParams(pairs).toString()}`)),
);

const headers = fc
  .tuple(fc.dictionary(fc.string(), fc.string()), fc.option(fc.oneof(fc.string(), fc.base64String())))
  .map(([random, signature]) => (signature === null ? random : { ...random, "x-content-signature": signature }));

const receivedAt = fc.date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2200-01-01T00:00:00Z"), noInvalidDate: true });

function expectWellFormed(result: ParseResult): void {
  expect(() => JSON.stringify(result.raw)).not.toThrow();
  expect(Array.isArray(result.events)).toBe(true);
  for (const event of result.events) {
    expect(EVENT_TYPES.has(event.eventType)).toBe(true);
    expect(typeof event.objectType).toBe("string");
    expect(event.objectId === null || typeof event.objectId === "string").toBe(true);
    expect(event.eventDate).toMatch(ISO_UTC);
  }
}

describe.each(HANDLERS)("%s handler under random input", (_, handler) => {
  it(`parse never throws and always returns a well-formed result (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(body, contentType, receivedAt, (bytes, type, at) => {
        expectWellFormed(handler.parse(incoming(bytes, type), at));
      }),
      { numRuns: RUNS },
    );
  });

  it("verify always resolves to a result", async () => {
    const fetcherAnswer = fc.oneof(fc.jsonValue(), fc.constant(new Error("boom")));
    await fc.assert(
      fc.asyncProperty(body, headers, fetcherAnswer, async (bytes, requestHeaders, answer) => {
        const context = {
          configuration: {},
          fetchFromProvider: async () => {
            if (answer instanceof Error) throw answer;
            return answer;
          },
        };
        const result = await handler.verify(incoming(bytes, "application/json", requestHeaders), context);
        expect(typeof result.ok).toBe("boolean");
      }),
      { numRuns: 300 },
    );
  });
});
