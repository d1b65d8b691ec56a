"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/lib/action-result";
import { requireUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { rotateWebhookSecret } from "@/lib/instances/webhook-secret";
import { zInstanceId } from "./load-instance";

/** A new webhook URL secret: the old URL stops working at once, and registered provider webhooks move to the new one. */
export async function rotateWebhookUrlAction(id: unknown): Promise<ActionResult<{ subscription: string }>> {
  const user = await requireUser();
  const parsedId = zInstanceId.safeParse(id);
  if (!parsedId.success) return { ok: false, message: "Invalid request." };
  try {
    const instance = await rotateWebhookSecret({ organizationId: user.organizationId, userId: user.id }, parsedId.data);
    revalidatePath(`/instances/${parsedId.data}`);
    return { ok: true, data: { subscription: instance.subscriptionStatus } };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, message: error.message };
    throw error;
  }
}
