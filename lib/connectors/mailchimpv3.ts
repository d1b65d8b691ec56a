import { hooklineEventRows, pollingRows, tagsRow } from "@/lib/connectors/shared-rows";
import type { Connector } from "@/lib/connectors/types";
import { MAILCHIMP_NO_RECONCILIATION, mailchimpPolling } from "@/lib/connectors/polling/mailchimpv3";
import { mailchimpSubscription } from "@/lib/connectors/subscriptions/mailchimpv3";
import { mailchimpWebhook } from "@/lib/connectors/webhooks/mailchimpv3";

// Rows follow the Parameters table of the MailChimp Events page; descriptions are the seed's, with the
// vendor name replaced by Hookline.
export const connector: Connector = {
  key: "mailchimpv3",
  name: "MailChimp",
  description: "Audience lists and campaigns: get an event when a subscriber or a campaign changes.",
  aliases: [],
  tile: { monogram: "MC", color: "#FFE01B" },
  auth: {
    type: "oauth2",
    urls: {
      authorize: "https://login.mailchimp.com/oauth2/authorize",
      token: "https://login.mailchimp.com/oauth2/token",
      // The API host depends on the account's data center, read from the metadata endpoint.
      metadata: "https://login.mailchimp.com/oauth2/metadata",
    },
    scopes: [],
    scopeSeparator: " ",
    // MailChimp does not document PKCE.
    pkce: false,
    clientAuth: "body",
    tokensExpire: false,
    // Every API call goes to `<api_endpoint>/3.0`, so an account without one is of no use.
    accountLookup: {
      authScheme: "OAuth",
      fields: ["dc", "api_endpoint", "accountname", "user_id", "login_url"],
      required: ["dc", "api_endpoint"],
    },
  },
  parameters: [
    {
      apiName: "code",
      label: "Authorization Code",
      description:
        "The authorization grant code returned from the API provider in an OAuth 2.0 authentication workflow. Hookline uses the code to retrieve the OAuth access and refresh tokens from the endpoint.",
      dataType: "string",
      type: "string",
      // The browser flow fills it in after consent, so a form never asks for it.
      required: false,
      group: "authentication",
      location: "providerData",
      hiddenInForm: true,
    },
    {
      apiName: "name",
      label: "Name",
      description: "The name of the element instance created during authentication.",
      dataType: "Body",
      type: "string",
      required: true,
      group: "general",
      location: "body",
    },
    {
      apiName: "oauth.api.key",
      label: "Client ID",
      description:
        "The API key or client ID obtained from registering your app with the provider. This is the Key Name that you recorded in the API Provider Setup section.",
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
        "The client secret obtained from registering your app with the API provider. This is the Secret Name that you recorded in the API Provider Setup section.",
      dataType: "string",
      type: "secret",
      required: true,
      group: "authentication",
      location: "configuration",
    },
    {
      apiName: "oauth.callback.url",
      label: "Callback URL",
      description:
        "The URL that the API provider returns a user to after they authorize access. This is the Callback URL Name that you recorded in the API Provider Setup section.",
      dataType: "string",
      type: "url",
      required: true,
      group: "authentication",
      location: "configuration",
    },
    {
      apiName: "event.notification.enabled",
      label: "Events Enabled",
      description: "Identifies that events are enabled for the element instance.",
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
    ...hooklineEventRows(),
    ...pollingRows(mailchimpPolling, MAILCHIMP_NO_RECONCILIATION),
    tagsRow(),
  ],
  events: { webhook: mailchimpWebhook, subscription: mailchimpSubscription, polling: { resources: mailchimpPolling, noReconciliation: MAILCHIMP_NO_RECONCILIATION } },
};

export default connector;
