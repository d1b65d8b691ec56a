import { randomBytes } from "node:crypto";
import { decrypt, encrypt } from "@/lib/crypto/secrets";
import type { WebhookHandler } from "@/lib/connectors/contract";
import { BARE_URL_PARAMETER } from "@/lib/connectors/webhook-settings";
import { publicUrl } from "@/lib/env";
import { ALLOWLIST_PARAMETER } from "@/lib/ingest/ip-allowlist";

/*
 * An instance's webhook URL: the documented `/elements/api-v2/events/{key}/{base64 id}` plus a random
 * secret, `?k=<secret>`, so that a URL cannot be guessed from the sequential id (Slack's and Hookdeck's
 * secret-bearing URLs; Stripe and GitHub sign instead, which Hookline checks where a provider signs). The
 * secret is 24 random bytes (192 bits), base64url, stored encrypted; lib/ingest/ingest.ts checks it.
 */

/** The query parameter that carries the URL secret. */
export const URL_SECRET_PARAMETER = "k";

/** base64 of the decimal id, as Cloud Elements puts instance ids in event URLs. */
export function encodeInstanceId(id: number): string {
  return Buffer.from(String(id), "utf8").toString("base64");
}

/** The inverse of `encodeInstanceId`; null for anything that is not base64 of a positive integer. */
export function decodeInstanceId(encoded: string): number | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length > 16) return null;
  const text = Buffer.from(encoded, "base64").toString("utf8");
  if (!/^[1-9][0-9]{0,9}$/.test(text)) return null;
  const id = Number(text);
  return id <= 2_147_483_647 ? id : null;
}

/** A new URL secret and its stored (encrypted) form. */
export function newWebhookSecret(): { secret: string; encrypted: string } {
  const secret = randomBytes(24).toString("base64url");
  return { secret, encrypted: encrypt(secret) };
}

/** What the URL needs of an instance. */
export type WebhookUrlInstance = { id: number; elementKey: string; webhookSecretEncrypted: string | null };

/** The documented URL without its secret: what a guesser could build. */
export function bareWebhookUrl(elementKey: string, id: number): string {
  return `${publicUrl()}/elements/api-v2/events/${elementKey}/${encodeInstanceId(id)}`;
}

/** The URL a provider posts this instance's webhooks to, secret included (bare for an instance not yet given one). */
export function providerWebhookUrl(instance: WebhookUrlInstance): string {
  const bare = bareWebhookUrl(instance.elementKey, instance.id);
  if (!instance.webhookSecretEncrypted) return bare;
  return `${bare}?${URL_SECRET_PARAMETER}=${decrypt(instance.webhookSecretEncrypted)}`;
}

/**
 * Why an instance also accepts its bare URL (no `?k=`), or null when it accepts only the full one: its
 * provider signs every webhook, its senders are limited by an IP allow-list, or it opted in.
 */
export function bareUrlAcceptance(handler: Pick<WebhookHandler, "signed">, configuration: Record<string, unknown>): "signed" | "allowlist" | "opted-in" | null {
  if (handler.signed === true) return "signed";
  const allowList = configuration[ALLOWLIST_PARAMETER];
  if (typeof allowList === "string" && allowList.trim() !== "") return "allowlist";
  return configuration[BARE_URL_PARAMETER] === true ? "opted-in" : null;
}
