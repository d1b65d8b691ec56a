"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/lib/action-result";
import { requireUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { revealSignatureKey, rotateSignatureKey } from "@/lib/instances/signature-key";
import { zInstanceId } from "./load-instance";

/** The instance's signature key in full, for the page's reveal and copy buttons. */
export async function revealSignatureKeyAction(id: unknown): Promise<ActionResult<{ secret: string }>> {
  const user = await requireUser();
  const parsedId = zInstanceId.safeParse(id);
  if (!parsedId.success) return { ok: false, message: "Invalid request." };
  try {
    const key = await revealSignatureKey({ organizationId: user.organizationId, userId: user.id }, parsedId.data);
    return key ? { ok: true, data: { secret: key } } : { ok: false, message: "This instance has no signature key; generate one." };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, message: error.message };
    throw error;
  }
}

/** A new generated key (the first one for an unsigned instance); the replaced key still signs for 24 h. */
export async function rotateSignatureKeyAction(id: unknown): Promise<ActionResult<{ masked: string }>> {
  const user = await requireUser();
  const parsedId = zInstanceId.safeParse(id);
  if (!parsedId.success) return { ok: false, message: "Invalid request." };
  try {
    const state = await rotateSignatureKey({ organizationId: user.organizationId, userId: user.id }, parsedId.data);
    revalidatePath(`/instances/${parsedId.data}`);
    return { ok: true, data: { masked: state.masked ?? "" } };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, message: error.message };
    throw error;
  }
}
