// `npm run screenshots`: a tour of the console. Starts Hookline (production build) on a fresh database
// (DATABASE_URL's server, else an embedded PostgreSQL), fills it with sample data through the REST API
// and provider-like webhooks, then saves every page in light, dark and at 390 px (a phone) to
// docs/screenshots/ (or the folder given as the first argument). Not part of `npm test`.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser, type Page } from "@playwright/test";
import { campaignMonitorBody, createCampaignMonitorInstance, startReceiver } from "@/bench/setup";
import { freePort } from "@/lib/net/free-port";
import { launchHookline, type HooklineProcess } from "@/tests/helpers/hookline-process";

const outDir = path.resolve(process.argv[2] ?? "docs/screenshots");
const CHROMIUM = "/usr/bin/chromium";

/** `fullPage: false` for a long page: its first screen shows what it is. */
type Shot = { name: string; path: string; signedIn: boolean; fullPage?: boolean };

async function post(url: string, body: string): Promise<number> {
  return (await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body })).status;
}

/** Two instances delivering (one to a receiver that refuses: retries, then a paused lane), a duplicate and a refused webhook. */
async function sampleData(hookline: HooklineProcess, receiverUrl: string): Promise<Shot[]> {
  const newsletter = await createCampaignMonitorInstance(hookline, receiverUrl);
  const failing = await createCampaignMonitorInstance(hookline, `http://127.0.0.1:${await freePort()}/hook`);
  const rename = (id: number, name: string) =>
    fetch(`${hookline.base}/elements/api-v2/instances/${id}`, {
      method: "PATCH",
      headers: { authorization: hookline.header, "content-type": "application/json" },
      body: JSON.stringify({ name }),
    });
  await rename(newsletter.id, "Newsletter subscribers");
  await rename(failing.id, "Partner list (receiver down)");
  for (let i = 0; i < 30; i++) await post(newsletter.webhookUrl, campaignMonitorBody(`reader-${i}`));
  for (let i = 0; i < 12; i++) await post(failing.webhookUrl, campaignMonitorBody(`partner-${i}`));
  await post(newsletter.webhookUrl, campaignMonitorBody("reader-0")); // a provider's retry: DUPLICATE
  await post(newsletter.webhookUrl, "<xml>not a Campaign Monitor webhook</xml>"); // Not recognized
  await new Promise((resolve) => setTimeout(resolve, 3_000)); // deliveries, retries, the breaker
  return [
    { name: "overview", path: "/", signedIn: true },
    { name: "connectors", path: "/connectors", signedIn: true },
    { name: "new-instance", path: "/connectors/campaignmonitor/new", signedIn: true },
    { name: "instances", path: "/instances", signedIn: true },
    { name: "instance", path: `/instances/${newsletter.id}`, signedIn: true },
    { name: "instance-paused", path: `/instances/${failing.id}`, signedIn: true },
    { name: "events", path: "/events", signedIn: true },
    { name: "settings", path: "/settings", signedIn: true },
    { name: "docs", path: "/docs", signedIn: true, fullPage: false },
    { name: "login", path: "/login", signedIn: false },
  ];
}

async function signIn(page: Page, hookline: HooklineProcess): Promise<void> {
  await page.goto(`${hookline.base}/login`);
  await page.getByLabel("E-mail").fill(hookline.adminEmail);
  await page.getByLabel("Password").fill(hookline.adminPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

async function shoot(browser: Browser, hookline: HooklineProcess, shots: Shot[], variant: "light" | "dark" | "phone"): Promise<string[]> {
  const context = await browser.newContext({
    viewport: variant === "phone" ? { width: 390, height: 844 } : { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    colorScheme: variant === "dark" ? "dark" : "light",
  });
  await context.addInitScript((theme) => window.localStorage.setItem("theme", theme), variant === "dark" ? "dark" : "light");
  const page = await context.newPage();
  const saved: string[] = [];
  let signedIn = false;
  for (const shot of [...shots].sort((a, b) => Number(a.signedIn) - Number(b.signedIn))) {
    if (shot.signedIn && !signedIn) {
      await signIn(page, hookline);
      signedIn = true;
    }
    await page.goto(`${hookline.base}${shot.path}`, { waitUntil: "networkidle" });
    const file = path.join(outDir, `${shot.name}-${variant}.png`);
    await page.screenshot({ path: file, fullPage: shot.fullPage ?? true });
    saved.push(file);
  }
  await context.close();
  return saved;
}

async function main(): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const receiver = await startReceiver();
  const hookline = await launchHookline({ logFile: true, env: { HOOKLINE_BREAKER_THRESHOLD: "3", HOOKLINE_DELIVERY_SCHEDULE: "1,1,60" } });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: process.getuid?.() === 0 ? ["--no-sandbox"] : [] });
  try {
    const shots = await sampleData(hookline, receiver.url);
    const saved = [];
    for (const variant of ["light", "dark", "phone"] as const) saved.push(...(await shoot(browser, hookline, shots, variant)));
    console.log(`saved ${saved.length} screenshots to ${outDir}`);
  } finally {
    await browser.close();
    await hookline.stop();
    await receiver.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
