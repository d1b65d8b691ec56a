import { describe, expect, it } from "vitest";
import { mailchimpWebhook } from "@/lib/connectors/webhooks/mailchimpv3";
import { RECEIVED_AT, fixture, incoming } from "@/tests/fixtures/webhooks";

const FORM = "application/x-www-form-urlencoded";
const parse = (body: Buffer | string) => mailchimpWebhook.parse(incoming(body, FORM), RECEIVED_AT);

describe("mailchimpWebhook", () => {
  it("decodes the bracketed form into a nested raw object", () => {
    expect(parse(fixture("mailchimp-subscribe.txt")).raw).toEqual({
      type: "subscribe",
      fired_at: "2009-03-26 21:35:57",
      data: {
        id: "8a25ff1d98",
        list_id: "a6b5da1054",
        email: "api@mailchimp.com",
        email_type: "html",
        merges: { EMAIL: "api@mailchimp.com", FNAME: "Mailchimp", LNAME: "API", INTERESTS: "Group1,Group2" },
        ip_opt: "10.20.10.30",
        ip_signup: "10.20.10.30",
      },
    });
  });

  it.each([
    ["mailchimp-subscribe.txt", "CREATED", "member", "8a25ff1d98", "2009-03-26T21:35:57.000Z"],
    ["mailchimp-profile.txt", "UPDATED", "member", "8a25ff1d98", "2009-03-26T21:31:21.000Z"],
    ["mailchimp-upemail.txt", "UPDATED", "member", "51da8c3259", "2009-03-26T22:15:09.000Z"],
    ["mailchimp-unsubscribe.txt", "DELETED", "member", "8a25ff1d98", "2009-03-26T21:40:57.000Z"],
    ["mailchimp-cleaned.txt", "DELETED", "member", "api+cleaned@mailchimp.com", "2009-03-26T22:01:00.000Z"],
    ["mailchimp-campaign.txt", "UPDATED", "campaign", "5aa2102003", "2009-03-26T21:31:21.000Z"],
  ])("%s → %s %s %s", (file, eventType, objectType, objectId, eventDate) => {
    expect(parse(fixture(file)).events).toEqual([{ eventType, objectType, objectId, eventDate }]);
  });

  it("keeps nested interest groupings from a profile update", () => {
    const raw = parse(fixture("mailchimp-profile.txt")).raw as { data: { merges: { GROUPINGS: unknown } } };
    expect(raw.data.merges.GROUPINGS).toEqual({ "0": { id: "1", name: "Interests", groups: "Group1,Group2" } });
  });

  it("falls back to the email when a member event has no id, and to new_email on upemail", () => {
    expect(parse("type=subscribe&fired_at=2014-11-04+09%3A42%3A31&data%5Bemail%5D=a%40b.com").events[0]?.objectId).toBe("a@b.com");
    expect(parse("type=upemail&data%5Bnew_email%5D=new%40b.com&data%5Bold_email%5D=old%40b.com").events[0]).toEqual({
      eventType: "UPDATED",
      objectType: "member",
      objectId: "new@b.com",
      eventDate: RECEIVED_AT.toISOString(),
    });
  });

  it("delivers an unknown type as UNKNOWN with the decoded payload", () => {
    expect(parse("type=something_new&fired_at=2020-01-01+00%3A00%3A00&data%5Bid%5D=abc")).toEqual({
      raw: { type: "something_new", fired_at: "2020-01-01 00:00:00", data: { id: "abc" } },
      events: [{ eventType: "UNKNOWN", objectType: "unknown", objectId: "abc", eventDate: "2020-01-01T00:00:00.000Z" }],
    });
  });

  it.each([
    ["an empty body", Buffer.alloc(0)],
    ["a body without type", Buffer.from("fired_at=2020-01-01&data%5Bid%5D=x")],
    ["a JSON body", Buffer.from('{"type":"subscribe"}')],
    ["invalid UTF-8", Buffer.from([0x74, 0x79, 0x70, 0x65, 0x3d, 0xff])],
  ])("turns %s into one UNKNOWN event", (_, body) => {
    expect(parse(body)).toEqual({
      raw: { body: new TextDecoder().decode(body) },
      events: [{ eventType: "UNKNOWN", objectType: "unknown", objectId: null, eventDate: RECEIVED_AT.toISOString() }],
      unrecognized: expect.stringMatching(/\.$/),
    });
  });

  it("cannot be used to pollute prototypes", () => {
    parse("type=subscribe&__proto__%5Bpolluted%5D=1&data%5B__proto__%5D%5Bpolluted%5D=1&constructor%5Bprototype%5D%5Bpolluted%5D=1");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("is unsigned and answers MailChimp's GET validator with 200", async () => {
    await expect(mailchimpWebhook.verify(incoming("", FORM), { configuration: {} })).resolves.toEqual({ ok: true });
    expect(mailchimpWebhook.probeStatus).toBe(200);
  });
});
