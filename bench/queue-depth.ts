// What is still waiting in the pipeline: stored requests not yet processed, and deliveries not yet
// made. Benchmarks wait for both to be empty before they measure, so nothing drains meanwhile.
import pg from "pg";

export async function pipelineBacklog(client: pg.Client): Promise<{ requests: number; deliveries: number }> {
  const { rows } = await client.query<{ requests: number; deliveries: number }>(
    "SELECT (SELECT count(*) FROM ingest_queue)::int AS requests, (SELECT count(*) FROM delivery_jobs WHERE run_at <= now() + interval '1 minute')::int AS deliveries",
  );
  return rows[0] ?? { requests: 0, deliveries: 0 };
}

/**
 * Waits until nothing is waiting (retries scheduled more than a minute out excepted), up to `timeoutMs`.
 * Returns how much was waiting at first and how long it took to empty.
 */
export async function waitForEmptyPipeline(databaseUrl: string, timeoutMs = 300_000): Promise<{ backlog: number; seconds: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const started = performance.now();
    let backlog = -1;
    for (;;) {
      const waiting = await pipelineBacklog(client);
      const total = waiting.requests + waiting.deliveries;
      if (backlog < 0) backlog = total;
      if (total === 0 || performance.now() - started > timeoutMs) return { backlog, seconds: (performance.now() - started) / 1000 };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await client.end();
  }
}

/**
 * Before a measured run: a checkpoint now (the WAL the previous run wrote would otherwise be flushed by
 * one in the middle of the next measurement), then until Hookline's own backends (table upkeep after a
 * drain, say) have been idle for a second, at most `timeoutMs`. Returns how long it waited.
 */
export async function waitForQuietDatabase(databaseUrl: string, timeoutMs = 60_000): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const started = performance.now();
    await client.query("CHECKPOINT");
    let quietSince = performance.now();
    while (performance.now() - started < timeoutMs) {
      const { rows } = await client.query<{ busy: number }>(
        "SELECT count(*)::int AS busy FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
      );
      if (rows[0]!.busy > 0) quietSince = performance.now();
      else if (performance.now() - quietSince >= 1_000) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return (performance.now() - started) / 1000;
  } finally {
    await client.end();
  }
}
