import { existsSync, readFileSync } from "node:fs";
import type { FullResult, Reporter } from "@playwright/test/reporter";
import { logTail } from "../tests/helpers/log-tail";
import { e2eServerLog } from "./server-log";

/** Prints the tail of the server's log when the run failed (and nothing of it when it passed). */
export default class ServerLogReporter implements Reporter {
  onEnd(result: FullResult): void {
    if (result.status === "passed") return;
    const file = e2eServerLog(Number(process.env.E2E_PORT ?? 3210));
    if (!existsSync(file)) return;
    console.log(`\n--- the last lines of the Hookline server's log (${file}) ---\n${logTail(readFileSync(file, "utf8"))}`);
  }
}
