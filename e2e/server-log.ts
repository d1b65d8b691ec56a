import os from "node:os";
import path from "node:path";

/**
 * Where the e2e run's Hookline server writes its output (playwright.config.ts redirects it there), so a
 * passing run prints only the test list; e2e/server-log-reporter.ts prints the tail when a test failed.
 */
export function e2eServerLog(port: number): string {
  return path.join(os.tmpdir(), `hookline-e2e-server-${port}.log`);
}
