// The searchers of reliability/abuse-reads.test.ts, in a process of its own (as reliability/slowloris.ts
// is for abuse-net): 50 clients parsing search answers and 429s kept the test's event loop busy
// (p99 lag 41 ms, max 105 ms), and that wait was counted as ingest latency by the probes sharing it.
// Started with fork() and a JSON config in argv[2]; on the message "stop" its searchers finish the
// search they are in, and it answers its figures and exits.
import { readBody, withDeadline } from "@/lib/net/deadline";

type Config = { base: string; cookie: string; searchers: number; terms: string[]; giveUpMs: number; pauseMs: number };
export type SearchFigures = { outcomes: Record<string, number>; searchTimes: number[] };

const config = JSON.parse(process.argv[2] ?? "{}") as Config;
let stopped = false;
const outcomes: Record<string, number> = {};
const searchTimes: number[] = [];
const count = (what: string) => (outcomes[what] = (outcomes[what] ?? 0) + 1);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Each searcher searches with a worst-case term (the log's JSON search, GET /events/rows), gives up after
 * `giveUpMs` as the report's clients did, and searches again `pauseMs` after each answer.
 */
async function searcher(n: number): Promise<void> {
  for (let round = 0; !stopped; round++) {
    const term = config.terms[(n + round) % config.terms.length]!;
    const started = performance.now();
    try {
      const { response, body } = await withDeadline(config.giveUpMs, async (signal) => {
        const response = await fetch(`${config.base}/events/rows?q=${encodeURIComponent(term)}`, { headers: { cookie: config.cookie }, signal });
        return { response, body: JSON.parse((await readBody(response, signal)).toString()) as { message?: string; notice?: string } };
      });
      searchTimes.push(performance.now() - started);
      if (response.status === 200) count(body.notice ? "results with a notice" : "results");
      else if (response.status === 429 && body.message) count("429: 2 searches per user");
      else if (response.status === 503 && body.message) count(`503: ${body.message.slice(0, 40)}`);
      else count(`HTTP ${response.status}`);
    } catch {
      count(`client gave up after ${config.giveUpMs / 1000} s`);
    }
    await sleep(config.pauseMs);
  }
}

const searching = Promise.all(Array.from({ length: config.searchers }, (_, n) => searcher(n)));
process.on("message", (message) => {
  if (message !== "stop") return;
  stopped = true;
  void searching.then(() => process.send?.({ outcomes, searchTimes } satisfies SearchFigures, () => process.exit(0)));
});
