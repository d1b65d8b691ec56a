import type { CredentialsCheck, WebhookHandler, WebhookSubscriptionHandler } from "@/lib/connectors/contract";
import type { PollerConfiguration } from "@/lib/polling/config";

/**
 * How a parameter is edited and validated. `secret` values are encrypted at rest and masked on the way out;
 * `number` values are JSON numbers within the row's `range`; `choice` values are one of the row's
 * `choices`; `json` values are JSON objects checked by the schema the row's `jsonValue` names.
 */
export type ParameterType = "string" | "url" | "secret" | "boolean" | "list" | "number" | "choice" | "json";

/**
 * The structured values a `json` row may hold, by name: rows are plain data handed to client components,
 * so a row names its schema and `lib/connectors/json-values.ts` looks it up.
 */
export type JsonValueName = "pollerConfiguration";

/** Where a value lives in the Cloud Elements request body. */
export type ParameterLocation = "configuration" | "providerData" | "body";

export type ParameterGroup = "authentication" | "events" | "general";

/** One row of a connector's Parameters table, kept as the seed page writes it. */
export type ParameterRow = {
  /** API name, e.g. `oauth.api.key`. */
  apiName: string;
  /** Label in the UI: the seed's label, or a plain name drawn from its description where the table gives none. */
  label: string;
  description: string;
  /** The table's Data Type column as printed (string / boolean / Body / …). */
  dataType: string;
  type: ParameterType;
  required: boolean;
  default?: string | boolean;
  group: ParameterGroup;
  location: ParameterLocation;
  /** Other API names accepted for this value (e.g. the seed JSON's `helpdesk.connectwise.username`). */
  aliases?: string[];
  /** Required only when events are enabled (the callback URL). */
  requiredWhenEventsEnabled?: boolean;
  /** Filled in by the OAuth flow rather than typed by a person (`code`). */
  hiddenInForm?: boolean;
  /** The bounds of a `number` row: greater than `exclusiveMinimum`, at most `maximum` (JSON Schema's names). */
  range?: { exclusiveMinimum: number; maximum: number };
  /** The values a `choice` row accepts, in the order a form lists them. */
  choices?: string[];
  /** What a `json` row holds (see {@link JsonValueName}). */
  jsonValue?: JsonValueName;
};

export type OAuth2Config = {
  type: "oauth2";
  /** Defaults; each is overridable by `HOOKLINE_<KEY>_<NAME>_URL`. */
  urls: { authorize: string; token: string; api?: string; metadata?: string };
  scopes: string[];
  scopeSeparator: " " | ",";
  pkce: boolean;
  /** Where the client credentials go on the token request. */
  clientAuth: "body" | "basic";
  extraAuthorizeParams?: Record<string, string>;
  /** False when the provider's tokens never expire (MailChimp). */
  tokensExpire: boolean;
  /**
   * A lookup made once right after the code exchange, at `urls.metadata`, whose answer is stored on the
   * instance (MailChimp's `/oauth2/metadata` tells which data center, `api_endpoint`, the account lives in).
   */
  accountLookup?: {
    /** The Authorization scheme the endpoint wants: MailChimp's is `OAuth <token>`, not `Bearer`. */
    authScheme: "OAuth" | "Bearer";
    /** The top-level string fields kept. */
    fields: string[];
    /** Fields without which the account cannot be used; a lookup missing one fails the authorization. */
    required: string[];
  };
};

export type CredentialsConfig = { type: "credentials" };

export type Connector = {
  key: string;
  name: string;
  /** One sentence for the tile and the docs page. */
  description: string;
  /** Other element keys that resolve to this connector (`connectwisehd`). */
  aliases: string[];
  tile: { monogram: string; color: string };
  /** Plain data: the console hands it to client components (the connector tiles). */
  auth: OAuth2Config | CredentialsConfig;
  /**
   * A credentials connector's check: one provider call that tells whether the provider accepts the
   * settings, run before they are stored (lib/instances/save-checks.ts).
   */
  checkCredentials?: CredentialsCheck;
  parameters: ParameterRow[];
  events: {
    webhook: WebhookHandler;
    /** Steps a person follows at the provider when Hookline cannot register the webhook itself. */
    manualSetup?: string[];
    /**
     * API name of the configuration URL whose origin the webhook handler may fetch from (ConnectWise's
     * `Metadata.key_url` must be on the instance's own server). Absent: the handler may fetch nothing.
     */
    providerOrigin?: string;
    /** Creates and removes the webhook at the provider; absent while registration is manual. */
    subscription?: WebhookSubscriptionHandler;
    /**
     * Polling (`event.vendor.type` `polling` or `both`): the resources polled when the instance's
     * `event.poller.configuration` is unset, from the provider's documented list endpoints and change
     * filters. Absent: the provider's API has no change filter to poll by.
     */
    polling?: {
      resources: PollerConfiguration;
      /**
       * Credentials connectors: the API base and headers of an instance's configuration (decrypted), or
       * why there are none. OAuth connectors use their API URL and the instance's access token instead.
       */
      api?: (configuration: Record<string, unknown>) => { base: string; headers: Record<string, string> } | { error: string };
      /**
       * Why this provider's webhooks cannot be matched to polled changes (they do not carry the record's
       * own updated date): `both` is then not offered, since it would deliver such a change twice.
       */
      noReconciliation?: string;
    };
  };
};
