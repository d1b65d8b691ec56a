import { hooklineEventRows, tagsRow } from "@/lib/connectors/shared-rows";
import type { Connector } from "@/lib/connectors/types";
import { hootsuiteWebhook } from "@/lib/connectors/webhooks/hootsuite";

// Rows follow the Parameters table of the Hootsuite Events page; descriptions are the seed's, with the
// vendor name replaced by Hookline.
export const connector: Connector = {
  key: "hootsuite",
  name: "Hootsuite",
  description: "Social media publishing: get an event when a scheduled message changes state.",
  aliases: [],
  tile: { monogram: "HS", color: "#143059" },
  auth: {
    type: "oauth2",
    urls: {
      authorize: "https://platform.hootsuite.com/oauth2/auth",
      token: "https://platform.hootsuite.com/oauth2/token",
      api: "https://platform.hootsuite.com",
    },
    // `offline` is what makes Hootsuite issue a refresh token.
    scopes: ["offline"],
    scopeSeparator: " ",
    // Hootsuite does not document PKCE for its REST API apps.
    pkce: false,
    clientAuth: "basic",
    tokensExpire: true,
  },
  parameters: [
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
      apiName: "name",
      label: "Name",
      description: "The name for the connector instance created during authentication.",
      dataType: "string",
      type: "string",
      required: true,
      group: "general",
      location: "body",
    },
    {
      apiName: "oauth.callback.url",
      label: "Callback URL",
      // The seed's table splits this description over two rows; joined here.
      description:
        "The URL where you want to redirect users after they grant access. This is the API Callback URL that you noted in the API Provider Setup section.",
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
        "The REST API Client ID from Hootsuite. This is the REST API Client ID that you noted in the API Provider Setup section.",
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
        "The REST API Client Secret from Hootsuite. This is the REST API Client Secret that you noted in the API Provider Setup section.",
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
      description:
        "The URL where you want Hookline to send the events. This is the Webhook URL that you noted in the API Provider Setup section.",
      dataType: "string",
      type: "url",
      required: false,
      requiredWhenEventsEnabled: true,
      group: "events",
      location: "configuration",
    },
    ...hooklineEventRows(),
    tagsRow(),
  ],
  // No `polling`: Hootsuite's messages API (GET /v1/messages) filters by scheduled send time, not by
  // when a message last changed, so there is no change filter to poll by.
  events: {
    webhook: hootsuiteWebhook,
    // Hootsuite has no API to register a webhook: the URL is typed into its developer portal. The seed's
    // placeholder-then-PATCH dance existed only because its users had to Base64 the instance id by hand.
    manualSetup: [
      "Create the instance with Events Enabled on and your own receiver as the Event Notification Callback URL.",
      "Open the instance in Hookline and copy its webhook URL (/elements/api-v2/events/hootsuite/<Base64 instance id>?k=<secret>), whole: Hookline has already Base64-encoded the id, and refuses webhooks without the secret.",
      "In the Hootsuite developer portal, open My Apps, select your app and paste that address into Webhook URL, then save.",
      "Hootsuite's events, including its ping events, now appear in the instance's event log and are forwarded to your callback URL.",
      "To change where events are forwarded later, edit the Event Notification Callback URL on the instance page or send PATCH /elements/api-v2/instances/{id} with a new event.notification.callback.url; the Hootsuite Webhook URL stays the same (until you rotate it on the instance page).",
    ],
  },
};

export default connector;
