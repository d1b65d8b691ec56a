import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";
import { PollingCard } from "@/components/polling-card";
import type { PollingStatus } from "@/lib/polling/status";

// The instance page's Polling card as the server renders it. The "Poll now" server action needs a
// session and a database; rendering only needs it to exist.
vi.mock("@/app/(dashboard)/instances/[id]/actions", () => ({ pollNowAction: async () => ({ ok: true, data: {} }) }));

const now = new Date("2026-12-07T12:00:00.000Z");

function status(overrides: Partial<PollingStatus> = {}): PollingStatus {
  return {
    vendorType: "polling",
    refreshIntervalMinutes: 15,
    nextPollAt: "2026-12-07T12:05:00.000Z",
    running: false,
    consecutiveFailures: 0,
    resources: [
      {
        resource: "contacts",
        lastPolledAt: "2026-12-07T11:50:00.000Z",
        result: "OK",
        message: null,
        records: 42,
        changes: 3,
        highWaterMark: "2026-12-07T11:49:58.000Z",
      },
      {
        resource: "tickets",
        lastPolledAt: "2026-12-07T11:50:00.000Z",
        result: "RATE_LIMITED",
        message: "ConnectWise answered 429; retried next poll",
        records: 0,
        changes: 0,
        highWaterMark: "2026-12-06T08:00:00.000Z",
      },
    ],
    recoveredLast24h: 0,
    ...overrides,
  };
}

function render(value: PollingStatus): string {
  return renderToStaticMarkup(createElement(PollingCard, { instanceId: 7, status: value, now }));
}

/** The text of the table row whose header cell is `resource`, tags removed. */
function rowText(html: string, resource: string): string {
  const row = new RegExp(`<tr[^>]*>(?:(?!</tr>).)*>${resource}</th>(?:(?!</tr>).)*</tr>`).exec(html)?.[0];
  if (!row) throw new Error(`no row for ${resource}`);
  return row.replace(/<[^>]+>/g, "|").replace(/\|+/g, "|");
}

describe("the Polling card", () => {
  it("is a region named Polling with the mode, the interval and the next poll (relative and absolute)", () => {
    const html = render(status());
    expect(html).toMatch(/role="region" aria-labelledby="polling-title"/);
    expect(html).toMatch(/<h2[^>]*id="polling-title"[^>]*>Polling<\/h2>/);
    expect(html).toMatch(/data-testid="polling-mode"[^>]*>Polling<\/span>/);
    expect(html).toContain("Every 15 minutes");
    expect(html).toMatch(/<time dateTime="2026-12-07T12:05:00.000Z"[^>]*>in 5 minutes <span[^>]*>\(2026-12-07 12:05:00 UTC\)<\/span><\/time>/);
    expect(html).not.toContain("Polling now…");
    expect(html).not.toContain("recovered by polling");
    expect(html).not.toContain("polling-failures");
  });

  it("lists each resource: last polled, result badge, records read, new changes, high-water mark and message", () => {
    const html = render(status());
    expect(html).toContain("<caption class=\"sr-only\">Polled resources</caption>");
    for (const column of ["Resource", "Last polled", "Result", "Records read", "New changes", "High-water mark", "Message"]) {
      expect(html).toMatch(new RegExp(`<th scope="col"[^>]*>${column}</th>`));
    }
    expect(rowText(html, "contacts")).toBe("|contacts|10 minutes ago|OK|42|3|2026-12-07 11:49:58 UTC|—|");
    expect(rowText(html, "tickets")).toBe("|tickets|10 minutes ago|Rate limited|0|0|2026-12-06 08:00:00 UTC|ConnectWise answered 429; retried next poll|");
    expect(html).toMatch(/data-result="ok"/);
    expect(html).toMatch(/class="[^"]*bg-warning[^"]*" data-result="rate_limited"/);
  });

  it("has a Poll now button, named by its text alone (the icon is hidden)", () => {
    const html = render(status());
    const button = /<button[^>]*>(?:(?!<\/button>).)*<\/button>/.exec(html)?.[0] ?? "";
    expect(button).toMatch(/type="button"/);
    expect(button).toMatch(/<svg[^>]*aria-hidden="true"/);
    expect(button.replace(/<svg.*<\/svg>/, "").replace(/<[^>]+>/g, "").trim()).toBe("Poll now");
  });

  it("for webhooks + polling, counts the events polling recovered in the last 24 h: the lost webhooks", () => {
    const html = render(status({ vendorType: "both", recoveredLast24h: 1234 }));
    expect(html).toMatch(/data-testid="polling-mode"[^>]*>Webhooks \+ polling \(reconciliation\)<\/span>/);
    expect(html).toContain("1,234 events recovered by polling in the last 24 h");
    expect(html).toContain("this counts the webhooks that were lost");
    expect(render(status({ vendorType: "both", recoveredLast24h: 1 }))).toContain("1 event recovered by polling in the last 24 h");
  });

  it("says when a poll is running, when polls keep failing, when nothing is scheduled and when nothing was polled yet", () => {
    const running = render(status({ running: true, consecutiveFailures: 3, resources: [] }));
    expect(running).toContain("Polling now…");
    expect(running).toMatch(/data-testid="polling-failures">.*3 failed polls in a row/);
    expect(running).toContain("No resource has been polled yet.");
    expect(running).not.toContain("Polled resources");

    const off = render(status({ nextPollAt: null, refreshIntervalMinutes: 1 }));
    expect(off).toContain("Every minute");
    expect(off).toContain("Not scheduled: events are off");

    expect(render(status({ nextPollAt: "2026-12-07T11:59:00.000Z" }))).toContain("due now");
  });
});
