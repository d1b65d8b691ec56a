import type { PollerConfiguration } from "@/lib/polling/config";

/*
 * ConnectWise PSA's list endpoints, polled by their `lastUpdated` condition (ConnectWise REST API
 * developer guide, "Conditions": `conditions=lastUpdated > [2016-08-20T18:04:26Z]`, dates in square
 * brackets; "Pagination": `page` from 1 and `pageSize` up to 1000; 100 here, as a page of 1000 tickets
 * runs to megabytes). Every record carries
 * `_info.lastUpdated` and `_info.dateEntered`, which are equal on a record just created.
 * `objectType` is what a ConnectWise callback's `Type` says, so a change seen by both reconciles.
 * Paths are relative to `<server url>/v4_6_release/apis/3.0` (or HOOKLINE_CONNECTWISECRMREST_API_URL).
 */

const CW_DATE = "yyyy-MM-dd'T'HH:mm:ss'Z'";

function resource(path: string, objectType: string) {
  return {
    url: `${path}?conditions=lastUpdated>=[\${gmtDate:${CW_DATE}}]&orderBy=lastUpdated asc`,
    idField: "id",
    objectType,
    datesConfiguration: {
      updatedDateField: "_info.lastUpdated",
      updatedDateFormat: CW_DATE,
      updatedDateTimezone: "UTC",
      createdDateField: "_info.dateEntered",
      createdDateFormat: CW_DATE,
      createdDateTimezone: "UTC",
    },
    pagination: { type: "page" as const, pageParameter: "page", sizeParameter: "pageSize", pageSize: 100, firstPage: 1 },
  };
}

export const connectwisePolling: PollerConfiguration = {
  tickets: resource("/service/tickets", "ticket"),
  contacts: resource("/company/contacts", "contact"),
  companies: resource("/company/companies", "company"),
};
