// The worker process: `npm start` runs processing and delivery in a process of its own beside the edge
// and the console, at HOOKLINE_WORKER_NICE, so a delivery backlog never takes the CPU webhook ingest needs. A
// worker that crashes is started again; a worker whose edge process is killed stops (no orphan keeps
// delivering from a stopped Hookline).
import { afterAll, beforeAll, expect, it } from "vitest";
import { createCampaignMonitorInstance } from "@/bench/setup";
import { launchHookline, type HooklineProcess } from "@/tests/helpers/hookline-process";
import { startReceiver, waitUntil, type Receiver } from "@/tests/helpers/events";
import { sendEvents, sequenceNumbers } from "./load";
import { hooklineProcesses, scriptPattern } from "./processes";

let hookline: HooklineProcess;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  hookline = await launchHookline({ logFile: true, env: { HOOKLINE_WORKER_NICE: "7" } });
});

afterAll(async () => {
  await hookline?.stop();
  await receiver?.close();
});

it("delivers from a worker process of its own at lower CPU priority, restarted when it crashes, gone with its web process", async () => {
  const instance = await createCampaignMonitorInstance(hookline, receiver.url);
  const delivered = () => new Set(receiver.received.flatMap((r) => sequenceNumbers(r.body.toString("utf8"))));
  const deliver = async (from: number, total: number) => {
    const load = await sendEvents({ url: instance.webhookUrl, total, concurrency: 4, from });
    expect(load.acked.size).toBe(total);
    await waitUntil(() => delivered().size >= from + total, 20_000, `${from + total} events delivered`);
  };

  // The launcher's edge runs scripts/start.ts; its worker child runs scripts/worker.ts, niced.
  const processes = (pattern: RegExp) => hooklineProcesses(hookline.dataDir, pattern);
  const workerPattern = scriptPattern("worker");
  const webs = await processes(scriptPattern("start"));
  const workers = await processes(workerPattern);
  expect(webs).toHaveLength(1);
  expect(workers).toHaveLength(1);
  expect(workers[0]!.nice).toBe(7);
  expect(webs.every((web) => web.nice === 0)).toBe(true);
  await deliver(0, 20);

  // A crash of the worker: started again, and delivery goes on.
  process.kill(workers[0]!.pid, "SIGKILL");
  await waitUntil(async () => (await processes(workerPattern)).some((p) => p.pid !== workers[0]!.pid), 15_000, "the worker started again");
  await deliver(20, 20);
  expect(await hookline.readLog()).toMatch(/worker process exited; starting it again/);

  // The web process killed outright: its worker notices the closed channel and stops.
  const [worker] = await processes(workerPattern);
  for (const web of webs) process.kill(web.pid, "SIGKILL");
  expect(worker).toBeDefined();
  await waitUntil(async () => !(await processes(workerPattern)).some((p) => p.pid === worker!.pid), 10_000, "the orphaned worker to stop");
}, 120_000);
