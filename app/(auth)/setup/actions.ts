"use server";

import { AppError } from "@/lib/errors";
import { createFirstAdmin } from "@/lib/users/accounts";
import { zSetupInput } from "@/lib/users/schema";
import type { ActionResult } from "@/lib/action-result";
import { fieldErrorsOf } from "@/lib/action-result";

/** First-run setup: open to anyone only while no account exists (the service enforces it). */
export async function createFirstAdminAction(input: unknown): Promise<ActionResult> {
  const parsed = zSetupInput.safeParse(input);
  if (!parsed.success) return { ok: false, message: "Check the highlighted fields.", fieldErrors: fieldErrorsOf(parsed.error) };
  try {
    await createFirstAdmin(parsed.data);
    return { ok: true };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, message: error.message };
    throw error;
  }
}
