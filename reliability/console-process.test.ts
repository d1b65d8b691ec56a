// The console process: `npm start` serves Next.js (pages, API, live log) from a process of its own, at
// HOOKLINE_CONSOLE_NICE, behind the edge that accepts webhooks. A console that is frozen (a long render,
// a garbage collection, a debugger) or crashed does not hold up a provider's webhook: they used to share
// one event loop, and a DB-free GET of the webhook URL took up to 2 s while searches ran (README,
// Reliability). A crashed console is started again; meanwhile its pages answer 503 with a message.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createCampaignMonitorInstance } from "@/bench/setup";
import { readBody, withDeadline } from "@/lib/net/deadline";
import { launchHookline, type HooklineProcess } from "@/tests/helpers/hookline-process";
import { startReceiver, waitUntil, type Receiver } from "@/tests/helpers/events";
import { sequenceBody, sequenceNumbers } from "./load";
import { hooklineProcesses, scriptPattern } from "./processes";

let hookline: HooklineProcess;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  hookline = await launchHookline({ logFile: true, env: { HOOKLINE_CONSOLE_NICE: "6" } });
});

afterAll(async () => {
  await hookline?.stop();
  await receiver?.close();
});

/** Sends `total` distinct webhooks one after another; the time each took to be acknowledged, in ms. */
async function timedWebhooks(url: string, from: number, total: number): Promise<number[]> {
  const times: number[] = [];
  for (let seq = from; seq < from + total; seq++) {
    const started = performance.now();
    const status = await withDeadline(10_000, async (signal) => {
      const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: sequenceBody(seq), signal });
      await readBody(response, signal);
      return response.status;
    });
    expect(status).toBe(200);
    times.push(performance.now() - started);
  }
  return times;
}

const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.99) - 1]!;

it("accepts webhooks while the console is frozen or restarting, and restarts a crashed console", async () => {
  const instance = await createCampaignMonitorInstance(hookline, receiver.url);
  const processes = (script: "start" | "console") => hooklineProcesses(hookline.dataDir, scriptPattern(script));
  const [edge] = await processes("start");
  const consoles = await processes("console");
  expect(consoles).toHaveLength(1);
  expect(consoles[0]!.nice).toBe(6);
  expect(edge!.nice).toBe(0);
  // The answer, once the whole page has arrived (within 20 s).
  const loginPage = () =>
    withDeadline(20_000, async (signal) => {
      const response = await fetch(`${hookline.base}/login`, { signal });
      return { status: response.status, retryAfter: response.headers.get("retry-after"), body: await readBody(response, signal) };
    });

  // Frozen: the console's event loop does not run at all; webhooks are acknowledged as before, and a
  // page asked for meanwhile is answered once the console runs again (the edge held it, nothing lost).
  process.kill(consoles[0]!.pid, "SIGSTOP");
  let frozenTimes: number[];
  let heldPage: ReturnType<typeof loginPage>;
  try {
    heldPage = loginPage();
    frozenTimes = await timedWebhooks(instance.webhookUrl, 0, 200);
  } finally {
    process.kill(consoles[0]!.pid, "SIGCONT");
  }
  expect((await heldPage).status).toBe(200);

  // Crashed: its pages answer 503 with a message until it is back; webhooks go on meanwhile.
  process.kill(consoles[0]!.pid, "SIGKILL");
  let unavailable: { status: number; body: { message?: string }; retryAfter: string | null } | null = null;
  const restartTimes: number[] = [];
  let seq = 200;
  await waitUntil(
    async () => {
      restartTimes.push(...(await timedWebhooks(instance.webhookUrl, seq, 5)));
      seq += 5;
      const page = await loginPage();
      if (page.status === 503) unavailable = { status: 503, body: JSON.parse(page.body.toString("utf8")) as { message?: string }, retryAfter: page.retryAfter };
      return page.status === 200 && unavailable !== null;
    },
    60_000,
    "the console back after a 503 while it restarted",
  );
  expect(unavailable).toMatchObject({ status: 503, body: { message: expect.stringMatching(/console is starting/) }, retryAfter: "2" });
  expect(await hookline.readLog()).toMatch(/console process exited; starting it again/);
  const restarted = await processes("console");
  expect(restarted).toHaveLength(1);
  expect(restarted[0]!.pid).not.toBe(consoles[0]!.pid);

  // Every webhook acknowledged in both phases is delivered.
  const delivered = () => new Set(receiver.received.flatMap((r) => sequenceNumbers(r.body.toString("utf8"))));
  await waitUntil(() => delivered().size >= seq, 30_000, `${seq} events delivered`);
  console.log(
    "console frozen / restarting",
    JSON.stringify({ "webhooks while frozen": frozenTimes.length, "p99 ms": Math.round(p99(frozenTimes)), "webhooks while restarting": restartTimes.length, "restarting p99 ms": Math.round(p99(restartTimes)) }),
  );
  // Generous for a loaded CI box; one shared event loop could not answer at all while frozen.
  expect(p99(frozenTimes)).toBeLessThan(1_000);

  // The edge killed outright: the console notices the closed channel and stops.
  process.kill(edge!.pid, "SIGKILL");
  await waitUntil(async () => (await processes("console")).length === 0, 10_000, "the orphaned console to stop");
}, 120_000);
