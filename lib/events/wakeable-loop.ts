import { log } from "@/lib/log";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type WakeableLoop = { wake(): void; stop(): Promise<void> };

/**
 * A loop that runs `step` again at once while it reports more work, else waits until `wake()` or
 * `pollMs`. A wake-up during a step makes the loop run again right after it, so none is lost. A step
 * that throws is logged and retried after a pause. `coalesceMs`: after a wake-up from idle, wait this
 * long first, so one step serves what arrives meanwhile (adds at most that much latency).
 */
export function wakeableLoop(name: string, pollMs: number, step: () => Promise<boolean>, coalesceMs = 0): WakeableLoop {
  let running = true;
  let woken = false;
  let wake: (() => void) | undefined;
  const done = (async () => {
    while (running) {
      woken = false;
      let more = false;
      try {
        more = await step();
      } catch (error) {
        log("error", `${name} failed; trying again`, { error: String(error) });
        await sleep(Math.min(pollMs, 1000));
      }
      if (!running) break;
      if (more || woken) continue;
      const byWake = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => finish(false), pollMs);
        function finish(wakeUp: boolean) {
          clearTimeout(timer);
          wake = undefined;
          resolve(wakeUp);
        }
        wake = () => finish(true);
      });
      if (byWake && coalesceMs > 0 && running) await sleep(coalesceMs);
    }
  })();
  return {
    wake() {
      woken = true;
      wake?.();
    },
    async stop() {
      running = false;
      wake?.();
      await done;
    },
  };
}
