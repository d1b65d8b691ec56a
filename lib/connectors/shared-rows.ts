import { MAX_RATE_PARAMETER, MAX_RATE_RANGE } from "@/lib/connectors/delivery-settings";
import type { ParameterRow } from "@/lib/connectors/types";

/*
 * Parameters rows that are the same, word for word, on every connector. A connector's own file keeps the
 * rows whose seed wording differs (Events Enabled, the callback URL, …); these are spread into its table.
 * Each call returns fresh objects, so no connector can change another's rows.
 */

/**
 * The events-group rows every connector has: the signature key (Cloud Elements accepts one on every
 * element, though not every seed's table lists it; the row makes it a secret, encrypted and masked, instead
 * of an unknown plain-text key), and Hookline's own per-instance delivery rate limit (read by
 * `lib/connectors/delivery-settings.ts`).
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
