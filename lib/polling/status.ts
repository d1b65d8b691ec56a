import { db } from "@/lib/db/client";
import { polls, refreshMinutesOf, vendorTypeOf, type VendorType } from "@/lib/polling/config";
import { pollSchedule } from "@/lib/polling/poll-jobs";

/**
 * An instance's polling as its page and `GET /instances/{id}` show it: the mode, the interval, when the
 * next poll runs, each resource's last poll (time, result, what it read) and how many events polling
 * recovered in the last 24 h, which is a direct count of webhooks that were lost.
 */
export type PollingStatus = {
  vendorType: VendorType;
  refreshIntervalMinutes: number;
  /** Null while events are off or the instance does not poll. */
  nextPollAt: string | null;
  running: boolean;
  consecutiveFailures: number;
  resources: {
    resource: string;
    lastPolledAt: string | null;
    result: string | null;
    message: string | null;
    records: number;
    changes: number;
    highWaterMark: string;
  }[];
  recoveredLast24h: number;
};

export async function pollingStatus(instance: { id: number; configuration: unknown }): Promise<PollingStatus | null> {
  const configuration = (instance.configuration ?? {}) as Record<string, unknown>;
  if (!polls(configuration)) return null;
  const [schedule, resources, recovered] = await Promise.all([
    pollSchedule(instance.id),
    db().pollResource.findMany({ where: { instanceId: instance.id }, orderBy: { resource: "asc" } }),
    db().event.count({ where: { instanceId: instance.id, source: "RECOVERED", createdAt: { gte: new Date(Date.now() - 24 * 3600_000) } } }),
  ]);
  return {
    vendorType: vendorTypeOf(configuration),
    refreshIntervalMinutes: refreshMinutesOf(configuration),
    nextPollAt: schedule?.runAt.toISOString() ?? null,
    running: schedule?.running ?? false,
    consecutiveFailures: schedule?.failures ?? 0,
    resources: resources.map((r) => ({
      resource: r.resource,
      lastPolledAt: r.polledAt?.toISOString() ?? null,
      result: r.result,
      message: r.message,
      records: r.records,
      changes: r.changes,
      highWaterMark: r.highWater.toISOString(),
    })),
    recoveredLast24h: recovered,
  };
}
