// Ctrl-C in the terminal that runs `npm start`: SIGINT reaches the launcher, the edge, the console and
// the worker process at once (one process group), while deliveries are in flight. Everything stops in order
// (the launcher logs "stopped" right before it exits 0), and the log holds no error line (it once logged
// "delivery worker error" on every Ctrl-C).
import { afterAll, beforeAll, expect, it } from "vitest";
import { createCampaignMonitorInstance } from "@/bench/setup";
import { launchHookline, type HooklineProcess } from "@/tests/helpers/hookline-process";
import { startReceiver, waitUntil, type Receiver } from "@/tests/helpers/events";
import { sendEvents } from "./load";
import { hooklineProcesses } from "./processes";

let hookline: HooklineProcess;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  hookline = await launchHookline({ logFile: true, env: { HOOKLINE_LOG_LEVEL: "info" } });
});

afterAll(async () => {
  await hookline?.stop();
  await receiver?.close();
});

const ownProcesses = async () => (await hooklineProcesses(hookline.dataDir)).map((p) => p.pid);

it("stops edge, console and worker on Ctrl-C mid-delivery, in order, with no error in the log", async () => {
  const instance = await createCampaignMonitorInstance(hookline, receiver.url);
  // Held deliveries: the receiver answers none of them, so the worker has requests in flight when Ctrl-C comes.
  receiver.behave(() => ({ hold: true }));
  await sendEvents({ url: instance.webhookUrl, total: 40, concurrency: 4 });
  await waitUntil(() => receiver.received.length > 0, 15_000, "a delivery in flight");
  expect((await ownProcesses()).length).toBeGreaterThanOrEqual(2);

  await hookline.interrupt();
  receiver.releaseHeld();

  await waitUntil(async () => (await ownProcesses()).length === 0, 20_000, "every process gone");
  const log = await hookline.readLog();
  const errors = log.split("\n").filter((line) => line.includes('"level":"error"'));
  expect(errors).toEqual([]);
  expect(log).toContain('"message":"worker stopping"');
  expect(log).toContain('"message":"console stopping"');
  expect(log).toContain('"message":"stopped"');
});
