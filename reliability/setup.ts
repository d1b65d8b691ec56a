import { beforeEach } from "vitest";
import { runningHooklines } from "@/tests/helpers/hookline-process";
import { logTail } from "@/tests/helpers/log-tail";

/** The last lines of each running Hookline's log, printed only when a test fails (its servers log to files). */
beforeEach((context) => {
  context.onTestFailed(async () => {
    for (const hookline of runningHooklines()) {
      const lines = logTail(await hookline.readLog());
      if (lines.trim()) console.log(`\n--- the last lines of ${hookline.logFile} ---\n${lines}`);
    }
  });
});
