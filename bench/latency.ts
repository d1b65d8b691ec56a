// End-to-end latency at a steady rate (default 200 events/s): provider POST → delivered to a local
// receiver. Each webhook carries its sequence number, so every delivery is matched to its send time.
// Target: p99 ≤ 250 ms.
import { report, summarize } from "./lib";
import { campaignMonitorBody, startBenchHookline, startReceiver } from "./setup";

const rate = Number(process.env.BENCH_RATE ?? 200);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const total = rate * seconds;

const sentAt = new Map<number, number>();
const deliveredMs: number[] = [];
const receiver = await startReceiver((body, at) => {
  const match = /seq-(\d+)@/.exec(body.toString("utf8"));
  const seq = match ? Number(match[1]) : NaN;
  const started = sentAt.get(seq);
  if (started !== undefined) {
    deliveredMs.push(at - started);
    sentAt.delete(seq);
  }
});
const hookline = await startBenchHookline({ callbackUrl: receiver.url });
const ackMs: number[] = [];
let failures = 0;
try {
  // Warm-up, unmeasured.
  for (let i = 0; i < 50; i++) await fetch(hookline.webhookUrl, { method: "POST", headers: { "content-type": "application/json" }, body: campaignMonitorBody("warm") });

  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let seq = 0; seq < total; seq++) {
    const due = started + (seq * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    sentAt.set(seq, t0);
    inflight.push(
      fetch(hookline.webhookUrl, { method: "POST", headers: { "content-type": "application/json" }, body: campaignMonitorBody(`seq-${seq}`) })
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
  while (sentAt.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
} finally {
  await hookline.stop();
  await receiver.close();
}

const ack = summarize(ackMs);
const delivered = summarize(deliveredMs);
report(
  "latency",
  [
    { path: "POST → 2xx (ack)", n: ack.n, "p50 ms": ack.p50.toFixed(1), "p99 ms": ack.p99.toFixed(1), "max ms": ack.max.toFixed(1) },
    { path: "POST → delivered", n: delivered.n, "p50 ms": delivered.p50.toFixed(1), "p99 ms": delivered.p99.toFixed(1), "max ms": delivered.max.toFixed(1) },
  ],
  { rate, seconds, sent: total, failures, undelivered: sentAt.size, targetDeliveredP99Ms: 250 },
);
