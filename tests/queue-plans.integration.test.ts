import { afterAll, describe, expect, it } from "vitest";
import { closeEventsPool, eventsPool } from "@/lib/db/pg-pool";
import { TAKE } from "@/lib/ingest/process-requests";
import { PUMP } from "@/lib/live-log/change-queue";

// The pipeline's queue tables are drained in batches: each batch must cost the same however long the
// queue is. A batch picked by `IN (subquery)` is planned as a sequential scan of the whole queue joined
// to the batch, even when the statistics know how long the queue is. The fill is analyzed before the
// plan is read: left to what autovacuum last saw (the embedded server runs it), the statistics may say
// a dozen rows, and then even the array form sorts the whole queue to pick its batch (README, Performance).

afterAll(async () => {
  await closeEventsPool();
});

/** How `statement` reads `relation` (plan node types), run with EXPLAIN ANALYZE after `fill` (analyzed) in a transaction rolled back. */
async function scansOf(fill: string, statement: string, values: unknown[], relation: string): Promise<string[]> {
  const client = await eventsPool().connect();
  try {
    await client.query("BEGIN");
    await client.query(fill);
    // In the transaction, ANALYZE counts the fill's rows as live. Names from this file only.
    await client.query(`ANALYZE ${relation}`);
    const { rows } = await client.query<{ "QUERY PLAN": { Plan: PlanNode }[] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement}`, values);
    const scans: string[] = [];
    const walk = (node: PlanNode) => {
      if (node["Relation Name"] === relation) scans.push(node["Node Type"]);
      for (const child of node.Plans ?? []) walk(child);
    };
    walk(rows[0]!["QUERY PLAN"][0]!.Plan);
    return scans;
  } finally {
    await client.query("ROLLBACK");
    client.release();
  }
}

type PlanNode = { "Node Type": string; "Relation Name"?: string; Plans?: PlanNode[] };

describe("queues are taken by key, however many entries wait", () => {
  it("processing takes a batch of stored requests without a sequential scan of 20 000 waiting", async () => {
    const scans = await scansOf("INSERT INTO ingest_queue (request_id) SELECT gen_random_uuid() FROM generate_series(1, 20000)", TAKE, [200, null], "ingest_queue");
    expect(scans.length).toBeGreaterThan(0);
    expect(scans).not.toContain("Seq Scan");
  });

  it("the live log's pump takes a batch of queued changes without a sequential scan of 20 000 waiting", async () => {
    const scans = await scansOf(
      "INSERT INTO live_log_changes (event_id, organization_id) SELECT gen_random_uuid(), gen_random_uuid() FROM generate_series(1, 20000)",
      PUMP,
      [200],
      "live_log_changes",
    );
    expect(scans.length).toBeGreaterThan(0);
    expect(scans).not.toContain("Seq Scan");
  });
});
