import { randomBytes } from "node:crypto";
import { z } from "zod";
import { hashSecret } from "@/lib/crypto/secrets";

/** A `state` is good for this long after the flow started; after that the callback refuses it. */
export const STATE_TTL_MS = 10 * 60 * 1000;

/** A failed or expired authorization keeps its draft this long, so "Try again" needs no retyping. */
export const DRAFT_TTL_MS = 24 * 60 * 60 * 1000;

/** What a state looks like on the way back; anything else cannot be one of ours. */
export const zState = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

/** A fresh random `state`: 32 bytes base64url, unguessable, so it doubles as the CSRF token. */
export function createState(): string {
  return randomBytes(32).toString("base64url");
}

/** States are stored hashed: a database reader cannot complete someone else's flow with them. */
export function hashState(state: string): string {
  return hashSecret(state);
}

export function isStateExpired(createdAt: Date, now: Date = new Date()): boolean {
  return now.getTime() - createdAt.getTime() >= STATE_TTL_MS;
}

export function isDraftExpired(createdAt: Date, now: Date = new Date()): boolean {
  return now.getTime() - createdAt.getTime() >= DRAFT_TTL_MS;
}
