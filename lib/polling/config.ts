import { z } from "zod";
import { dateFormatProblem } from "@/lib/polling/date-format";

/*
 * Polling settings as an instance's configuration stores them, with Cloud Elements' names kept
 * (wire-compatible): `event.vendor.type`, `event.poller.refresh_interval` (minutes) and
 * `event.poller.configuration` (one entry per resource). Plain data and zod: safe anywhere, the form
 * included. What a poll does with them is in lib/polling/poll-instance.ts.
 */

export const VENDOR_TYPE_PARAMETER = "event.vendor.type";
export const REFRESH_INTERVAL_PARAMETER = "event.poller.refresh_interval";
export const POLLER_CONFIGURATION_PARAMETER = "event.poller.configuration";

/** `webhook` and `polling` as Cloud Elements has them; `both` is Hookline's: webhooks, reconciled by polling. */
export const VENDOR_TYPES = ["webhook", "polling", "both"] as const;
export type VendorType = (typeof VENDOR_TYPES)[number];

/** Minutes between polls: more than 0, at most a day. Unset: {@link DEFAULT_REFRESH_MINUTES}. */
export const REFRESH_INTERVAL_RANGE = { exclusiveMinimum: 0, maximum: 1440 } as const;
export const DEFAULT_REFRESH_MINUTES = 15;

/** Resources per instance: each is at least one provider call per poll. */
export const MAX_POLLER_RESOURCES = 20;

const text = (what: string, max = 2000) =>
  z
    .string({ error: `${what} must be a string` })
    .trim()
    .min(1, `${what} must not be empty`)
    .max(max, `${what} must be at most ${max} characters`);

const dateFormat = (what: string) =>
  text(what, 100).superRefine((value, ctx) => {
    const problem = dateFormatProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: `${what} is not a date format Hookline reads: ${problem}` });
  });

/**
 * Where a record's dates are and how they are written. Formats: a Java `SimpleDateFormat` pattern as
 * Cloud Elements takes them (`yyyy-MM-dd'T'HH:mm:ss'Z'`), `milliseconds` or `seconds` since the epoch,
 * or `iso8601`. Timezones: `UTC`/`GMT`, an offset (`+02:00`) or an IANA name (`Europe/Berlin`); unset = UTC.
 */
const datesConfigurationSchema = z.strictObject(
  {
    updatedDateField: text("datesConfiguration.updatedDateField", 200),
    updatedDateFormat: dateFormat("datesConfiguration.updatedDateFormat"),
    updatedDateTimezone: text("datesConfiguration.updatedDateTimezone", 100).optional(),
    createdDateField: text("datesConfiguration.createdDateField", 200).optional(),
    createdDateFormat: dateFormat("datesConfiguration.createdDateFormat").optional(),
    createdDateTimezone: text("datesConfiguration.createdDateTimezone", 100).optional(),
  },
  { error: (issue) => (issue.code === "unrecognized_keys" ? `datesConfiguration has unknown keys: ${issue.keys.join(", ")}` : "datesConfiguration must be an object") },
);

/** How the provider pages a list: by page number, by offset, or not at all. Hookline's extension. */
const paginationSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({
      type: z.literal("page"),
      pageParameter: text("pagination.pageParameter", 100),
      sizeParameter: text("pagination.sizeParameter", 100),
      pageSize: z.int().min(1).max(1000),
      firstPage: z.int().min(0).max(1).default(1),
    }),
    z.strictObject({
      type: z.literal("offset"),
      offsetParameter: text("pagination.offsetParameter", 100),
      sizeParameter: text("pagination.sizeParameter", 100),
      pageSize: z.int().min(1).max(1000),
    }),
    z.strictObject({ type: z.literal("none") }),
  ],
  { error: 'pagination.type must be "page", "offset" or "none"' },
);

/**
 * A resource polled once per value: the values of a `list` configuration parameter (Campaign Monitor's
 * `events.list.ids`), or the ids a listing call returns (MailChimp's lists). `${each}` in `url` is the value.
 */
const eachSchema = z.union([
  z.strictObject({ parameter: text("each.parameter", 200) }),
  z.strictObject({ url: text("each.url"), recordsField: text("each.recordsField", 200).optional(), idField: text("each.idField", 200) }),
]);

export const pollerResourceSchema = z.strictObject(
  {
    /** A GET on the provider's API, relative to the instance's API base, with `${gmtDate:<format>}` for the high-water mark. */
    url: text("url")
      .refine((value) => value.startsWith("/") && !value.startsWith("//"), "url must be a path on the provider's API, starting with /")
      .superRefine((value, ctx) => {
        for (const [, format] of value.matchAll(/\$\{gmtDate:([^}]*)\}/g)) {
          const problem = dateFormatProblem(format ?? "");
          if (problem) ctx.addIssue({ code: "custom", message: `url: \${gmtDate:${format}} is not a date format Hookline writes: ${problem}` });
        }
      }),
    idField: text("idField", 200),
    datesConfiguration: datesConfigurationSchema,
    /**
     * Hookline: the event type of every record, for a resource whose listing itself says what happened
     * (Campaign Monitor's unsubscribed subscribers are DELETED). Default: CREATED when the created and
     * updated dates are equal, else UPDATED.
     */
    eventType: z.enum(["CREATED", "UPDATED", "DELETED"], { error: "eventType must be CREATED, UPDATED or DELETED" }).optional(),
    /** Hookline: `objectType` of the events (default: the resource's name). */
    objectType: text("objectType", 100).optional(),
    /** Hookline: where the records are in the answer, a dotted path (default: the answer itself, an array). */
    recordsField: text("recordsField", 200).optional(),
    pagination: paginationSchema.optional(),
    each: eachSchema.optional(),
  },
  { error: (issue) => (issue.code === "unrecognized_keys" ? `unknown keys: ${issue.keys.join(", ")}` : "each resource must be an object with url, idField and datesConfiguration") },
);

export type PollerResource = z.output<typeof pollerResourceSchema>;
export type PollerConfiguration = Record<string, PollerResource>;

const RESOURCE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** What a resource may be called (the keys of `event.poller.configuration`), for documents that describe it. */
export const POLLER_RESOURCE_NAME = RESOURCE_NAME;

/** `event.poller.configuration`: an object of resources, or the same as a JSON string (both are seen in the wild). */
export const pollerConfigurationSchema = z.preprocess(
  (value) => {
    if (typeof value !== "string") return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return Symbol.for("invalid-json");
    }
  },
  z
    .record(z.string(), pollerResourceSchema, { error: "must be a JSON object with one entry per resource" })
    .refine((value) => Object.keys(value).length > 0, "must name at least one resource")
    .refine((value) => Object.keys(value).length <= MAX_POLLER_RESOURCES, `may name at most ${MAX_POLLER_RESOURCES} resources`)
    .refine(
      (value) => Object.keys(value).every((name) => RESOURCE_NAME.test(name)),
      "resource names may use letters, digits, _ . - (at most 64)",
    ),
);

/** The configured vendor type; anything else (unset) is `webhook`, as in Cloud Elements. */
export function vendorTypeOf(configuration: Record<string, unknown>): VendorType {
  const value = configuration[VENDOR_TYPE_PARAMETER];
  return (VENDOR_TYPES as readonly unknown[]).includes(value) ? (value as VendorType) : "webhook";
}

export function polls(configuration: Record<string, unknown>): boolean {
  return vendorTypeOf(configuration) !== "webhook";
}

/** Webhooks are registered and accepted unless the instance only polls. */
export function receivesWebhooks(configuration: Record<string, unknown>): boolean {
  return vendorTypeOf(configuration) !== "polling";
}

export function refreshMinutesOf(configuration: Record<string, unknown>): number {
  const value = configuration[REFRESH_INTERVAL_PARAMETER];
  return typeof value === "number" && value > REFRESH_INTERVAL_RANGE.exclusiveMinimum && value <= REFRESH_INTERVAL_RANGE.maximum
    ? value
    : DEFAULT_REFRESH_MINUTES;
}

/**
 * The resources an instance polls: its own `event.poller.configuration` when set (and valid), else the
 * connector's defaults. Null when there is nothing to poll.
 */
export function pollerConfigurationOf(
  configuration: Record<string, unknown>,
  defaults: PollerConfiguration | undefined,
): PollerConfiguration | null {
  const own = configuration[POLLER_CONFIGURATION_PARAMETER];
  if (own !== undefined && own !== null && own !== "") {
    const parsed = pollerConfigurationSchema.safeParse(own);
    return parsed.success ? parsed.data : null;
  }
  return defaults && Object.keys(defaults).length ? defaults : null;
}
