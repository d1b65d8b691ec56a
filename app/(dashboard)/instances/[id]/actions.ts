"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { ActionResult } from "@/lib/action-result";
import { requireUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { resumeDelivery } from "@/lib/events/service";
import { deleteInstance, pollNow, setEventsEnabled } from "@/lib/instances/service";
import { zInstanceId } from "./load-instance";
import { firstIssue, pollSinceSchema } from "@/lib/polling/history";


/** The first message of each field error: what a toast can show in one line. */
function summarize(error: AppError): string {
  const messages = Object.values(error.fieldErrors ?? {}).flatMap((list) => list.slice(0, 1));
  return messages.length ? messages.join(" ") : error.message;
}

export async function setEventsEnabledAction(id: unknown, enabled: unknown): Promise<ActionResult<{ eventsEnabled: boolean }>> {
  const user = await requireUser();
  const parsedId = zInstanceId.safeParse(id);
  const parsedEnabled = z.boolean().safeParse(enabled);
  if (!parsedId.success || !parsedEnabled.success) return { ok: false, message: "Invalid request." };
  try {
    const instance = await setEventsEnabled(
      { organizationId: user.organizationId, userId: user.id },
      parsedId.data,
      parsedEnabled.data,
    );
    revalidatePath("/instances");
    revalidatePath(`/instances/${instance.id}`);
    return { ok: true, data: { eventsEnabled: instance.eventsEnabled } };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, message: summarize(error), fieldErrors: error.fieldErrors };
    throw error;
  }
}

export async function deleteInstanceAction(id: unknown): Promise<ActionResult<{ warning?: string }>> {
  const user = await requireUser();
  const parsedId = zInstanceId.safeParse(id);
  if (!parsedId.success) return { ok: false, message: "Invalid request." };
  try {
    // `warning`: the provider's webhooks could not be removed (the instance is deleted all the same).
    const { warning } = await deleteInstance({ organizationId: user.organizationId, userId: user.id }, parsedId.data);
    revalidatePath("/instances");
    return { ok: true, data: warning ? { warning } : {} };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, message: error.message };
    throw error;
  }
}

/** "Resume now": closes the delivery lane's circuit breaker (or a 410's pause); what waited goes out at once. */
export async function resumeDeliveryAction(id: unknown): Promise<ActionResult<Record<string, never>>> {
  const user = await requireUser();
  const parsedId = zInstanceId.safeParse(id);
  if (!parsedId.success) return { ok: false, message: "Invalid request." };
  try {
    await resumeDelivery({ organizationId: user.organizationId, userId: user.id }, parsedId.data);
    revalidatePath("/instances");
    revalidatePath(`/instances/${parsedId.data}`);
    return { ok: true, data: {} };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, message: error.message };
    throw error;
  }
}

/**
 * "Poll now": the instance's next poll is due at once (a worker runs it). An instance that does not poll,
 * or polls with events off, is a result with the reason, not an error page.
 */
export async function pollNowAction(id: unknown, since?: unknown): Promise<ActionResult<Record<string, never>>> {
  const user = await requireUser();
  const parsedId = zInstanceId.safeParse(id);
  if (!parsedId.success) return { ok: false, message: "Invalid request." };
  // "Poll since": history from that date-time (lib/polling/history.ts).
  const parsedSince = since === undefined ? undefined : pollSinceSchema.safeParse(since);
  if (parsedSince && !parsedSince.success) return { ok: false, message: firstIssue(parsedSince.error) };
  try {
    await pollNow({ organizationId: user.organizationId, userId: user.id }, parsedId.data, parsedSince?.data);
    revalidatePath(`/instances/${parsedId.data}`);
    return { ok: true, data: {} };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, message: error.message };
    throw error;
  }
}
