import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";
import { InstanceForm } from "@/components/instance-form";
import { getConnector } from "@/lib/connectors";
import type { Configuration } from "@/lib/connectors/schema";
import { instanceFormDefaults } from "@/lib/forms/instance-form";
import { connectorSpec } from "@/lib/forms/instance-form.server";

// The form pushes to the router after saving; rendering it only needs the hook to exist.
vi.mock("next/navigation", () => ({ useRouter: () => ({ push: () => undefined }) }));

/** The generated form as the server first renders it, for one connector and starting configuration. */
function render(key: string, configuration: Configuration): string {
  const connector = getConnector(key);
  if (!connector) throw new Error(`missing ${key}`);
  const spec = connectorSpec(connector);
  return renderToStaticMarkup(
    createElement(InstanceForm, {
      spec,
      mode: "create",
      defaultValues: instanceFormDefaults(spec, { configuration }),
      action: async () => ({ ok: true as const, data: { id: 1 } }),
      submitLabel: "Create instance",
      pendingLabel: "Creating…",
      successMessage: "Created",
    }),
  );
}

function rateInput(html: string): string | undefined {
  return /<input[^>]*id="field-event-notification-max-rate"[^>]*>/.exec(html)?.[0];
}

describe("the generated form's rate field", () => {
  it.each(["campaignmonitor", "connectwisecrmrest", "hootsuite", "mailchimpv3"])(
    "%s: a decimal number input with its label and description, among the event settings",
    (key) => {
      const html = render(key, { "event.notification.enabled": true, "event.notification.max.rate": 0.5 });
      const input = rateInput(html);
      expect(input).toBeDefined();
      expect(input).toContain('type="number"');
      expect(input).toContain('step="any"');
      expect(input).toContain('inputMode="decimal"');
      expect(input).toContain('value="0.5"');
      expect(input).toContain('name="event.notification.max.rate"');
      expect(input).toContain('aria-describedby="field-event-notification-max-rate-hint"');
      expect(html).toMatch(/<label[^>]*for="field-event-notification-max-rate"[^>]*>Event Notification Max Rate<\/label>/);
      expect(html).toContain(
        'id="field-event-notification-max-rate-hint" class="text-xs text-muted-foreground">The most deliveries per second Hookline makes to the callback URL of this instance',
      );
    },
  );

  it("is hidden with the rest of the events group while events are off", () => {
    const html = render("mailchimpv3", {});
    expect(rateInput(html)).toBeUndefined();
    expect(html).toContain("Events Enabled");
  });
});

describe("the generated form's polling fields", () => {
  const events = { "event.notification.enabled": true };

  it("shows the vendor type as a select labelled by its row, at its default", () => {
    const html = render("connectwisecrmrest", events);
    const select = /<select[^>]*id="field-event-vendor-type"[^>]*>(.*?)<\/select>/.exec(html);
    expect(select?.[0]).toContain('name="event.vendor.type"');
    expect(select?.[0]).toContain('aria-describedby="field-event-vendor-type-hint"');
    expect(select?.[1]).toBe(
      '<option value="webhook" selected="">webhook</option><option value="polling">polling</option><option value="both">both</option>',
    );
    expect(html).toMatch(/<label[^>]*for="field-event-vendor-type"[^>]*>Event Vendor Type<\/label>/);
  });

  it("shows the poller configuration as a monospace textarea labelled by its row, with the stored JSON", () => {
    const stored = { tickets: { url: "/t", idField: "id", datesConfiguration: { updatedDateField: "u", updatedDateFormat: "iso8601" } } };
    const html = render("connectwisecrmrest", { ...events, "event.poller.configuration": stored });
    const textarea = /<textarea[^>]*id="field-event-poller-configuration"[^>]*>([^<]*)<\/textarea>/.exec(html);
    expect(textarea?.[0]).toContain('name="event.poller.configuration"');
    expect(textarea?.[0]).toContain('rows="10"');
    expect(textarea?.[0]).toContain("font-mono");
    expect(textarea?.[1]).toBe(JSON.stringify(stored, null, 2).replaceAll('"', "&quot;"));
    expect(html).toMatch(/<label[^>]*for="field-event-poller-configuration"[^>]*>Event Poller Configuration<\/label>/);
    expect(html).toMatch(/<input[^>]*id="field-event-poller-refresh_interval"[^>]*type="number"/);
  });

  it("offers the connector's default resources, one labelled checkbox each, and a button to use them", () => {
    const html = render("connectwisecrmrest", events);
    for (const resource of ["tickets", "contacts", "companies"]) {
      expect(html).toMatch(new RegExp(`<label[^>]*><input type="checkbox"[^>]*checked=""[^>]*/><span[^>]*>${resource}</span></label>`));
    }
    expect(html).toMatch(/<button[^>]*type="button"[^>]*>Use these defaults<\/button>/);
    expect(html).toContain("Empty: the connector&#x27;s defaults");
  });

  it("is left out for Hootsuite, which has nothing to poll by", () => {
    const html = render("hootsuite", events);
    expect(html).not.toContain("field-event-vendor-type");
    expect(html).not.toContain("<textarea");
  });
});
