import { hooklineEventRows, pollingRows, tagsRow } from "@/lib/connectors/shared-rows";
import type { Connector } from "@/lib/connectors/types";
import { checkConnectWiseCredentials } from "@/lib/connectors/credentials/connectwisecrmrest";
import { apiOf, connectwiseSubscription } from "@/lib/connectors/subscriptions/connectwisecrmrest";
import { connectwiseWebhook } from "@/lib/connectors/webhooks/connectwisecrmrest";
import { connectwisePolling } from "@/lib/connectors/polling/connectwisecrmrest";

// Rows follow the Parameters table of the ConnectWise Events page; descriptions are the seed's, with the
// vendor name replaced by Hookline. The page's JSON examples use the older `helpdesk.connectwise.*`
// spellings (element key `connectwisehd`), recorded as aliases.
export const connector: Connector = {
  key: "connectwisecrmrest",
  name: "ConnectWise",
  description: "ConnectWise PSA service desk: get an event when a ticket, contact or company changes.",
  aliases: ["connectwisehd"],
  tile: { monogram: "CW", color: "#0067B1" },
  auth: { type: "credentials" },
  checkCredentials: checkConnectWiseCredentials,
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
    {
      apiName: "helpdesk.connectwise.server.url",
      label: "Server URL",
      description: "The url of your ConnectWise site with api- appended.",
      dataType: "string",
      type: "url",
      required: true,
      group: "authentication",
      location: "configuration",
    },
    {
      apiName: "company",
      label: "Company",
      description: "The company name that you use to log in.",
      dataType: "string",
      type: "string",
      required: true,
      group: "authentication",
      location: "configuration",
      aliases: ["helpdesk.connectwise.company"],
    },
    {
      apiName: "public.key",
      label: "User Name",
      description: "Your ConnectWise user name.",
      dataType: "string",
      type: "string",
      required: true,
      group: "authentication",
      location: "configuration",
      aliases: ["helpdesk.connectwise.username"],
    },
    {
      apiName: "private.key",
      label: "Password",
      description: "Your ConnectWise password.",
      dataType: "string",
      type: "secret",
      required: true,
      group: "authentication",
      location: "configuration",
      aliases: ["helpdesk.connectwise.password"],
    },
    {
      apiName: "helpdesk.connectwise.wsdl.path",
      label: "WSDL Path",
      description:
        "The WSDL path appears in the URL that ConnectWise redirects you to after you log in. For example, in https://my.connectwise.com/v2017_2/ConnectWise.aspx?locale=en_US&session=..., the WSDL path is /v2017_2/apis/2.0/.",
      dataType: "string",
      type: "string",
      // The table does not mark it optional, yet the page's own JSON example omits it, and the REST API
      // (`<server>/v4_6_release/apis/3.0`) has no use for a SOAP WSDL path.
      required: false,
      group: "authentication",
      location: "configuration",
    },
    {
      apiName: "filter.response.nulls",
      label: "Filter null values from the response",
      description:
        "Determines if null values in the response JSON should be filtered from the response. Yes or true indicates that Hookline will filter null values.",
      dataType: "boolean",
      type: "boolean",
      required: false,
      default: true,
      group: "general",
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
    ...hooklineEventRows(),
    ...pollingRows(connectwisePolling),
    tagsRow(),
  ],
  events: {
    webhook: connectwiseWebhook,
    providerOrigin: "helpdesk.connectwise.server.url",
    subscription: connectwiseSubscription,
    polling: { resources: connectwisePolling, api: (configuration) => apiOf({ configuration }) },
  },
};

export default connector;
