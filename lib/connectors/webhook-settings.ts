/*
 * Hookline's own settings for receiving an instance's webhooks, as stored in its configuration. Plain
 * data: safe anywhere (the Parameters row in `shared-rows.ts`, ingest, the instance page).
 */

/**
 * API name of the opt-in that lets an instance accept its bare, guessable webhook URL
 * (`/events/{key}/{base64 id}` without `?k=`), e.g. for a provider where the URL is typed by hand.
 */
export const BARE_URL_PARAMETER = "event.webhook.bare.url";
