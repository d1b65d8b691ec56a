"use server";

import { headers } from "next/headers";
import { clientAddressOf } from "@/lib/auth/client-address";
import { takeAttempt } from "@/lib/auth/throttle";
import { AppError } from "@/lib/errors";
import { ALREADY_SET_UP, createFirstAdmin, hasAnyUser } from "@/lib/users/accounts";
import { zSetupInput } from "@/lib/users/schema";
import type { ActionResult } from "@/lib/action-result";
import { fieldErrorsOf } from "@/lib/action-result";

/**
 * First-run setup: open to anyone only while no account exists. Anyone can call this action, so the
 * order matters: "already set up?" first (one index probe, no bcrypt), then a per-address limit on the
 * expensive path, then the service (which checks again under a lock).
 */
export async function createFirstAdminAction(input: unknown): Promise<ActionResult> {
  if (await hasAnyUser()) return { ok: false, message: ALREADY_SET_UP };
  const parsed = zSetupInput.safeParse(input);
  if (!parsed.success) return { ok: false, message: "Check the highlighted fields.", fieldErrors: fieldErrorsOf(parsed.error) };
  const verdict = await takeAttempt([`setup:${clientAddressOf(await headers())}`]);
  if (!verdict.allowed) {
    return { ok: false, message: `Too many setup attempts from this address. Wait ${verdict.retryAfterSeconds} seconds and try again.` };
  }
  try {
    await createFirstAdmin(parsed.data);
    return { ok: true };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, message: error.message };
    throw error;
  }
}
