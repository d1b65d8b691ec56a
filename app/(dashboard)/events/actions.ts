"use server";

import { z } from "zod";
import type { ActionResult } from "@/lib/action-result";
import { requireUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { deliveryCurl, getEventDetail } from "@/lib/live-log/event-detail";
import { listEventLogFor } from "@/lib/live-log/query";
import { eventStats } from "@/lib/live-log/stats";
import {
  PAGE_SIZE,
  parseEventLogFilters,
  type EventLogDetail,
  type EventLogPage,
  type EventStats,
  type LogStatus,
} from "@/lib/live-log/schema";
import { redeliverEvent, sendTestEvent } from "@/lib/events/service";

// The live event log's actions: each signs the user in first, scopes everything to their organization,
// calls one lib/events function and returns a typed result. The table needs no revalidation: it hears
// about every change through its stream.

const zEventId = z.uuid();
const zInstanceId = z.coerce.number().int().positive().max(2_147_483_647);
const zQuery = z.string().max(2000);
const zCursor = z.string().min(1).max(200);

const INVALID = { ok: false, message: "Invalid request." } as const;

/** A user-facing failure as a result; anything else is a bug and stays an exception. */
function failure(error: unknown): { ok: false; message: string; fieldErrors?: Record<string, string[]> } {
  if (!(error instanceof AppError)) throw error;
  const firstOfEach = Object.values(error.fieldErrors ?? {}).flatMap((messages) => messages.slice(0, 1));
  return { ok: false, message: firstOfEach.length ? firstOfEach.join(" ") : error.message, fieldErrors: error.fieldErrors };
}

async function actor() {
  const user = await requireUser();
  return { organizationId: user.organizationId, userId: user.id };
}

/** The page after `cursor` for the filters in `query` (the /events query string); the log itself uses GET /events/rows. */
export async function loadMoreEventsAction(query: unknown, cursor: unknown): Promise<ActionResult<EventLogPage>> {
  const { organizationId, userId } = await actor();
  const parsedQuery = zQuery.safeParse(query);
  const parsedCursor = zCursor.safeParse(cursor);
  if (!parsedQuery.success || !parsedCursor.success) return INVALID;
  try {
    const filters = parseEventLogFilters(new URLSearchParams(parsedQuery.data));
    return { ok: true, data: await listEventLogFor(userId, organizationId, filters, { cursor: parsedCursor.data, limit: PAGE_SIZE }) };
  } catch (error) {
    return failure(error);
  }
}

export async function eventDetailAction(id: unknown): Promise<ActionResult<EventLogDetail>> {
  const { organizationId } = await actor();
  const parsed = zEventId.safeParse(id);
  if (!parsed.success) return INVALID;
  try {
    const detail = await getEventDetail(organizationId, parsed.data);
    return detail ? { ok: true, data: detail } : { ok: false, message: "This event no longer exists." };
  } catch (error) {
    return failure(error);
  }
}

/** Sends the event again now, through the queue, on a fresh retry schedule. */
export async function redeliverEventAction(id: unknown): Promise<ActionResult<{ status: LogStatus }>> {
  const current = await actor();
  const parsed = zEventId.safeParse(id);
  if (!parsed.success) return INVALID;
  try {
    const event = await redeliverEvent(current, parsed.data);
    return { ok: true, data: { status: event.status } };
  } catch (error) {
    return failure(error);
  }
}

/** The delivery request as cURL, signed now (the Standard Webhooks timestamp is only valid for minutes). */
export async function curlForEventAction(id: unknown): Promise<ActionResult<{ curl: string }>> {
  const { organizationId } = await actor();
  const parsed = zEventId.safeParse(id);
  if (!parsed.success) return INVALID;
  try {
    return { ok: true, data: { curl: await deliveryCurl(organizationId, parsed.data) } };
  } catch (error) {
    return failure(error);
  }
}

export async function sendTestEventAction(instanceId: unknown): Promise<ActionResult<{ id: string }>> {
  const current = await actor();
  const parsed = zInstanceId.safeParse(instanceId);
  if (!parsed.success) return INVALID;
  try {
    const event = await sendTestEvent(current, parsed.data);
    return { ok: true, data: { id: event.id } };
  } catch (error) {
    return failure(error);
  }
}

/** The chart's figures: the organization's, or one instance's when `instanceId` is given. */
export async function eventStatsAction(instanceId: unknown): Promise<ActionResult<EventStats>> {
  const { organizationId } = await actor();
  const parsed = instanceId === undefined || instanceId === null ? null : zInstanceId.safeParse(instanceId);
  if (parsed && !parsed.success) return INVALID;
  try {
    return { ok: true, data: await eventStats(organizationId, { instanceId: parsed?.data }) };
  } catch (error) {
    return failure(error);
  }
}
