import type { PollerConfiguration } from "@/lib/polling/config";

/*
 * Campaign Monitor (API v3.3, "Lists › Active subscribers" and "Lists › Unsubscribed subscribers"):
 * `GET /lists/{listid}/active.json` and `/unsubscribed.json`, filtered by `date` (subscribers who became
 * active, or unsubscribed, on or after it; the older API spelled it YYYY-MM-DD HH:MM:SS), paged by `page`
 * (from 1) and `pagesize` (at most 1000). The answer is `{ Results: [...], PageNumber, NumberOfPages, … }`;
 * each result has `EmailAddress` (what a Campaign Monitor webhook's objectId is, so a change seen by
 * both reconciles, as `subscriber`), `Name`, `Date` (YYYY-MM-DD HH:MM:SS: when the subscriber joined, or
 * unsubscribed) and `State`. The filter is by that date only: a change to an active subscriber's name or
 * custom fields is not found by polling (webhooks report it). The docs do not state the timezone of
 * `Date`; UTC is assumed, as for the filter.
 * One poll per list in `events.list.ids` (the same lists the webhooks are registered on). Paths are
 * relative to https://api.createsend.com/api/v3.3.
 */

const CM_DATE = "yyyy-MM-dd HH:mm:ss";

function subscribers(state: "active" | "unsubscribed") {
  return {
    url: `/lists/\${each}/${state}.json?date=\${gmtDate:${CM_DATE}}&orderfield=date&orderdirection=asc`,
    idField: "EmailAddress",
    objectType: "subscriber",
    // As the webhooks say it: Subscribe → CREATED, Deactivate → DELETED (lib/connectors/webhooks/campaignmonitor.ts).
    eventType: state === "active" ? ("CREATED" as const) : ("DELETED" as const),
    recordsField: "Results",
    datesConfiguration: { updatedDateField: "Date", updatedDateFormat: CM_DATE, updatedDateTimezone: "UTC" },
    pagination: { type: "page" as const, pageParameter: "page", sizeParameter: "pagesize", pageSize: 1000, firstPage: 1 },
    each: { parameter: "events.list.ids" },
  };
}

export const campaignMonitorPolling: PollerConfiguration = {
  active: subscribers("active"),
  unsubscribed: subscribers("unsubscribed"),
};
