import { MAX_RATE_PARAMETER, MAX_RATE_RANGE } from "@/lib/connectors/delivery-settings";
import type { ParameterRow } from "@/lib/connectors/types";
import { BARE_URL_PARAMETER } from "@/lib/connectors/webhook-settings";
import {
  DEFAULT_REFRESH_MINUTES,
  POLLER_CONFIGURATION_PARAMETER,
  REFRESH_INTERVAL_PARAMETER,
  REFRESH_INTERVAL_RANGE,
  VENDOR_TYPE_PARAMETER,
  VENDOR_TYPES,
  type PollerConfiguration,
} from "@/lib/polling/config";

/*
 * Parameters rows that are the same, word for word, on every connector. A connector's own file keeps the
 * rows whose seed wording differs (Events Enabled, the callback URL, …); these are spread into its table.
 * Each call returns fresh objects, so no connector can change another's rows.
 */

/**
 * The events-group rows every connector has: the signature key (Cloud Elements accepts one on every
 * element, though not every seed's table lists it; the row makes it a secret, encrypted and masked, instead
 * of an unknown plain-text key), Hookline's own per-instance delivery rate limit (read by
 * `lib/connectors/delivery-settings.ts`) and the opt-in to the bare webhook URL (`webhook-settings.ts`).
 */
export function hooklineEventRows(): ParameterRow[] {
  return [
    {
      apiName: "event.notification.signature.key",
      label: "Callback Notification Signature Key",
      description:
        "A user-defined key for added security to show that events have not been tampered with. Left out, Hookline generates one (whsec_ + 32 random bytes in base64) and returns it once, in the answer that creates the instance; the instance page reveals and rotates it.",
      dataType: "string",
      type: "secret",
      required: false,
      group: "events",
      location: "configuration",
    },
    {
      apiName: MAX_RATE_PARAMETER,
      label: "Event Notification Max Rate",
      description:
        "The most deliveries per second Hookline makes to the callback URL of this instance; unset means no limit (the per-instance concurrency cap still applies). Decimals are allowed: 0.5 is one delivery every 2 seconds.",
      dataType: "number",
      type: "number",
      required: false,
      group: "events",
      location: "configuration",
      range: { ...MAX_RATE_RANGE },
    },
    {
      apiName: BARE_URL_PARAMETER,
      label: "Accept Bare Webhook URL",
      description:
        "Also accept webhooks at the bare URL /elements/api-v2/events/{key}/{base64 id}, without its ?k= secret. Anyone who guesses the URL can then post events into this instance; leave it off unless the provider cannot use the full URL. Instances whose webhooks are verified another way (a provider signature, or event.notification.ip.allowlist) accept the bare URL anyway.",
      dataType: "boolean",
      type: "boolean",
      required: false,
      default: false,
      group: "events",
      location: "configuration",
    },
  ];
}

const ONLY_WHEN_POLLING = "Only used when Event Vendor Type is polling or both.";

/** `a`, `a and b`, `a, b and c`. */
function spelledList(items: string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/**
 * The polling rows (Cloud Elements' names, read by `lib/polling/config.ts`), for a connector whose
 * `events.polling` has defaults: `defaults` is that same object, so the description names what an
 * instance polls when its own configuration is left empty. A connector without a change filter to poll
 * by has no defaults and none of these rows.
 */
export function pollingRows(defaults: PollerConfiguration, noReconciliation?: string): ParameterRow[] {
  const vendorType = noReconciliation
    ? `How Hookline learns of changes: webhook (the provider calls Hookline) or polling (Hookline asks the provider's API every refresh interval). Not both: ${noReconciliation}`
    : "How Hookline learns of changes: webhook (the provider calls Hookline), polling (Hookline asks the provider's API every refresh interval) or both (webhooks, with polling as a reconciliation pass that recovers lost webhooks; a change seen by both becomes one event).";
  return [
    {
      apiName: VENDOR_TYPE_PARAMETER,
      label: "Event Vendor Type",
      description: vendorType,
      dataType: "string",
      type: "choice",
      choices: VENDOR_TYPES.filter((type) => !noReconciliation || type !== "both"),
      required: false,
      default: "webhook",
      group: "events",
      location: "configuration",
    },
    {
      apiName: REFRESH_INTERVAL_PARAMETER,
      label: "Event Poller Refresh Interval",
      description: `Minutes between polls (default ${DEFAULT_REFRESH_MINUTES}); decimals are allowed. ${ONLY_WHEN_POLLING}`,
      dataType: "number",
      type: "number",
      required: false,
      group: "events",
      location: "configuration",
      range: { ...REFRESH_INTERVAL_RANGE },
    },
    {
      apiName: POLLER_CONFIGURATION_PARAMETER,
      label: "Event Poller Configuration",
      description:
        "What Hookline polls: a JSON object with one entry per resource, each with url (a GET path on the provider's API, where ${gmtDate:<format>} stands for the time of the last poll, e.g. ${gmtDate:yyyy-MM-dd'T'HH:mm:ss'Z'}), idField (the field that identifies a record) and datesConfiguration (updatedDateField and updatedDateFormat; createdDateField, createdDateFormat and the timezones are optional); Hookline also reads objectType, recordsField, pagination and each. " +
        `Left empty, Hookline polls this connector's defaults: ${spelledList(Object.keys(defaults))}. ${ONLY_WHEN_POLLING}`,
      dataType: "JSON",
      type: "json",
      jsonValue: "pollerConfiguration",
      required: false,
      group: "events",
      location: "configuration",
    },
  ];
}

/** The body's `tags` array, last in every seed's table. */
export function tagsRow(): ParameterRow {
  return {
    apiName: "tags",
    label: "Tags",
    description: "User-defined tags to further identify the instance.",
    dataType: "string",
    type: "list",
    required: false,
    group: "general",
    location: "body",
  };
}
