import { describe, expect, it } from "vitest";
import { dateFormatProblem, fillGmtDates, formatGmtDate, parseRecordDate } from "@/lib/polling/date-format";

const AT = new Date("2026-03-05T04:07:09.045Z");

describe("${gmtDate:<format>}", () => {
  it("writes Java SimpleDateFormat patterns in UTC, quotes as literals", () => {
    expect(formatGmtDate(AT, "yyyy-MM-dd'T'HH:mm:ss'Z'")).toBe("2026-03-05T04:07:09Z");
    expect(formatGmtDate(AT, "yyyy-MM-dd HH:mm:ss.SSS")).toBe("2026-03-05 04:07:09.045");
    expect(formatGmtDate(AT, "yyyy-MM-dd'T'HH:mm:ssXXX")).toBe("2026-03-05T04:07:09Z");
    expect(formatGmtDate(AT, "dd/MM/yy 'at' H 'o''clock'")).toBe("05/03/26 at 4 o'clock");
    expect(formatGmtDate(AT, "milliseconds")).toBe(String(AT.getTime()));
    expect(formatGmtDate(AT, "seconds")).toBe(String(Math.floor(AT.getTime() / 1000)));
  });

  it("fills every placeholder of a poll URL", () => {
    expect(fillGmtDates("/service/tickets?conditions=lastUpdated>=[${gmtDate:yyyy-MM-dd'T'HH:mm:ss'Z'}]&d=${gmtDate:yyyy}", AT)).toBe(
      "/service/tickets?conditions=lastUpdated>=[2026-03-05T04:07:09Z]&d=2026",
    );
  });

  it("names what it cannot write", () => {
    expect(dateFormatProblem("yyyy-MM-dd'T'HH:mm")).toBeNull();
    expect(dateFormatProblem("yyyy-MM-dd EEE")).toMatch(/letter E is not supported/);
    expect(dateFormatProblem("yyyy-MM-dd'T")).toMatch(/not closed/);
  });
});

describe("record dates", () => {
  it("reads patterns, offsets in the text, fixed and IANA zones", () => {
    expect(parseRecordDate("2026-03-05T04:07:09Z", "yyyy-MM-dd'T'HH:mm:ss'Z'")?.toISOString()).toBe("2026-03-05T04:07:09.000Z");
    expect(parseRecordDate("2026-03-05T06:07:09+02:00", "yyyy-MM-dd'T'HH:mm:ssXXX")?.toISOString()).toBe("2026-03-05T04:07:09.000Z");
    expect(parseRecordDate("2026-03-05 06:07:09", "yyyy-MM-dd HH:mm:ss", "+02:00")?.toISOString()).toBe("2026-03-05T04:07:09.000Z");
    // Berlin is UTC+1 in March before the switch, UTC+2 in July.
    expect(parseRecordDate("2026-03-05 05:07:09", "yyyy-MM-dd HH:mm:ss", "Europe/Berlin")?.toISOString()).toBe("2026-03-05T04:07:09.000Z");
    expect(parseRecordDate("2026-07-05 06:07:09", "yyyy-MM-dd HH:mm:ss", "Europe/Berlin")?.toISOString()).toBe("2026-07-05T04:07:09.000Z");
    expect(parseRecordDate(AT.getTime(), "milliseconds")?.toISOString()).toBe(AT.toISOString());
    expect(parseRecordDate("2026-03-05T04:07:09.045Z", "iso8601")?.toISOString()).toBe(AT.toISOString());
  });

  it("refuses what does not match or is no date", () => {
    expect(parseRecordDate("2026-02-30 00:00:00", "yyyy-MM-dd HH:mm:ss")).toBeNull();
    expect(parseRecordDate("yesterday", "yyyy-MM-dd HH:mm:ss")).toBeNull();
    expect(parseRecordDate("", "iso8601")).toBeNull();
    expect(parseRecordDate(null, "milliseconds")).toBeNull();
    expect(parseRecordDate("2026-03-05 05:07:09", "yyyy-MM-dd HH:mm:ss", "Mars/Olympus")).toBeNull();
  });
});
