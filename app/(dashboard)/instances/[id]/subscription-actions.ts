"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/lib/action-result";
import { requireUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import type { SubscriptionStatus } from "@/lib/generated/prisma/enums";
import { getInstance } from "@/lib/instances/service";
import { syncSubscriptions } from "@/lib/instances/subscriptions";
import { zInstanceId } from "./load-instance";

export type RetrySubscriptionResult = ActionResult<{ status: SubscriptionStatus; error?: string }>;

/** "Retry registration": registers (or removes) the instance's webhooks at the provider again. */
export async function retrySubscriptionAction(id: unknown): Promise<RetrySubscriptionResult> {
  const user = await requireUser();
  const parsedId = zInstanceId.safeParse(id);
  if (!parsedId.success) return { ok: false, message: "Invalid request." };
  try {
    // The organization check: another organization's instance is "not found", like everywhere else.
    const instance = await getInstance({ organizationId: user.organizationId, userId: user.id }, parsedId.data);
    const state = await syncSubscriptions(instance.id);
    revalidatePath(`/instances/${instance.id}`);
    return { ok: true, data: { status: state.status, ...(state.error ? { error: state.error } : {}) } };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, message: error.message };
    throw error;
  }
}
