// A running Hookline (production build, delivery worker on) on a fresh database, with one Campaign
// Monitor instance whose events go to a local receiver: what the ingest and latency benchmarks load.
import http from "node:http";
import pg from "pg";
import { launchHookline, type HooklineProcess } from "@/tests/helpers/hookline-process";
import { freePort } from "./lib";

export type Receiver = { url: string; received: (body: Buffer, at: number) => void; close: () => Promise<void> };

/**
 * What-if switches for measuring the schema's share of the cost (never for published figures without
 * saying so): BENCH_EVENT_TRIGGERS=off disables the live log's per-row triggers on `events`,
 * BENCH_BODY_TRGM=off drops the trigram index on `webhook_requests.body`, BENCH_HOT_OUTCOMES=on drops
 * the indexes over the columns an outcome changes (the log's status filters) and leaves room on each page
 * of `events`, so recording an outcome is a HOT update.
 */
async function applyBenchVariant(url: string): Promise<void> {
  const statements: string[] = [];
  if (process.env.BENCH_EVENT_TRIGGERS === "off") {
    statements.push("ALTER TABLE events DISABLE TRIGGER USER");
  }
  if (process.env.BENCH_BODY_TRGM === "off") statements.push("DROP INDEX IF EXISTS webhook_requests_body_trgm_idx");
  if (process.env.BENCH_HOT_OUTCOMES === "on") {
    // What if recording an outcome were a HOT update: no index over the columns it changes, room on the page.
    statements.push(
      "DROP INDEX events_organization_id_status_created_at_id_idx, events_instance_id_status_created_at_id_idx, events_organization_id_last_attempt_at_idx",
      "ALTER TABLE events SET (fillfactor = 60)",
    );
  }
  if (!statements.length) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A callback receiver answering 200 at once; `onBody` sees every delivery. */
export async function startReceiver(onBody: (body: Buffer, at: number) => void = () => undefined) {
  const port = await freePort();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      onBody(Buffer.concat(chunks), performance.now());
      res.writeHead(200).end("ok");
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${port}/hook`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A launched Hookline with `instances` Campaign Monitor instances (1 by default) delivering to `callbackUrl`. */
export async function startBenchHookline(options: { callbackUrl: string; env?: Record<string, string>; instances?: number }) {
  const hookline = await launchHookline({ env: options.env });
  await applyBenchVariant(hookline.databaseUrl);
  const webhookUrls: string[] = [];
  for (let i = 0; i < (options.instances ?? 1); i++) webhookUrls.push((await createCampaignMonitorInstance(hookline, options.callbackUrl)).webhookUrl);
  return { base: hookline.base, databaseUrl: hookline.databaseUrl, webhookUrl: webhookUrls[0]!, webhookUrls, server: hookline, stop: hookline.stop };
}

/** A Campaign Monitor instance with events on, delivering to `callbackUrl`, made through the REST API. */
export async function createCampaignMonitorInstance(hookline: HooklineProcess, callbackUrl: string) {
  const response = await fetch(`${hookline.base}/elements/api-v2/instances`, {
    method: "POST",
    headers: { authorization: hookline.header, "content-type": "application/json" },
    body: JSON.stringify({
      element: { key: "campaignmonitor" },
      name: "Bench",
      configuration: {
        "oauth.callback.url": `${hookline.base}/oauth/callback`,
        "oauth.api.key": "bench",
        "oauth.api.secret": "bench-secret",
        "event.notification.enabled": true,
        "event.notification.callback.url": callbackUrl,
        "event.notification.signature.key": "bench-signature-key",
        "events.list.ids": "bench-list",
      },
    }),
  });
  const instance = (await response.json()) as { id: number; webhookUrl: string };
  if (!response.ok) throw new Error(`could not create the instance: ${JSON.stringify(instance)}`);
  return instance;
}

/** A Campaign Monitor webhook body (one Subscribe event), optionally tagged so deliveries can be matched. */
export function campaignMonitorBody(tag = "bench"): string {
  return JSON.stringify({
    Events: [{ Type: "Subscribe", Date: "2026-11-25 10:00:00", EmailAddress: `${tag}@example.org`, Name: "Bench", CustomFields: [] }],
    ListID: "bench-list",
  });
}
