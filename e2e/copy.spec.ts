import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { encrypt, hashSecret } from "../lib/crypto/secrets";
import { admin, query, queryRows, signInAsAdmin } from "./helpers";

/*
 * What the console's copy promises, checked in Chromium: the events switch's hint, the docs' parameter
 * sentences, the 404 and 500 pages, and an event's latency when its receiver never answered.
 */

test.describe.configure({ mode: "serial" });

test.beforeEach(async ({ page }) => {
  await signInAsAdmin(page);
});

async function seedInstance(name: string, callbackUrl: string | null): Promise<number> {
  const [{ organization_id: organizationId }] = await queryRows<{ organization_id: string }>("SELECT organization_id FROM users WHERE email = $1", [admin.email]);
  const token = randomBytes(32).toString("base64url");
  const configuration = callbackUrl ? { "event.notification.enabled": false, "event.notification.callback.url": callbackUrl } : { "event.notification.enabled": false };
  const [{ id }] = await queryRows<{ id: number }>(
    `INSERT INTO instances (organization_id, element_key, element_key_sent, name, tags, configuration, events_enabled, status, token_hash, token_encrypted, updated_at)
     VALUES ($1, 'campaignmonitor', 'campaignmonitor', $2, '{}', $3::jsonb, false, 'ACTIVE', $4, $5, now()) RETURNING id`,
    [organizationId, name, JSON.stringify(configuration), hashSecret(token), encrypt(token)],
  );
  return id;
}

test("the events switch's hint names the callback URL when one is set, and asks for one only when none is", async ({ page }) => {
  const withUrl = await seedInstance("Hint with URL", "https://receiver.example/hookline");
  const without = await seedInstance("Hint without URL", null);
  await page.goto(`/instances/${withUrl}`);
  await expect(page.getByTestId("forward-events-hint")).toHaveText("To https://receiver.example/hookline");
  await expect(page.getByText("Needs an Event Notification Callback URL")).toHaveCount(0);

  await page.goto(`/instances/${without}`);
  const hint = page.getByTestId("forward-events-hint");
  await expect(hint).toContainText("Needs an Event Notification Callback URL");
  await hint.getByRole("link", { name: "set one" }).click();
  await expect(page).toHaveURL(new RegExp(`/instances/${without}/edit$`));
});

test("the docs say 'Optional.' and 'Default: …' once per parameter", async ({ page }) => {
  await page.goto("/docs");
  const text = await page.locator("main").innerText();
  expect(text).toContain("Optional.");
  expect(text).not.toMatch(/Optional\.\s+Optional\./);
  expect(text).not.toMatch(/Default: (true|false)\.?\s+Default:/);
});

test("a 404 has the console's look and a way back to the Overview", async ({ page }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "This page could not be found" })).toBeVisible();
  await expect(page.getByText("Hookline", { exact: true })).toBeVisible();
  await page.getByRole("link", { name: "Back to the Overview" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
});

test("a 500 has the console's look, the log reference and a way back", async ({ page }) => {
  // A read the Overview makes fails (the table is briefly away), as a broken database would.
  await query("ALTER TABLE delivery_attempts RENAME TO delivery_attempts_away");
  try {
    const response = await page.goto("/");
    expect(response?.status()).toBe(500);
    await expect(page.getByRole("heading", { name: "Something went wrong on the server" })).toBeVisible();
    await expect(page.getByTestId("error-digest")).not.toBeEmpty();
  } finally {
    await query("ALTER TABLE delivery_attempts_away RENAME TO delivery_attempts");
  }
  await page.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();

  await query("ALTER TABLE delivery_attempts RENAME TO delivery_attempts_away");
  try {
    await page.goto("/");
    await expect(page.getByRole("heading", { name: "Something went wrong on the server" })).toBeVisible();
  } finally {
    await query("ALTER TABLE delivery_attempts_away RENAME TO delivery_attempts");
  }
  await page.getByRole("link", { name: "Back to the Overview" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
});

test("an event whose receiver never answered shows no latency, not '0 ms'", async ({ page }) => {
  const instanceId = await seedInstance("Refused receiver", "http://127.0.0.1:9/refused");
  const [event] = await queryRows<{ id: string }>(
    `INSERT INTO events (id, event_id, instance_id, organization_id, element_key, summary, event_count, payload, status, attempts, last_attempt_at, last_error)
     SELECT gen_random_uuid(), 'copy-dead-' || gen_random_uuid(), $1, organization_id, 'campaignmonitor',
            '[{"eventType":"CREATED","objectType":"subscriber","objectId":"refused@example.org"}]', 1, '\\x7b7d', 'DEAD', 1, now(), 'connect ECONNREFUSED'
       FROM instances WHERE id = $1 RETURNING id`,
    [instanceId],
  );
  await query(
    `INSERT INTO delivery_attempts (id, event_id, attempt, started_at, url, status_code, latency_ms, error)
     VALUES (gen_random_uuid(), $1, 1, now(), 'http://127.0.0.1:9/refused', NULL, 0, 'connect ECONNREFUSED')`,
    [event.id],
  );
  await page.goto(`/events?instance=${instanceId}`);
  const row = page.getByRole("table", { name: "Events" }).getByRole("row").filter({ hasText: "refused@example.org" });
  await expect(row).toBeVisible();
  await expect(row.getByRole("cell").last()).toHaveText("—");
});
