import { hooklineEventRows, pollingRows, tagsRow } from "@/lib/connectors/shared-rows";
import type { Connector } from "@/lib/connectors/types";
import { campaignMonitorPolling } from "@/lib/connectors/polling/campaignmonitor";
import { campaignMonitorSubscription } from "@/lib/connectors/subscriptions/campaignmonitor";
import { campaignMonitorWebhook } from "@/lib/connectors/webhooks/campaignmonitor";

// Rows follow the Parameters table of the Campaign Monitor Events pages (two editions of one page);
// descriptions are the seed's, with the vendor name replaced by Hookline.
export const connector: Connector = {
  key: "campaignmonitor",
  name: "Campaign Monitor",
  description: "Email marketing lists: get an event when a subscriber joins, changes or leaves a list.",
  aliases: [],
  tile: { monogram: "CM", color: "#7856FF" },
  auth: {
    type: "oauth2",
    urls: {
      authorize: "https://api.createsend.com/oauth",
      token: "https://api.createsend.com/oauth/token",
      api: "https://api.createsend.com/api/v3.3",
    },
    scopes: ["ManageLists", "ImportSubscribers"],
    scopeSeparator: ",",
    pkce: false,
    clientAuth: "body",
    extraAuthorizeParams: { type: "web_server" },
    tokensExpire: true,
  },
  parameters: [
    {
      apiName: "name",
      label: "Name",
      description: "The name for the connector instance created during authentication.",
      dataType: "Body",
      type: "string",
      required: true,
      group: "general",
      location: "body",
    },
    // Not in this seed's table, but its JSON example sends `providerData.code` like every OAuth 2 element.
    {
      apiName: "code",
      label: "Authorization Code",
      description:
        "The authorization grant code returned from the API provider in an OAuth 2.0 authentication workflow.",
      dataType: "string",
      type: "string",
      required: false,
      group: "authentication",
      location: "providerData",
      hiddenInForm: true,
    },
    {
      apiName: "oauth.callback.url",
      label: "Callback URL",
      description:
        "The URL where you want to redirect users after they grant access. This is the Callback URL that you noted in API Provider Setup.",
      // The table leaves this Data Type cell empty; the value is a string like the other URLs.
      dataType: "string",
      type: "url",
      required: true,
      group: "authentication",
      location: "configuration",
    },
    {
      apiName: "oauth.api.key",
      label: "Client ID",
      description:
        "The Client ID from Campaign Monitor. This is the Client ID that you noted in API Provider Setup.",
      dataType: "string",
      type: "string",
      required: true,
      group: "authentication",
      location: "configuration",
    },
    {
      apiName: "oauth.api.secret",
      label: "Client Secret",
      description:
        "The Client Secret from Campaign Monitor. This is the Client Secret that you noted in API Provider Setup.",
      dataType: "string",
      type: "secret",
      required: true,
      group: "authentication",
      location: "configuration",
    },
    {
      apiName: "event.notification.enabled",
      label: "Events Enabled",
      description: "Identifies that events are enabled for the connector instance.",
      dataType: "boolean",
      type: "boolean",
      required: false,
      default: false,
      group: "events",
      location: "configuration",
    },
    {
      apiName: "event.notification.callback.url",
      label: "Event Notification Callback URL",
      description: "The URL where you want Hookline to send the events.",
      dataType: "string",
      type: "url",
      required: false,
      requiredWhenEventsEnabled: true,
      group: "events",
      location: "configuration",
    },
    {
      apiName: "events.list.ids",
      label: "List IDs",
      description:
        "A comma separated list of API Subscriber List IDs for lists that you want to monitor. This is the List ID that you noted in API Provider Setup.",
      dataType: "String",
      type: "list",
      // The table does not mark it optional, but it only means something with events on:
      // Campaign Monitor webhooks are registered per list.
      required: false,
      requiredWhenEventsEnabled: true,
      group: "events",
      location: "configuration",
    },
    ...hooklineEventRows(),
    ...pollingRows(campaignMonitorPolling),
    tagsRow(),
  ],
  events: {
    webhook: campaignMonitorWebhook,
    subscription: campaignMonitorSubscription,
    polling: { resources: campaignMonitorPolling },
  },
};

export default connector;
