import { validationFailure, type Configuration, type SentAs } from "@/lib/connectors/schema";
import type { Connector } from "@/lib/connectors/types";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { unlessAborted } from "@/lib/net/deadline";
import { resolveCallbackTarget } from "@/lib/net/ssrf";

/*
 * What a save checks against the outside world before anything is stored: the URLs Hookline will call
 * (the callback URL, ConnectWise's Server URL) against the delivery SSRF policy, with the same resolver
 * (lib/net/ssrf.ts), and a credentials connector's settings with one provider call. Only what the save
 * sends is checked: switching events on or off does not call the provider again.
 */

const CALLBACK_URL = "event.notification.callback.url";
/** A name that does not answer in time is not refused here: delivery retries it like any network failure. */
const RESOLVE_DEADLINE_MS = 5_000;

/** The configuration URLs Hookline itself sends requests to. */
function calledUrls(connector: Connector): string[] {
  return [CALLBACK_URL, ...(connector.events.providerOrigin ? [connector.events.providerOrigin] : [])];
}

async function refusal(url: string): Promise<string | null> {
  const target = await unlessAborted(
    resolveCallbackTarget(url, { allowPrivate: env().HOOKLINE_ALLOW_PRIVATE_CALLBACKS }),
    AbortSignal.timeout(RESOLVE_DEADLINE_MS),
  );
  // Not resolvable (yet) is not a policy refusal: deliveries to it are retried, a provider call reports it.
  if (target === null || target.ok || target.reason.startsWith("could not resolve")) return null;
  return target.reason;
}

function policy(): string {
  return env().HOOKLINE_ALLOW_PRIVATE_CALLBACKS
    ? "link-local and cloud-metadata addresses"
    : "loopback, private, link-local and cloud-metadata addresses (HOOKLINE_ALLOW_PRIVATE_CALLBACKS is off)";
}

/** 400 with `fieldErrors` for each sent URL the delivery SSRF policy would refuse. */
async function checkUrls(connector: Connector, configuration: Configuration, sent: ReadonlySet<string>, sentAs: SentAs) {
  const fieldErrors: Record<string, string[]> = {};
  for (const apiName of calledUrls(connector)) {
    const value = configuration[apiName];
    if (!sent.has(apiName) || typeof value !== "string" || value === "") continue;
    const reason = await refusal(value);
    if (!reason) continue;
    const label = connector.parameters.find((row) => row.apiName === apiName)?.label ?? apiName;
    fieldErrors[sentAs[apiName] ?? apiName] = [`${label} is refused (${reason}): Hookline does not call ${policy()}.`];
  }
  if (Object.keys(fieldErrors).length === 0) return;
  const failure = validationFailure(fieldErrors);
  throw new AppError("bad_request", failure.message, failure.fieldErrors);
}

/** 4xx naming the provider's answer when it refuses the credentials, 502 when it cannot be reached. */
async function checkCredentials(connector: Connector, configuration: Configuration, sent: ReadonlySet<string>) {
  if (!connector.checkCredentials) return;
  const authentication = connector.parameters.filter((row) => row.group === "authentication").map((row) => row.apiName);
  if (!authentication.some((apiName) => sent.has(apiName))) return;
  const result = await connector.checkCredentials(configuration);
  if (!result.ok) throw new AppError(result.refused ? "bad_request" : "bad_gateway", result.reason);
}

/**
 * Throws the AppError a save must answer with, before anything is stored. `configuration` is the validated
 * one (canonical names) as it would be stored; `sent` the canonical names the request carried.
 */
export async function checkBeforeSave(connector: Connector, configuration: Configuration, sent: ReadonlySet<string>, sentAs: SentAs): Promise<void> {
  await checkUrls(connector, configuration, sent, sentAs);
  await checkCredentials(connector, configuration, sent);
}
