// The provider of reliability/abuse-reads.test.ts, in a process of its own: one webhook every
// `everyMs`, each timed, and a GET of the webhook URL (answered without the database) every
// `getEveryMs`. In the test's own process these timings also counted its event loop's lag (p99 37 ms
// in a CI run), which a provider on a machine of its own does not add.
// Started with fork() and a JSON config in argv[2]; on the message "stop" it waits for the webhooks in
// flight, answers its figures and exits.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { readBody, withDeadline } from "@/lib/net/deadline";
import { sequenceBody } from "./load";

type Config = { url: string; everyMs: number; getEveryMs: number; firstSeq: number };
export type ProbeFigures = {
  ingestTimes: number[];
  /** HTTP status of each webhook that was not acknowledged (0: no answer). */
  ingestFailures: number[];
  getTimes: number[];
  /** This process's own event loop lag beyond its 10 ms timer, p50 and p99 (ms). */
  lagMs: [number, number];
};

const config = JSON.parse(process.argv[2] ?? "{}") as Config;
const figures: ProbeFigures = { ingestTimes: [], ingestFailures: [], getTimes: [], lagMs: [0, 0] };
const pending = new Set<Promise<void>>();
/** A webhook not answered by then counts as a failure (0), so "stop" never waits on it for ever. */
const GIVE_UP_MS = 30_000;
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
let seq = config.firstSeq;

function postOne(): void {
  const started = performance.now();
  const body = sequenceBody(seq++);
  const done = withDeadline(GIVE_UP_MS, async (signal) => {
    const response = await fetch(config.url, { method: "POST", headers: { "content-type": "application/json" }, body, signal });
    await readBody(response, signal);
    return response;
  })
    .then((response) => {
      if (response.ok) figures.ingestTimes.push(performance.now() - started);
      else figures.ingestFailures.push(response.status);
    })
    .catch(() => void figures.ingestFailures.push(0))
    .finally(() => pending.delete(done));
  pending.add(done);
}

let getting = false;
async function getOne(): Promise<void> {
  if (getting) return;
  getting = true;
  const started = performance.now();
  await withDeadline(GIVE_UP_MS, async (signal) => readBody(await fetch(config.url, { signal }), signal)).catch(() => undefined);
  figures.getTimes.push(performance.now() - started);
  getting = false;
}

const posting = setInterval(postOne, config.everyMs);
const probing = setInterval(() => void getOne(), config.getEveryMs);

process.on("message", (message) => {
  if (message !== "stop") return;
  clearInterval(posting);
  clearInterval(probing);
  lag.disable();
  figures.lagMs = [lag.percentile(50) / 1e6 - 10, lag.percentile(99) / 1e6 - 10];
  void Promise.all(pending).then(() => process.send?.(figures, () => process.exit(0)));
});
