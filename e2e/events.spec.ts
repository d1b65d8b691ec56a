import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { encrypt, hashSecret } from "../lib/crypto/secrets";
import { admin, encodeInstanceId, query, queryRows, signInAsAdmin } from "./helpers";
import { startWebhookReceiver } from "./webhook-receiver";

/*
 * The live event log in real Chromium: webhooks are POSTed from the test (outside the browser) to the
 * app's ingest URL, the app's own delivery worker sends them to a receiver this file runs on localhost,
 * and the page must show each step without a reload.
 */

test.describe.configure({ mode: "serial" });

let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

test.beforeAll(async () => {
  receiver = await startWebhookReceiver();
});

test.afterAll(async () => {
  await receiver.close();
});

test.beforeEach(async ({ page }) => {
  await signInAsAdmin(page);
});

/** A Campaign Monitor instance of the admin's organization with events on, delivering to the receiver. */
async function seedInstance(name: string, options: { eventsEnabled?: boolean } = {}): Promise<number> {
  const [{ organization_id: organizationId }] = await queryRows<{ organization_id: string }>(
    "SELECT organization_id FROM users WHERE email = $1",
    [admin.email],
  );
  const token = randomBytes(32).toString("base64url");
  const urlSecret = randomBytes(24).toString("base64url");
  const eventsEnabled = options.eventsEnabled ?? true;
  const [{ id }] = await queryRows<{ id: number }>(
    `INSERT INTO instances (organization_id, element_key, element_key_sent, name, tags, configuration, secrets_encrypted,
                            events_enabled, status, token_hash, token_encrypted, webhook_secret_encrypted, updated_at)
     VALUES ($1, 'campaignmonitor', 'campaignmonitor', $2, '{}', $3::jsonb, $4, $5, 'ACTIVE', $6, $7, $8, now()) RETURNING id`,
    [
      organizationId,
      name,
      JSON.stringify({ "event.notification.enabled": eventsEnabled, "event.notification.callback.url": receiver.url }),
      encrypt(JSON.stringify({ "event.notification.signature.key": "e2e-signing-key" })),
      eventsEnabled,
      hashSecret(token),
      encrypt(token),
      encrypt(urlSecret),
    ],
  );
  urlSecrets.set(id, urlSecret);
  return id;
}

/** The webhook URL secrets (`?k=`) of the instances made by `seedInstance`. */
const urlSecrets = new Map<number, string>();

/** The instance's webhook URL path, secret included, as the instance page shows it. */
function webhookPath(instanceId: number): string {
  return `/elements/api-v2/events/campaignmonitor/${encodeInstanceId(instanceId)}?k=${urlSecrets.get(instanceId)}`;
}

type Change = { type: "Subscribe" | "Update" | "Deactivate"; email: string; name?: string };

/** POSTs a Campaign Monitor webhook to the instance's URL, as the provider would. */
async function postWebhook(baseURL: string | undefined, instanceId: number, change: Change): Promise<void> {
  const body = JSON.stringify({
    Events: [{ Type: change.type, Date: "2026-11-25 10:00:00", EmailAddress: change.email, Name: change.name ?? "E2E Person", State: "Active" }],
    ListID: "e2e-list",
  });
  const response = await fetch(`${baseURL}${webhookPath(instanceId)}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  expect(response.status).toBe(200);
}

function eventRow(page: Page, text: string) {
  return page.getByRole("table", { name: "Events" }).getByRole("row").filter({ hasText: text });
}

async function expectLive(page: Page): Promise<void> {
  await expect(page.getByRole("status").filter({ hasText: /^Live$/ })).toBeVisible();
}

test("a webhook appears live, turns delivered, opens with its payload and attempt, and redelivers", async ({ page, baseURL, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const instanceId = await seedInstance("Live log CM");
  await page.goto("/events");
  await expectLive(page);

  const email = `live-${Date.now()}@example.org`;
  receiver.holdNext();
  await postWebhook(baseURL, instanceId, { type: "Subscribe", email });
  const row = eventRow(page, email);
  // No reload: the stream brings it.
  await expect(row).toBeVisible({ timeout: 2_000 });
  await expect(row).toContainText("Live log CM");
  await expect(row).toContainText("Created");
  // The worker has sent it and the receiver has not answered yet: still pending.
  await expect.poll(() => receiver.heldCount()).toBe(1);
  await expect(row.getByText("Pending", { exact: true })).toBeVisible();

  receiver.release();
  await expect(row.getByText("Delivered", { exact: true })).toBeVisible({ timeout: 10_000 });
  // The receiver held its answer, so the latency is about as long as the hold.
  await expect(row).toContainText(/\d+(\.\d+)? m?s$/);

  await row.click();
  const panel = page.getByRole("dialog", { name: /Event details/ });
  await expect(panel).toBeVisible();
  await expect(panel.getByRole("group", { name: "Raw body" })).toContainText(email);
  await expect(panel.getByRole("group", { name: "Normalized event" })).toContainText('"eventType": "CREATED"');
  await expect(panel.getByRole("table", { name: "Request headers" })).toContainText("content-type");
  const attempts = panel.getByRole("list", { name: "Delivery attempts" }).getByRole("listitem");
  await expect(attempts).toHaveCount(1);
  await expect(attempts.first()).toContainText("Attempt 1");
  await expect(attempts.first()).toContainText("HTTP 200");
  await expect(panel.getByLabel("Response to attempt 1")).toHaveText("thanks");

  const [{ event_id: eventId }] = await queryRows<{ event_id: string }>(
    "SELECT event_id FROM events WHERE instance_id = $1",
    [instanceId],
  );
  await panel.getByRole("button", { name: "Copy event id" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(eventId);
  await panel.getByRole("button", { name: "Copy as cURL" }).click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toContain(`curl -X POST '${receiver.url}'`);
  const curl = await page.evaluate(() => navigator.clipboard.readText());
  expect(curl).toMatch(/-H 'elements-webhook-signature: sha256=[A-Za-z0-9+/=]+'/);
  expect(curl).toContain(`-H 'webhook-id: ${eventId}'`);

  await panel.getByRole("button", { name: "Redeliver" }).click();
  await expect(attempts).toHaveCount(2, { timeout: 10_000 });
  await expect(attempts.nth(1)).toContainText("Attempt 2");
  await expect(attempts.nth(1)).toContainText("HTTP 200");
  // Both deliveries carried the same id for the receiver to dedupe on.
  const deliveries = receiver.received.filter((delivery) => delivery.body.includes(email));
  expect(deliveries.map((delivery) => delivery.headers["webhook-id"])).toEqual([eventId, eventId]);

  await page.keyboard.press("Escape");
  await expect(panel).toBeHidden();
  await expect(row.getByRole("button", { name: "Created" })).toBeFocused();
});

test("filters narrow the log and survive a reload; text search finds a value inside a payload", async ({ page, baseURL }) => {
  const first = await seedInstance("Filters first");
  const second = await seedInstance("Filters second");
  const stamp = Date.now();
  const created = `created-${stamp}@example.org`;
  const deleted = `deleted-${stamp}@example.org`;
  const updated = `updated-${stamp}@example.org`;
  const needle = `Zebra${stamp}`;
  await postWebhook(baseURL, first, { type: "Subscribe", email: created });
  await postWebhook(baseURL, second, { type: "Deactivate", email: deleted });
  // The needle is only in the payload (the subscriber's name), not in any column of the table.
  await postWebhook(baseURL, first, { type: "Update", email: updated, name: `Ms ${needle} Stripes` });

  await page.goto("/events");
  for (const email of [created, deleted, updated]) await expect(eventRow(page, email)).toBeVisible();

  await page.getByLabel("Event type").selectOption({ label: "Deleted" });
  await expect(page).toHaveURL(/[?&]type=deleted(&|$)/);
  await expect(eventRow(page, deleted)).toBeVisible();
  await expect(eventRow(page, created)).toHaveCount(0);
  await expect(eventRow(page, updated)).toHaveCount(0);

  await page.getByLabel("Instance", { exact: true }).selectOption({ label: "Filters second" });
  await expect(page).toHaveURL(new RegExp(`[?&]instance=${second}(&|$)`));
  await page.getByLabel("Delivery status").selectOption({ label: "Delivered" });
  await expect(page).toHaveURL(/[?&]status=delivered(&|$)/);
  await expect(eventRow(page, deleted)).toBeVisible();

  await page.reload();
  await expect(page.getByLabel("Event type")).toHaveValue("DELETED");
  await expect(page.getByLabel("Instance", { exact: true })).toHaveValue(String(second));
  await expect(page.getByLabel("Delivery status")).toHaveValue("DELIVERED");
  await expect(eventRow(page, deleted)).toBeVisible();
  await expect(eventRow(page, created)).toHaveCount(0);

  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(page).toHaveURL(/\/events$/);
  await expect(eventRow(page, created)).toBeVisible();

  await page.getByLabel("Search payloads").fill(needle.toLowerCase());
  await page.getByLabel("Search payloads").press("Enter");
  await expect(page).toHaveURL(new RegExp(`[?&]q=${needle.toLowerCase()}(&|$)`));
  await expect(eventRow(page, updated)).toBeVisible();
  await expect(eventRow(page, created)).toHaveCount(0);
  await expect(eventRow(page, deleted)).toHaveCount(0);

  await page.reload();
  await expect(page.getByLabel("Search payloads")).toHaveValue(needle.toLowerCase());
  await expect(eventRow(page, updated)).toBeVisible();
  await expect(eventRow(page, created)).toHaveCount(0);
});

test("an instance without events teaches: its webhook URL to copy and a test event that shows up live", async ({ page }) => {
  const instanceId = await seedInstance("Quiet instance");
  await page.goto(`/instances/${instanceId}`);
  const log = page.locator("#event-log");
  await expect(log.getByRole("heading", { name: "Waiting for the first webhook" })).toBeVisible();
  await expect(log.getByLabel("Webhook URL of Quiet instance")).toHaveValue(new RegExp(`${webhookPath(instanceId).replace(/[+=?]/g, "\\$&")}$`));
  await expectLive(page);

  await log.getByRole("button", { name: "Send test event" }).first().click();
  const row = log.getByRole("table", { name: "Events of Quiet instance" }).getByRole("row").filter({ hasText: "Test" });
  await expect(row).toBeVisible({ timeout: 5_000 });
  await expect(row.getByText("Delivered", { exact: true })).toBeVisible({ timeout: 10_000 });
});

test("load more continues below with the keyset cursor", async ({ page }) => {
  const instanceId = await seedInstance("Busy instance");
  const [{ organization_id: organizationId }] = await queryRows<{ organization_id: string }>("SELECT organization_id FROM instances WHERE id = $1", [instanceId]);
  // 60 already delivered events, one second apart, written straight to the table.
  await query(
    `INSERT INTO events (id, event_id, instance_id, organization_id, element_key, summary, event_count, payload, status, attempts, created_at)
     SELECT gen_random_uuid(), 'busy-' || g, $1, $2, 'campaignmonitor',
            jsonb_build_array(jsonb_build_object('eventType', 'UPDATED', 'objectType', 'subscriber', 'objectId', 'busy-' || g || '@example.org')),
            1, convert_to('{}', 'UTF8'), 'DELIVERED', 1, now() - make_interval(secs => 600 - g)
       FROM generate_series(1, 60) g`,
    [instanceId, organizationId],
  );
  await page.goto(`/events?instance=${instanceId}`);
  const rows = page.getByRole("table", { name: "Events" }).locator("tbody tr");
  await expect(rows).toHaveCount(50);
  await expect(rows.first()).toContainText("busy-60@example.org");
  await page.getByRole("button", { name: "Load more" }).click();
  await expect(rows).toHaveCount(60);
  await expect(rows.last()).toContainText("busy-1@example.org");
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
});

test("the stream is for signed-in users only", async ({ playwright, baseURL }) => {
  const anonymous = await playwright.request.newContext({ baseURL });
  const response = await anonymous.get("/events/stream");
  expect(response.status()).toBe(401);
  await anonymous.dispose();
});

test("a paused delivery lane says why on the instance page and the list, and 'Resume now' sends what waited", async ({ page, baseURL }) => {
  const instanceId = await seedInstance("Paused lane");
  // The circuit breaker's state as the worker leaves it after consecutive failures, with a probe an hour out.
  await query(
    `INSERT INTO delivery_lanes (instance_id, state, consecutive_failures, paused_at, pause_reason, probe_at)
     VALUES ($1, 'PAUSED', 10, now(), 'receiver answered 503', now() + interval '1 hour')`,
    [instanceId],
  );
  await postWebhook(baseURL, instanceId, { type: "Subscribe", email: "waited@example.org" });

  await page.goto("/instances");
  await expect(page.getByRole("row").filter({ hasText: "Paused lane" }).getByText("Delivery paused")).toBeVisible();
  await page.goto(`/instances/${instanceId}`);
  const banner = page.getByRole("status", { name: "Delivery state" });
  await expect(banner).toContainText("Delivery paused");
  await expect(banner).toContainText("receiver answered 503");
  // Held back while paused: nothing reached the receiver.
  await page.waitForTimeout(1_000);
  expect(receiver.received.filter((r) => r.body.includes("waited@example.org"))).toHaveLength(0);

  await banner.getByRole("button", { name: "Resume now" }).click();
  await expect(page.getByText("Delivery resumed")).toBeVisible();
  await expect(banner).toBeHidden();
  await expect.poll(() => receiver.received.filter((r) => r.body.includes("waited@example.org")).length, { timeout: 10_000 }).toBe(1);
});
