import { existsSync } from "node:fs";
import { chromium, defineConfig, devices } from "@playwright/test";
import { connectwiseMockApiUrl } from "./e2e/connectwise-server";
import { oauthMockUrl } from "./e2e/oauth-server";
import { e2eServerLog } from "./e2e/server-log";

/**
 * Playwright's own Chromium when it is installed, else Debian's /usr/bin/chromium. Without either,
 * fail with the one line that says how to get one.
 */
function chromiumExecutable(): string | undefined {
  try {
    if (existsSync(chromium.executablePath())) return undefined;
  } catch {
    // no bundled browser registered: fall through to the system one
  }
  if (existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  throw new Error("No Chromium found: run `npx playwright install chromium` (or `apt-get install chromium`).");
}

const port = Number(process.env.E2E_PORT ?? 3210);
const baseURL = `http://localhost:${port}`;

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["./e2e/server-log-reporter.ts"], ...(process.env.CI ? [] : [["html", { open: "never" }] as const])],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: chromiumExecutable(),
          args: [
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
          ],
        },
      },
    },
  ],
  webServer: {
    // The same launcher as `npm start`, on the run's fresh database (scripts/with-test-db.ts).
    // Its output goes to a file; the reporter prints the tail only when a test failed.
    command: `npx tsx scripts/start.ts > ${e2eServerLog(port)} 2>&1`,
    url: `${baseURL}/login`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      PORT: String(port),
      HOOKLINE_PUBLIC_URL: baseURL,
      HOOKLINE_LOG_LEVEL: "warn",
      // The OAuth specs serve a real OAuth 2 server there (e2e/oauth-server.ts); every OAuth connector points at it.
      ...Object.fromEntries(
        ["CAMPAIGNMONITOR", "HOOTSUITE", "MAILCHIMPV3"].flatMap((key) => [
          [`HOOKLINE_${key}_AUTHORIZE_URL`, `${oauthMockUrl()}/authorize`],
          [`HOOKLINE_${key}_TOKEN_URL`, `${oauthMockUrl()}/token`],
        ]),
      ),
      HOOKLINE_MAILCHIMPV3_METADATA_URL: `${oauthMockUrl()}/userinfo`,
      // Webhook registration (instances with events on) goes there too, never to the real providers' APIs.
      ...Object.fromEntries(
        ["CAMPAIGNMONITOR", "MAILCHIMPV3"].map((key) => [`HOOKLINE_${key}_API_URL`, `${oauthMockUrl()}/no-provider-api`]),
      ),
      // ConnectWise's credentials check and registration go to the specs' fake (e2e/connectwise-server.ts).
      HOOKLINE_CONNECTWISECRMREST_API_URL: connectwiseMockApiUrl(),
    },
  },
});
