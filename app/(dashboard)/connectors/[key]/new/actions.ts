"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/lib/action-result";
import { requireUser } from "@/lib/auth/session";
import { getConnector } from "@/lib/connectors";
import { AppError } from "@/lib/errors";
import { instanceBodyFromForm } from "@/lib/forms/instance-form";
import { createInstance } from "@/lib/instances/service";

/** Creates an instance of connector `key` from the generated form's values (nested by API name). */
export async function createInstanceAction(key: unknown, values: unknown): Promise<ActionResult<{ id: number }>> {
  const user = await requireUser();
  const connector = typeof key === "string" ? getConnector(key) : undefined;
  if (!connector) return { ok: false, message: "Unknown connector." };

  const { name, tags, configuration } = instanceBodyFromForm(values);
  const actor = { organizationId: user.organizationId, userId: user.id };
  try {
    const { instance } = await createInstance(actor, { element: { key: connector.key }, name, tags, configuration });
    revalidatePath("/instances");
    return { ok: true, data: { id: instance.id } };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, message: error.message, fieldErrors: error.fieldErrors };
    throw error;
  }
}
