import type { PollerConfiguration } from "@/lib/polling/config";

/*
 * MailChimp (Marketing API 3.0, "Lists/Audiences › List members info"): members of every audience,
 * polled by `since_last_changed` ("Restrict results to subscribers whose information changed after the
 * set timeframe", ISO 8601, e.g. 2015-10-21T15:41:36+00:00; UTC `Z` is ISO 8601 too). The answer is
 * `{ members: [...], list_id, total_items }`; each member's `id` is the MD5 hash of its lowercased email
 * address (what a MailChimp webhook's `data[id]` is, so a change seen by both reconciles, as `member`),
 * `last_changed` is ISO 8601 and `timestamp_opt` is when the member confirmed their opt-in (ISO 8601;
 * chosen over `timestamp_signup`, which is blank unless a sign-up form set it, and matching the
 * documented `since_timestamp_opt` filter). `timestamp_opt` can be blank for members who never opted in.
 * Paging: `count` (default 10, at most 1000) and `offset`; `sort_field=last_changed&sort_dir=ASC` keeps
 * the oldest changes first, so a poll that stops after its page limit has passed nothing it did not read.
 * The audiences come from `GET /3.0/lists` (`{ lists: [{ id }] }`, `count` up to 1000; `fields` trims
 * the answer to the ids). Paths are relative to the account's `api_endpoint` (from the OAuth metadata
 * lookup), which has no version, hence `/3.0`.
 */

/** Why `both` is not offered for MailChimp (lib/connectors/shared-rows.ts). */
export const MAILCHIMP_NO_RECONCILIATION =
  "MailChimp's webhooks carry the time they were sent (fired_at), not the member's last_changed date that a poll reads, so a change seen both ways could not be recognized as one.";

const ISO_UTC = "yyyy-MM-dd'T'HH:mm:ss'Z'";

export const mailchimpPolling: PollerConfiguration = {
  members: {
    url: `/3.0/lists/\${each}/members?since_last_changed=\${gmtDate:${ISO_UTC}}&sort_field=last_changed&sort_dir=ASC`,
    idField: "id",
    objectType: "member",
    recordsField: "members",
    datesConfiguration: {
      updatedDateField: "last_changed",
      updatedDateFormat: "iso8601",
      createdDateField: "timestamp_opt",
      createdDateFormat: "iso8601",
    },
    pagination: { type: "offset", offsetParameter: "offset", sizeParameter: "count", pageSize: 1000 },
    each: { url: "/3.0/lists?count=1000&fields=lists.id", recordsField: "lists", idField: "id" },
  },
};
