import { log } from "@/lib/log";

/**
 * Runs `task` every `intervalMs` until stopped, never two at once (a tick while one runs is skipped). A
 * failure is logged as `failure` and the next tick tries again. The timer does not keep the process up;
 * `stop()` waits for a run in progress.
 */
export function startPeriodicTask(failure: string, intervalMs: number, task: () => Promise<unknown>): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    running ??= task()
      .catch((error: unknown) => log("warn", failure, { error: String(error) }))
      .finally(() => (running = null));
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
