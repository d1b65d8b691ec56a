import { getConnector } from "@/lib/connectors";
import { listValue } from "@/lib/connectors/subscriptions/shared";
import type { Connector } from "@/lib/connectors/types";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import type { Instance } from "@/lib/generated/prisma/client";
import { withoutInstanceSecrets } from "@/lib/instances/secrets";
import { fullConfiguration } from "@/lib/instances/service";
import { isOAuthConnector, providerApiUrl } from "@/lib/oauth/config";
import { accessTokenFor, refreshInstanceTokens } from "@/lib/oauth/refresh";
import { changeKey, changeOf, valueAt, type PolledChange } from "@/lib/polling/changes";
import { heldChangeKeys } from "@/lib/polling/change-keys";
import { pollerConfigurationOf, polls, refreshMinutesOf, vendorTypeOf, type PollerResource } from "@/lib/polling/config";
import { fillGmtDates } from "@/lib/polling/date-format";
import type { ClaimedPoll } from "@/lib/polling/poll-jobs";
import { readPage, type PageRead, type PollApi } from "@/lib/polling/provider-pages";
import { forgetOtherResources, highWaterMarks, storePollResult, type ResourceResult } from "@/lib/polling/store-polled";

/**
 * One poll of one instance: each resource (each list of a per-list resource) read from its high-water
 * mark, page after page, its records turned into changes, the ones already reported left out, and the
 * rest stored with the new mark (lib/polling/store-polled.ts). A 429 stops the poll and says when to come
 * back; a 401 on an OAuth instance refreshes its token once and tries again.
 */

/** Pages read per resource per poll; the rest waits for the next poll (the mark only passes what was read). */
export const MAX_PAGES = 50;

/**
 * "both": changes younger than this are left to their webhook for now (the next poll reads them), so a
 * webhook that is merely slower than the poll is not counted as lost.
 */
export const RECONCILE_GRACE_MS = 60_000;

export type PollOutcome = {
  /** Polled resources and their results; empty when the instance no longer polls. */
  results: Omit<ResourceResult, "changes">[];
  /** Seconds until the provider wants to hear from us again (429). */
  retryAfterSeconds?: number;
  failed: boolean;
  stopped?: boolean;
  /** The instance's refresh interval as this poll read it (0 when it no longer polls). */
  intervalSeconds: number;
};

/** The instance is gone, its events are off, or it no longer polls: the poller drops its job. */
const STOPPED: PollOutcome = { results: [], failed: false, stopped: true, intervalSeconds: 0 };

type Target = { resource: string; path: string; definition: PollerResource; objectType: string };

async function apiFor(instance: Instance, connector: Connector, configuration: Record<string, unknown>, refresh: boolean): Promise<PollApi | { error: string }> {
  if (isOAuthConnector(connector)) {
    const base = providerApiUrl(connector, instance.providerAccount);
    if (!base) return { error: `Hookline does not know ${connector.name}'s API address for this account; reconnect the instance.` };
    try {
      const token = refresh ? await refreshInstanceTokens(instance.id, { force: true }) : { kind: "fresh" as const, accessToken: await accessTokenFor(instance.id) };
      if (token.kind === "needs_reauthorization") return { error: token.message };
      return { base, headers: { authorization: `Bearer ${token.accessToken}` } };
    } catch (error) {
      if (error instanceof AppError) return { error: error.message };
      throw error;
    }
  }
  return connector.events.polling?.api?.(configuration) ?? { error: `${connector.name} instances cannot be polled.` };
}

/** Each resource, once per value of its `each`: the values of a list parameter, or the ids a listing call returns. */
async function targetsOf(
  resources: Record<string, PollerResource>,
  configuration: Record<string, unknown>,
  read: (path: string, definition: PollerResource) => Promise<PageRead>,
): Promise<{ targets: Target[]; failures: ResourceResult[]; stop?: PageRead }> {
  const targets: Target[] = [];
  const failures: ResourceResult[] = [];
  for (const [name, definition] of Object.entries(resources)) {
    const objectType = definition.objectType ?? name;
    const each = definition.each;
    if (!each) {
      targets.push({ resource: name, path: definition.url, definition, objectType });
      continue;
    }
    let values: string[];
    if ("parameter" in each) {
      values = listValue(configuration[each.parameter]);
    } else {
      const listing = await read(each.url, { ...definition, recordsField: each.recordsField, pagination: { type: "none" } });
      if (!listing.ok) {
        if (listing.kind === "rateLimited") return { targets, failures, stop: listing };
        failures.push({ resource: name, result: "FAILED", message: listing.reason, records: 0, highWater: null, changes: [] });
        continue;
      }
      values = listing.records.map((record) => valueAt(record, each.idField)).filter((v): v is string | number => typeof v === "string" || typeof v === "number").map(String);
    }
    for (const value of values) {
      targets.push({ resource: `${name}:${value}`, path: definition.url.replaceAll("${each}", encodeURIComponent(value)), definition, objectType });
    }
  }
  return { targets, failures };
}

/** Reads one target from `since`: its changes not yet reported, and the mark after them. */
async function pollTarget(
  target: Target,
  instanceId: number,
  since: Date,
  cutoff: Date | null,
  read: (path: string, definition: PollerResource, page: number) => Promise<PageRead>,
): Promise<ResourceResult | PageRead> {
  const path = fillGmtDates(target.path, since);
  let records = 0;
  let highWater = since;
  const changes: PolledChange[] = [];
  const skipped: string[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await read(path, target.definition, page);
    if (!answer.ok) {
      if (answer.kind === "rateLimited" || answer.kind === "unauthorized") return answer;
      return { resource: target.resource, result: "FAILED", message: answer.reason, records, highWater: null, changes: [] };
    }
    records += answer.records.length;
    for (const record of answer.records) {
      const change = changeOf(record, target.objectType, target.definition);
      if ("skipped" in change) {
        skipped.push(change.skipped);
        continue;
      }
      const updated = new Date(change.updatedDate);
      // Before the mark: the provider's filter is coarser than ours (a day) or ignored. Compared by the
      // second, since most providers write whole seconds and the mark (a poll's first) may have milliseconds.
      if (updated.getTime() < Math.floor(since.getTime() / 1000) * 1000) continue;
      if (cutoff && updated > cutoff) continue;
      if (updated > highWater) highWater = updated;
      changes.push(change);
    }
    if (!answer.more) break;
  }
  const keys = changes.map((c) => changeKey(c.objectType, c.objectId, c.updatedDate));
  const held = await heldChangeKeys(instanceId, keys);
  const fresh = changes.filter((_, index) => !held.has(keys[index] as string));
  const message = skipped.length ? `${skipped.length} record(s) skipped: ${skipped[0]}.` : null;
  return { resource: target.resource, result: "OK", message, records, highWater, changes: fresh };
}

/** Polls the claimed instance once. Provider problems come back as results; only database errors throw. */
export async function pollInstance(poll: ClaimedPoll, signal: AbortSignal, now = new Date()): Promise<PollOutcome> {
  const instance = await db().instance.findUnique({ where: { id: poll.instanceId } });
  const connector = instance ? getConnector(instance.elementKey) : undefined;
  if (!instance || !connector) return STOPPED;
  const configuration = fullConfiguration(instance);
  if (!instance.eventsEnabled || !polls(configuration)) return STOPPED;
  const intervalSeconds = refreshMinutesOf(configuration) * 60;

  const store = (result: ResourceResult, initial: Date) =>
    storePollResult(poll, { instanceId: instance.id, organizationId: instance.organizationId, elementKey: instance.elementKey }, redact(result, instance), initial);
  const resources = pollerConfigurationOf(configuration, connector.events.polling?.resources);
  if (!resources) {
    const result: ResourceResult = { resource: "*", result: "FAILED", message: `No poller configuration: ${connector.name} has no defaults, so event.poller.configuration must name the resources.`, records: 0, highWater: null, changes: [] };
    await store(result, poll.since);
    return { results: [result], failed: true, intervalSeconds };
  }

  let api = await apiFor(instance, connector, configuration, false);
  let refreshed = false;
  const read = async (path: string, definition: PollerResource, page = 0): Promise<PageRead> => {
    if ("error" in api) return { ok: false, kind: "failed", reason: api.error };
    const answer = await readPage(connector.name, api, path, definition, page, signal);
    // An OAuth token the provider no longer takes: refresh it once per poll and try again.
    if (!answer.ok && answer.kind === "unauthorized" && isOAuthConnector(connector) && !refreshed) {
      refreshed = true;
      api = await apiFor(instance, connector, configuration, true);
      return read(path, definition, page);
    }
    return answer.ok || answer.kind !== "unauthorized" ? answer : { ok: false, kind: "failed", reason: answer.reason };
  };

  const results: ResourceResult[] = [];
  const { targets, failures, stop } = await targetsOf(resources, configuration, read);
  results.push(...failures);
  let retryAfterSeconds = stop && !stop.ok && stop.kind === "rateLimited" ? stop.retryAfterSeconds : undefined;
  const marks = await highWaterMarks(instance.id);
  const cutoff = vendorTypeOf(configuration) === "both" ? new Date(now.getTime() - RECONCILE_GRACE_MS) : null;
  for (const target of retryAfterSeconds === undefined ? targets : []) {
    if (signal.aborted) break;
    const since = marks.get(target.resource) ?? poll.since;
    const outcome = await pollTarget(target, instance.id, since, cutoff, read);
    if ("ok" in outcome) {
      if (outcome.ok || outcome.kind !== "rateLimited") continue;
      retryAfterSeconds = outcome.retryAfterSeconds;
      results.push({ resource: target.resource, result: "RATE_LIMITED", message: outcome.reason, records: 0, highWater: null, changes: [] });
      break;
    }
    results.push(outcome);
  }
  for (const result of results) {
    if (!(await store(result, marks.get(result.resource) ?? poll.since))) return STOPPED;
  }
  // A resource no longer configured (or a list no longer named) leaves the page with its mark.
  if (retryAfterSeconds === undefined && !signal.aborted) await forgetOtherResources(instance.id, results.map((r) => r.resource));
  const summary = results.map((result) => ({ resource: result.resource, result: result.result, message: result.message, records: result.records, highWater: result.highWater }));
  return { results: summary, retryAfterSeconds, failed: results.some((r) => r.result === "FAILED"), intervalSeconds };
}

/** Provider messages are shown and logged: never with a credential of the instance in them. */
function redact(result: ResourceResult, instance: Instance): ResourceResult {
  return result.message ? { ...result, message: withoutInstanceSecrets(result.message, instance) } : result;
}
