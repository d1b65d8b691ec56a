/** The request a provider made to an instance's webhook URL, with the body read exactly once. */
export type IncomingWebhook = {
  method: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: Buffer;
  contentType: string;
  remoteAddress?: string;
};

export type NormalizedEventType = "CREATED" | "UPDATED" | "DELETED" | "UNKNOWN";

/** One object change, in the shape Cloud Elements puts in `message.events[]`. */
export type NormalizedEvent = {
  eventType: NormalizedEventType;
  objectType: string;
  objectId: string | null;
  /** ISO-8601 in UTC. */
  eventDate: string;
  /**
   * The object's own last-updated date (ISO-8601 UTC), where the provider sends it (a ConnectWise
   * callback's `Entity._info.lastUpdated`). With objectType and objectId it names one change, so a
   * change seen by a webhook and by a poll becomes one event (lib/polling/change-keys.ts). Not delivered.
   */
  changeDate?: string;
};

/** What a connector's webhook handler gets to know about the instance the request is for. */
export type WebhookContext = {
  /** The instance configuration with secrets decrypted (server-only). */
  configuration: Record<string, unknown>;
  /**
   * Fetches a URL on the instance's own provider host (e.g. ConnectWise's `Metadata.key_url`).
   * The caller restricts the host, so handlers never fetch arbitrary URLs themselves.
   */
  fetchFromProvider?: (url: string) => Promise<unknown>;
};

export type VerifyResult = { ok: true } | { ok: false; reason: string };

export type AdmitResult = { ok: true } | { ok: false; message: string };

export type ParseResult = {
  /** The provider's payload decoded to JSON-compatible data (form bodies become nested objects). */
  raw: unknown;
  events: NormalizedEvent[];
  /**
   * Batched providers: the provider payload holding only `events[start, end)`, the `raw` of a
   * notification that carries those events (a 1000-event body split into 50 notifications must not
   * send, or store, the whole body 50 times). Absent: every notification carries `raw`.
   */
  sliceRaw?: (start: number, end: number) => unknown;
  /** Set when the body was not recognized (its one event is UNKNOWN): why, for the log. */
  unrecognized?: string;
};

/** How one provider's webhooks are verified and normalized. Handlers return results; they never throw. */
export type WebhookHandler = {
  /** Checks the request is authentic. Unsigned providers return `{ ok: true }`. */
  verify(request: IncomingWebhook, context: WebhookContext): Promise<VerifyResult>;
  /**
   * The provider signs every webhook and `verify` refuses one without a valid signature: its instances
   * then also accept their bare webhook URL (without the `?k=` secret), as the provider's docs build it.
   */
  signed?: true;
  /** Decodes and normalizes. A body that cannot be decoded yields one `UNKNOWN` event, never an exception. */
  parse(request: IncomingWebhook, receivedAt: Date): ParseResult;
  /**
   * Batched providers: whether the body's batch may be accepted at all (checked before it is stored,
   * so a refusal is a 400 the sender sees): at most `maxEvents` items, each an object. A body that is not
   * the provider's shape at all passes here and is kept as UNKNOWN. Absent: one event per request.
   */
  admit?(request: IncomingWebhook, maxEvents: number): AdmitResult;
  /**
   * The provider's own id of what this request reports, where it sends one (ConnectWise's `MessageId`):
   * a repeat of it is a duplicate. Absent, or null for a body without one: the body itself is the key.
   */
  dedupId?(request: IncomingWebhook): string | null;
  /** Some providers probe the URL with a GET (MailChimp); answer with this status. Absent = 405. */
  probeStatus?: number;
};

/**
 * What registering a webhook at the provider needs: where the provider should send webhooks, the
 * instance's decrypted configuration (tokens, list ids, server URL) and a fetch bound to the provider.
 */
export type SubscriptionContext = {
  instanceId: number;
  /** The instance's webhook URL (`/elements/api-v2/events/{key}/{base64 id}?k={URL secret}`). */
  webhookUrl: string;
  configuration: Record<string, unknown>;
  /** OAuth connectors: a current access token and the provider's API base (`providerApiUrl`). */
  oauth?: { accessToken: string; apiUrl: string };
  /** Ends every provider call of this sync at once (its overall deadline). */
  signal?: AbortSignal;
};

/** One webhook created at the provider (a MailChimp list webhook, a ConnectWise callback), kept to remove it later. */
export type ProviderSubscription = { id: string; scope?: string };

export type RegisterResult =
  /** Every webhook the instance should have: the ones kept from `existing` and the ones just created. */
  | { ok: true; subscriptions: ProviderSubscription[] }
  /**
   * `subscriptions`: what exists at the provider so far (kept and created before the failure), so the
   * caller records them and can remove them later instead of leaving them orphaned.
   */
  | { ok: false; reason: string; subscriptions?: ProviderSubscription[] };

/**
 * The seam for provider-side registration (MailChimp, Campaign Monitor, ConnectWise): called when events
 * are switched on or the instance is deleted. Like webhook handlers, these return results, never throw.
 */
export type WebhookSubscriptionHandler = {
  /**
   * Makes sure every scope the instance wants (its lists, its callback types) has a webhook for
   * `webhookUrl`: a scope in `existing` is kept as recorded, one the provider already has for this URL
   * is adopted, any other is created. Safe to call again after any failure.
   */
  register(context: SubscriptionContext & { existing: ProviderSubscription[] }): Promise<RegisterResult>;
  /** Deletes these webhooks; one the provider no longer has counts as removed. */
  unregister(context: SubscriptionContext & { subscriptions: ProviderSubscription[] }): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** What one scope is called in sentences: "list" / "lists", "callback" / "callbacks". */
  scopeName: { one: string; other: string };
};

/**
 * What checking a credentials connector's settings with one provider call found: accepted; refused by the
 * provider (`refused`, its answer in `reason`); or the provider not reached or failing (`refused: false`).
 */
export type CredentialsCheckResult = { ok: true } | { ok: false; refused: boolean; reason: string };

/** Called before a credentials instance is stored (created, or re-saved with its authentication fields). */
export type CredentialsCheck = (configuration: Record<string, unknown>) => Promise<CredentialsCheckResult>;
