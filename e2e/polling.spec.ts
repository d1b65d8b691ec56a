import { expect, test } from "@playwright/test";
import { instanceIdFromUrl, query, setSwitch, signInAsAdmin, watchCspViolations } from "./helpers";
import { startConnectWise } from "./connectwise-server";

test.describe.configure({ mode: "serial" });

// Every page of this spec must work under the Content Security Policy: a refused script is a failure.
const cspViolations: string[] = [];
test.beforeEach(({ page }) => watchCspViolations(page, cspViolations));
test.afterEach(() => expect(cspViolations).toEqual([]));

// ConnectWise instances are checked with one call to its API when saved, and polls read its lists: a
// fake stands in for it (tests/helpers/fake-providers.ts).
let connectwise: Awaited<ReturnType<typeof startConnectWise>>;
test.beforeAll(async () => {
  connectwise = await startConnectWise();
});
test.afterAll(async () => {
  await connectwise.provider.close();
});

test.beforeEach(async ({ page }) => {
  await signInAsAdmin(page);
});

const receiver = "https://receiver.example.test/hookline";

test("a ConnectWise instance that polls shows its Polling card, and Poll now asks for a poll", async ({ page }) => {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Connectors" }).click();
  await page.getByRole("link", { name: "ConnectWise", exact: true }).click();
  await expect(page.getByRole("heading", { name: "New ConnectWise instance" })).toBeVisible();

  const name = "Polling desk";
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Server URL", { exact: true }).fill("https://api-na.myconnectwise.test");
  await page.getByLabel("Company", { exact: true }).fill("acme");
  await page.getByLabel("User Name", { exact: true }).fill("api-member");
  await page.getByLabel("Password", { exact: true }).fill("cw-password-7391");
  // Polls are scheduled only while events are on, so the instance forwards to a callback URL.
  await setSwitch(page.getByRole("switch", { name: "Events Enabled" }), true);
  await page.getByLabel("Event Notification Callback URL", { exact: true }).fill(receiver);
  await page.getByLabel("Event Vendor Type", { exact: true }).selectOption("polling");
  await page.getByRole("button", { name: "Create instance" }).click();

  await expect(page).toHaveURL(/\/instances\/\d+$/);
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  const id = instanceIdFromUrl(page.url());
  const [stored] = await query<{ configuration: Record<string, unknown> }>("SELECT configuration FROM instances WHERE id = $1", [id]);
  expect(stored?.configuration["event.vendor.type"]).toBe("polling");

  const card = page.getByRole("region", { name: "Polling", exact: true });
  await expect(card).toBeVisible();
  await expect(card.getByTestId("polling-mode")).toHaveText("Polling");
  await expect(card).toContainText("Every 15 minutes");

  // A ticket created at ConnectWise after the instance: the poll must report it, once, as CREATED.
  connectwise.save("service/tickets", 4242, new Date(Date.now() + 2_000), { summary: "Printer on fire" });

  // Retried until the toast shows: a click that lands before hydration is lost (a second request is harmless).
  const pollNow = card.getByRole("button", { name: "Poll now" });
  await expect(async () => {
    await pollNow.click();
    await expect(page.getByText("Poll requested").first()).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });

  // The page re-renders with the card still there (the worker may be polling by now), and no error.
  await expect(card).toBeVisible();
  await expect(pollNow).toBeEnabled();
  await expect(page.getByText("This instance does not poll")).toHaveCount(0);

  // The worker polls: the card shows each resource's result, the tickets one with its new change.
  await expect(async () => {
    await page.reload();
    await expect(card.getByRole("row").filter({ hasText: "tickets" })).toContainText("OK", { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });

  // History, asked for from the card: the marks go back to the day chosen and a poll runs.
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  await card.getByLabel("History since (UTC)").fill(yesterday);
  await card.getByRole("button", { name: "Poll since" }).click();
  await expect(page.getByText(`Polling the changes since ${yesterday}`).first()).toBeVisible();
  // Where a resource without a mark starts: moved back to the start of that day, and kept there.
  const [schedule] = await query<{ since: Date }>("SELECT since FROM poll_jobs WHERE instance_id = $1", [id]);
  expect(schedule?.since.toISOString()).toBe(`${yesterday}T00:00:00.000Z`);

  // …and the live log shows the polled event, marked as such.
  await page.goto(`/events?instance=${id}`);
  const row = page.getByRole("row").filter({ hasText: "ticket" }).first();
  await expect(row).toContainText("Created", { timeout: 15_000 });
  await expect(row).toContainText("poll");
  const events = await query<{ source: string }>("SELECT source::text FROM events WHERE instance_id = $1", [id]);
  expect(events).toEqual([{ source: "POLL" }]);
});
