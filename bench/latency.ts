// End-to-end latency at a steady rate (default 200 events/s): provider POST → delivered to a local
// receiver, and provider POST → row on the live event log's SSE stream (signed in as a browser is).
// Each webhook carries its sequence number, so every delivery and row is matched to its send time.
// Targets: delivered p99 ≤ 250 ms, visible on the stream p99 ≤ 500 ms.
import { signInCookie } from "@/tests/helpers/hookline-process";
import { report, summarize } from "./lib";
import { campaignMonitorBody, startBenchHookline, startReceiver } from "./setup";

const rate = Number(process.env.BENCH_RATE ?? 200);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const total = rate * seconds;

const sentAt: number[] = [];
const seqOf = (text: string) => {
  const match = /seq-(\d+)@/.exec(text);
  return match ? Number(match[1]) : NaN;
};

const deliveredMs = new Map<number, number>();
const receiver = await startReceiver((body, at) => {
  const seq = seqOf(body.toString("utf8"));
  const started = sentAt[seq];
  if (started !== undefined && !deliveredMs.has(seq)) deliveredMs.set(seq, at - started);
});
// BENCH_INSTANCES (1 by default): webhooks round-robin over that many instances, i.e. delivery lanes.
// One instance is one lane, held to HOOKLINE_LANE_CONCURRENCY deliveries in flight.
const instances = Number(process.env.BENCH_INSTANCES ?? 1);
const hookline = await startBenchHookline({ callbackUrl: receiver.url, instances });

/** Reads the live log stream and records when each sequence number's row first shows up. */
async function followStream(cookie: string, signal: AbortSignal) {
  const visibleMs = new Map<number, number>();
  const response = await fetch(`${hookline.base}/events/stream`, { headers: { cookie, accept: "text/event-stream" }, signal });
  if (!response.ok || !response.body) throw new Error(`event stream answered ${response.status}`);
  const decoder = new TextDecoder();
  let buffer = "";
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  void (async () => {
    try {
      const reader = response.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const at = performance.now();
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (/^event: ready$/m.test(message)) ready();
          const data = /^data: (.*)$/m.exec(message)?.[1];
          if (!/^event: rows$/m.test(message) || !data) continue;
          for (const row of (JSON.parse(data) as { rows: { objectId: string | null }[] }).rows) {
            const seq = seqOf(row.objectId ?? "");
            const started = sentAt[seq];
            if (started !== undefined && !visibleMs.has(seq)) visibleMs.set(seq, at - started);
          }
        }
      }
    } catch {
      // aborted at the end of the run
    }
  })();
  await Promise.race([isReady, new Promise((r) => setTimeout(r, 5000))]);
  return visibleMs;
}

const ackMs: number[] = [];
let failures = 0;
const streamAbort = new AbortController();
let visibleMs = new Map<number, number>();
try {
  const cookie = await signInCookie(hookline.base, hookline.server.adminEmail, hookline.server.adminPassword);
  visibleMs = await followStream(cookie, streamAbort.signal);
  // Warm-up, unmeasured.
  for (let i = 0; i < 50; i++) await fetch(hookline.webhookUrl, { method: "POST", headers: { "content-type": "application/json" }, body: campaignMonitorBody("warm") });

  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let seq = 0; seq < total; seq++) {
    const due = started + (seq * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    sentAt[seq] = t0;
    inflight.push(
      fetch(hookline.webhookUrls[seq % instances]!, { method: "POST", headers: { "content-type": "application/json" }, body: campaignMonitorBody(`seq-${seq}`) })
        .then(async (res) => {
          await res.arrayBuffer();
          if (res.ok) ackMs.push(performance.now() - t0);
          else failures++;
        })
        .catch(() => void failures++),
    );
  }
  await Promise.all(inflight);
  const deadline = performance.now() + 30_000;
  while ((deliveredMs.size < total || visibleMs.size < total) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
} finally {
  streamAbort.abort();
  await hookline.stop();
  await receiver.close();
}

const row = (path: string, samples: number[]) => {
  const s = summarize(samples);
  return { path, n: s.n, "p50 ms": s.p50.toFixed(1), "p99 ms": s.p99.toFixed(1), "max ms": s.max.toFixed(1) };
};
report(
  "latency",
  [row("POST → 2xx (ack)", ackMs), row("POST → delivered", [...deliveredMs.values()]), row("POST → row on SSE stream", [...visibleMs.values()])],
  {
    rate,
    seconds,
    sent: total,
    failures,
    undelivered: total - deliveredMs.size,
    notVisible: total - visibleMs.size,
    targetDeliveredP99Ms: 250,
    targetVisibleP99Ms: 500,
  },
);
