import { publicUrl } from "@/lib/env";

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

/** The URL a provider posts this instance's webhooks to. */
export function providerWebhookUrl(elementKey: string, id: number): string {
  return `${publicUrl()}/elements/api-v2/events/${elementKey}/${encodeInstanceId(id)}`;
}
