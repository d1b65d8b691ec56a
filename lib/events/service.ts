import { db } from "@/lib/db/client";
import type { NotificationEvent } from "@/lib/events/envelope";
import { isUuid, uuidv7 } from "@/lib/events/ids";
import { notificationRows } from "@/lib/events/notification-rows";
import { inTransaction } from "@/lib/db/pg-pool";
import { resumeLane } from "@/lib/delivery/lanes";
import { enqueueDeliveries, notifyEnqueued } from "@/lib/delivery/queue";
import {
  decodeCursor,
  encodeCursor,
  listEventsQuerySchema,
  notDeliverable,
  type EventStatusName,
  type ListEventsQuery,
} from "@/lib/events/schema";
import { AppError } from "@/lib/errors";
import type { DeliveryAttempt, Prisma } from "@/lib/generated/prisma/client";
import { getInstance, type Actor } from "@/lib/instances/service";

/**
 * Events as people and API clients see them: listing an instance's events, one event with its attempts,
 * and the manual actions (redeliver one, redeliver every failed one, send a test event, resume delivery).
 * Everything is scoped to the actor's organization; other organizations' ids are simply not found.
 * Manual sends go through even while the instance's delivery is disabled (410), and a 2xx answer to one
 * turns automatic delivery back on.
 */

const CALLBACK_URL = "event.notification.callback.url";
const REDELIVER_LIMIT = 1000;

/** An event without its payload: what lists carry. */
const LIST_FIELDS = {
  id: true,
  eventId: true,
  instanceId: true,
  elementKey: true,
  status: true,
  attempts: true,
  eventCount: true,
  summary: true,
  test: true,
  createdAt: true,
  deliveredAt: true,
  nextAttemptAt: true,
  lastAttemptAt: true,
  lastStatusCode: true,
  lastError: true,
  source: true,
  request: { select: { duplicateOf: true } },
} satisfies Prisma.EventSelect;

type ListedEvent = Prisma.EventGetPayload<{ select: typeof LIST_FIELDS }>;

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

/** The API/UI shape of an event (Cloud Elements style `…Date` names). */
export function toEventView(event: ListedEvent) {
  return {
    id: event.id,
    eventId: event.eventId,
    instanceId: event.instanceId,
    elementKey: event.elementKey,
    status: event.status as EventStatusName,
    attempts: event.attempts,
    eventCount: event.eventCount,
    events: event.summary as NotificationEvent[],
    test: event.test,
    /** WEBHOOK, POLL, or RECOVERED: a reconciliation poll found a change no webhook reported (a lost webhook). */
    source: event.source,
    createdDate: event.createdAt.toISOString(),
    deliveredDate: iso(event.deliveredAt),
    nextAttemptDate: iso(event.nextAttemptAt),
    lastAttemptDate: iso(event.lastAttemptAt),
    lastStatusCode: event.lastStatusCode,
    lastError: event.lastError,
    /** A DUPLICATE's first: the id of the request it repeats, which is also its first event's `id`. */
    duplicateOf: event.request?.duplicateOf ?? null,
  };
}

export type EventView = ReturnType<typeof toEventView>;

export function toAttemptView(attempt: DeliveryAttempt) {
  return {
    attempt: attempt.attempt,
    startedDate: attempt.startedAt.toISOString(),
    url: attempt.url,
    statusCode: attempt.statusCode,
    latencyMs: attempt.latencyMs,
    responseExcerpt: attempt.responseExcerpt,
    error: attempt.error,
  };
}

export type AttemptView = ReturnType<typeof toAttemptView>;

export type EventDetail = EventView & {
  /** The notification exactly as delivered (parsed from the stored bytes). */
  notification: unknown;
  deliveryAttempts: AttemptView[];
};

export type EventPage = { events: EventView[]; nextPage: string | null };

function badRequest(message: string, field: string): AppError {
  return new AppError("bad_request", message, { [field]: [message] });
}

/**
 * One page of an instance's events, newest first, keyset-paginated on (created_at, id): pages stay
 * stable while new events arrive. `nextPage` is null on the last page.
 */
export async function listInstanceEvents(actor: Actor, instanceId: number, query: ListEventsQuery = {}): Promise<EventPage> {
  const parsed = listEventsQuerySchema.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badRequest(issue?.message ?? "Invalid query", String(issue?.path[0] ?? "query"));
  }
  const { pageSize, nextPage, status } = parsed.data;
  const cursor = nextPage ? decodeCursor(nextPage) : null;
  if (nextPage && !cursor) throw badRequest("nextPage is not a page token from this API", "nextPage");
  const instance = await getInstance(actor, instanceId);

  const rows = await db().event.findMany({
    select: LIST_FIELDS,
    where: {
      instanceId: instance.id,
      ...(status ? { status } : {}),
      ...(cursor
        ? { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] }
        : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: pageSize + 1,
  });
  const page = rows.slice(0, pageSize);
  const last = page[page.length - 1];
  return {
    events: page.map(toEventView),
    nextPage: rows.length > pageSize && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
  };
}

/** Narrows event lookups to one instance (a request made with an `Element <token>`). */
export type EventScope = { instanceId?: number };

/** The row id of an event of the actor's organization, found by its id or its delivered `eventId`. */
async function findEventId(actor: Actor, id: string, scope: EventScope): Promise<string> {
  const event = await db().event.findFirst({
    select: { id: true },
    where: {
      organizationId: actor.organizationId,
      ...(scope.instanceId !== undefined ? { instanceId: scope.instanceId } : {}),
      OR: [...(isUuid(id) ? [{ id }] : []), { eventId: id }],
    },
  });
  if (!event) throw new AppError("not_found", "No event with that id.");
  return event.id;
}

/** One event with its notification and every delivery attempt, oldest first. */
export async function getEvent(actor: Actor, id: string, scope: EventScope = {}): Promise<EventDetail> {
  const event = await db().event.findUniqueOrThrow({
    where: { id: await findEventId(actor, id, scope) },
    include: { request: { select: { duplicateOf: true } } },
  });
  const attempts = await db().deliveryAttempt.findMany({
    where: { eventRowId: event.id },
    orderBy: [{ startedAt: "asc" }, { attempt: "asc" }],
  });
  let notification: unknown = null;
  try {
    notification = JSON.parse(Buffer.from(event.payload).toString("utf8")) as unknown;
  } catch {
    // Payloads are always our own JSON; a row edited by hand still lists.
  }
  return { ...toEventView(event), notification, deliveryAttempts: attempts.map(toAttemptView) };
}

async function viewOf(id: string): Promise<EventView> {
  return toEventView(await db().event.findUniqueOrThrow({ where: { id }, select: LIST_FIELDS }));
}

/** Sends one event again now, on a fresh schedule; a pending retry of it is superseded. */
export async function redeliverEvent(actor: Actor, id: string, scope: EventScope = {}): Promise<EventView> {
  const eventId = await findEventId(actor, id, scope);
  const refusal = notDeliverable((await db().event.findUniqueOrThrow({ where: { id: eventId }, select: { status: true } })).status);
  if (refusal) throw new AppError("conflict", refusal);
  await inTransaction(async (client) => {
    const { rows } = await client.query<{ instance_id: number }>(
      `UPDATE events SET status = 'PENDING', next_attempt_at = now() WHERE id = $1 RETURNING instance_id`,
      [eventId],
    );
    await enqueueDeliveries(client, rows.map((row) => ({ event: eventId, instanceId: row.instance_id, manual: true })));
  });
  notifyEnqueued();
  return viewOf(eventId);
}

/** Sends every DEAD or DISABLED event of an instance again (oldest first, at most 1000 per call). */
export async function redeliverFailedEvents(actor: Actor, instanceId: number): Promise<{ count: number }> {
  const instance = await getInstance(actor, instanceId);
  const count = await inTransaction(async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `WITH picked AS (
         SELECT id FROM events WHERE instance_id = $1 AND status IN ('DEAD', 'DISABLED')
          ORDER BY created_at, id LIMIT $2 FOR UPDATE
       )
       UPDATE events e SET status = 'PENDING', next_attempt_at = now()
         FROM picked WHERE e.id = picked.id
       RETURNING e.id`,
      [instance.id, REDELIVER_LIMIT],
    );
    await enqueueDeliveries(client, rows.map((row) => ({ event: row.id, instanceId: instance.id, manual: true })));
    return rows.length;
  });
  if (count) notifyEnqueued();
  return { count };
}

/**
 * Delivers a made-up event to the instance's callback URL, through the same path (stored, signed, retried,
 * attempts recorded) as a real one, so a receiver can be checked before the provider sends anything.
 */
export async function sendTestEvent(actor: Actor, instanceId: number): Promise<EventView> {
  const instance = await getInstance(actor, instanceId);
  const configuration = instance.configuration as Record<string, unknown>;
  if (typeof configuration[CALLBACK_URL] !== "string" || configuration[CALLBACK_URL] === "") {
    throw badRequest(`Set ${CALLBACK_URL} before sending a test event.`, CALLBACK_URL);
  }
  const now = new Date();
  const base = uuidv7(now.getTime());
  const raw = { hookline: "test", message: "A test event sent from Hookline.", sentDate: now.toISOString() };
  const [row] = notificationRows({
    baseEventId: `test-${base}`,
    elementKey: instance.elementKey,
    instanceId: instance.id,
    instanceName: instance.name,
    events: [{ eventType: "CREATED", objectType: "test", objectId: base, eventDate: now.toISOString() }],
    raw,
  });
  if (!row) throw new Error("a test notification has one event");
  await inTransaction(async (client) => {
    await client.query(
      `INSERT INTO events (id, event_id, instance_id, organization_id, element_key, summary, event_count, test,
                           payload, status, next_attempt_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, 1, true, $7, 'PENDING', $8, $8)`,
      [row.id, row.eventId, instance.id, instance.organizationId, instance.elementKey, row.summary, row.payload, now],
    );
    await enqueueDeliveries(client, [{ event: row.id, instanceId: instance.id, manual: true }]);
  });
  notifyEnqueued();
  return viewOf(row.id);
}

/**
 * "Resume now": turns automatic delivery back on after a 410 and closes the lane's circuit breaker, so
 * what waited behind it goes out at once. Sends nothing by itself.
 */
export async function resumeDelivery(actor: Actor, instanceId: number): Promise<void> {
  const instance = await getInstance(actor, instanceId);
  await db().instance.update({ where: { id: instance.id }, data: { deliveryDisabledAt: null } });
  await resumeLane(instance.id);
  notifyEnqueued();
}
