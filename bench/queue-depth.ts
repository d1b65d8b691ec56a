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
