import { MAX_RATE_PARAMETER, MAX_RATE_RANGE } from "@/lib/connectors/delivery-settings";
import type { ParameterRow } from "@/lib/connectors/types";
import { BARE_URL_PARAMETER } from "@/lib/connectors/webhook-settings";

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
