"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/lib/action-result";
import { requireUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { instanceBodyFromForm } from "@/lib/forms/instance-form";
import { updateInstance } from "@/lib/instances/service";
import { zInstanceId } from "../load-instance";

/**
 * Saves the edit form: name and tags replace, configuration merges. A secret left blank keeps the stored
 * one (the service's rule); a cleared optional value is sent as "" and removed.
 */
export async function updateInstanceAction(id: unknown, values: unknown): Promise<ActionResult<{ id: number }>> {
  const user = await requireUser();
  const parsedId = zInstanceId.safeParse(id);
  if (!parsedId.success) return { ok: false, message: "Invalid request." };

  const { name, tags, configuration } = instanceBodyFromForm(values);
  try {
    const instance = await updateInstance(
      { organizationId: user.organizationId, userId: user.id },
      parsedId.data,
      { name, tags, configuration },
    );
    revalidatePath("/instances");
    revalidatePath(`/instances/${instance.id}`);
    return { ok: true, data: { id: instance.id } };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, message: error.message, fieldErrors: error.fieldErrors };
    throw error;
  }
}
