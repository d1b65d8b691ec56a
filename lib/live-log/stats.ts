import type { EventStats } from "@/lib/live-log/schema";
import { Params, read } from "@/lib/live-log/sql";

/** Events per minute over the last 60 minutes (the current one included) and how their delivery went. */
export async function eventStats(organizationId: string, options: { instanceId?: number; now?: Date } = {}): Promise<EventStats> {
  const now = options.now ?? new Date();
  const currentMinute = Math.floor(now.getTime() / 60_000);
  const firstMinute = currentMinute - 59;
  const params = new Params();
  const where = [
    `e.organization_id = ${params.add(organizationId)}::uuid`,
    `e.created_at >= ${params.add(new Date(firstMinute * 60_000))}::timestamptz`,
  ];
  if (options.instanceId !== undefined) where.push(`e.instance_id = ${params.add(options.instanceId)}::int`);
  const { rows } = await read<{ minute: string; total: number; delivered: number; failed: number }>(
    `SELECT floor(extract(epoch FROM e.created_at) / 60)::int8 AS minute, count(*)::int AS total,
            count(*) FILTER (WHERE e.status = 'DELIVERED')::int AS delivered,
            count(*) FILTER (WHERE e.status IN ('RETRYING', 'DEAD', 'DISABLED'))::int AS failed
       FROM events e WHERE ${where.join(" AND ")} GROUP BY 1`,
    params.values,
  );
  return statsOf(firstMinute, new Map(rows.map((row) => [Number(row.minute), row])));
}

/** The chart with nothing in it, when its figures could not be read in time (the page still renders). */
export function emptyStats(now: Date): EventStats {
  return statsOf(Math.floor(now.getTime() / 60_000) - 59, new Map());
}

function statsOf(firstMinute: number, byMinute: Map<number, { total: number; delivered: number; failed: number }>): EventStats {
  const minutes = Array.from({ length: 60 }, (_, index) => {
    const minute = firstMinute + index;
    const row = byMinute.get(minute);
    return { start: new Date(minute * 60_000).toISOString(), total: row?.total ?? 0, delivered: row?.delivered ?? 0, failed: row?.failed ?? 0 };
  });
  const total = minutes.reduce((sum, minute) => sum + minute.total, 0);
  const delivered = minutes.reduce((sum, minute) => sum + minute.delivered, 0);
  const failed = minutes.reduce((sum, minute) => sum + minute.failed, 0);
  return { minutes, total, delivered, failed, successRate: delivered + failed > 0 ? delivered / (delivered + failed) : null };
}
