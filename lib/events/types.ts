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

export type ParseResult = {
  /** The provider's payload decoded to JSON-compatible data (form bodies become nested objects). */
  raw: unknown;
  events: NormalizedEvent[];
};

/** How one provider's webhooks are verified and normalized. Handlers return results; they never throw. */
export type WebhookHandler = {
  /** Checks the request is authentic. Unsigned providers return `{ ok: true }`. */
  verify(request: IncomingWebhook, context: WebhookContext): Promise<VerifyResult>;
  /** Decodes and normalizes. A body that cannot be decoded yields one `UNKNOWN` event, never an exception. */
  parse(request: IncomingWebhook, receivedAt: Date): ParseResult;
  /** Some providers probe the URL with a GET (MailChimp); answer with this status. Absent = 405. */
  probeStatus?: number;
};
