// Receiver outage: the callback URL refuses connections, then answers 503, for several retry periods
// of a shortened schedule. The lane's circuit breaker opens after HOOKLINE_BREAKER_THRESHOLD failures
// and probes one event every HOOKLINE_BREAKER_PROBE_SECONDS instead of burning every event's schedule;
// when the receiver comes back every event is delivered, none dead-lettered.
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createCampaignMonitorInstance } from "@/bench/setup";
import { launchHookline, type HooklineProcess } from "@/tests/helpers/hookline-process";
import { startReceiver, waitUntil, type Received, type Receiver } from "@/tests/helpers/events";
import { queryDatabase } from "./database";
import { sendEvents, sequenceNumbers } from "./load";

// Eight tries over 27 s; the outage lasts 12 s, i.e. the first four retry periods.
const SCHEDULE = [1, 2, 4, 4, 4, 4, 4, 4];
const OUTAGE_MS = 12_000;
const TOTAL = 200;
const THRESHOLD = 10;
const PROBE_SECONDS = 2;

let hookline: HooklineProcess;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  hookline = await launchHookline({ logFile: true, env: {
      HOOKLINE_DELIVERY_SCHEDULE: SCHEDULE.join(","),
      HOOKLINE_BREAKER_THRESHOLD: String(THRESHOLD),
      HOOKLINE_BREAKER_PROBE_SECONDS: String(PROBE_SECONDS),
    },
  });
});

afterAll(async () => {
  await hookline?.stop();
  await receiver?.close();
});

const query = <T extends pg.QueryResultRow>(sql: string, values: unknown[] = []) => queryDatabase<T>(hookline.databaseUrl, sql, values);

it("delivers every event after the receiver comes back, and dead-letters none early", async () => {
  const instance = await createCampaignMonitorInstance(hookline, receiver.url);
  // Down: connections refused for the first half of the outage, 503 for the second.
  await receiver.stop();
  const outageStarted = Date.now();
  const load = await sendEvents({ url: instance.webhookUrl, total: TOTAL, concurrency: 8 });
  expect(load.acked.size).toBe(TOTAL);
  await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS / 2 - (Date.now() - outageStarted))));
  receiver.behave(() => ({ status: 503, body: "maintenance" }));
  await receiver.start();
  await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - outageStarted))));
  const refusedDuringOutage = receiver.received.length;
  const accepted: Received[] = [];
  receiver.behave((_, request) => {
    accepted.push(request);
    return { status: 200 };
  });
  const back = Date.now();

  const delivered = () => new Set(accepted.flatMap((r) => sequenceNumbers(r.body.toString("utf8"))));
  await waitUntil(() => delivered().size >= TOTAL, 60_000, `${TOTAL} events delivered`).catch(() => undefined);
  const allDeliveredMs = Date.now() - back;

  const statuses = await query<{ status: string; n: number }>(
    "SELECT status::text, count(*)::int AS n FROM events WHERE instance_id = $1 GROUP BY status ORDER BY status",
    [instance.id],
  );
  const attempts = await query<{ failed: number; ok: number; max_per_event: number }>(
    `SELECT count(*) FILTER (WHERE a.status_code IS NULL OR a.status_code >= 300)::int AS failed,
            count(*) FILTER (WHERE a.status_code BETWEEN 200 AND 299)::int AS ok,
            max(a.attempt)::int AS max_per_event
       FROM delivery_attempts a JOIN events e ON e.id = a.event_id WHERE e.instance_id = $1`,
    [instance.id],
  );
  const figures = {
    events: TOTAL,
    "outage s": OUTAGE_MS / 1000,
    schedule: SCHEDULE.join(","),
    "503 answers during outage": refusedDuringOutage,
    "failed attempts": attempts[0]?.failed,
    "successful attempts": attempts[0]?.ok,
    "most tries for one event": attempts[0]?.max_per_event,
    delivered: delivered().size,
    "all delivered s after return": (allDeliveredMs / 1000).toFixed(1),
    statuses: Object.fromEntries(statuses.map((s) => [s.status, s.n])),
  };
  console.log("receiver outage", JSON.stringify(figures, null, 2));

  expect(delivered().size).toBe(TOTAL);
  expect(statuses).toEqual([{ status: "DELIVERED", n: TOTAL }]);
  // The outage was real and spanned several retry periods: failed tries refused and answered 503.
  expect(refusedDuringOutage).toBeGreaterThan(0);
  // The breaker: the lane paused after THRESHOLD failures (plus what was still in flight or answered
  // but not yet recorded when it did: at most twice the lane cap of 4), then one probe per
  // PROBE_SECONDS, instead of every event retried on the schedule (> 3 per event, 800+ in all).
  const probes = Math.ceil(OUTAGE_MS / 1000 / PROBE_SECONDS) + 1;
  expect(attempts[0]!.failed).toBeGreaterThanOrEqual(THRESHOLD);
  expect(attempts[0]!.failed).toBeLessThanOrEqual(THRESHOLD + 2 * 4 + probes);
  // After the first successful probe, everything that waited goes at once.
  expect(allDeliveredMs).toBeLessThan((PROBE_SECONDS + 8) * 1000);
  // Each event succeeded exactly once (the worker records one successful attempt, then stops).
  expect(attempts[0]!.ok).toBe(TOTAL);
});
