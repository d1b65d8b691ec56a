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
