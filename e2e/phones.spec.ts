import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { encrypt, hashSecret } from "../lib/crypto/secrets";
import { admin, ensureAdmin, query, queryRows, signInAsAdmin, watchCspViolations } from "./helpers";

/*
 * Phones (390 px): no console page scrolls sideways, the navigation opens from a menu button, and tables
 * stack their rows. On desktop the sidebar still spans the whole height of a long page.
 */

const phone = { width: 390, height: 844 };

// The menu is a client component: it must work under the Content Security Policy.
const cspViolations: string[] = [];
test.beforeEach(({ page }) => watchCspViolations(page, cspViolations));
test.afterEach(() => expect(cspViolations).toEqual([]));

/** A long, unbreakable value, as a real callback URL with a query string can be. */
const longCallbackUrl = `https://receiver.example.org/hooks/campaign-monitor/${"a1b2c3d4e5".repeat(8)}?signature=${"f".repeat(64)}`;
const longObjectId = `subscriber-with-a-very-long-address-${"x".repeat(40)}@example.org`;

const instanceName = "Phone-sized instance with a rather long name";

/**
 * A Campaign Monitor instance with a long callback URL and one delivered event, so every table has rows;
 * made once, by the first test that needs it.
 */
async function seededInstance(): Promise<number> {
  const [existing] = await query<{ id: number }>("SELECT id FROM instances WHERE name = $1", [instanceName]);
  if (existing) return existing.id;
  const [{ organization_id: organizationId }] = await queryRows<{ organization_id: string }>(
    "SELECT organization_id FROM users WHERE email = $1",
    [admin.email],
  );
  const token = randomBytes(32).toString("base64url");
  const [{ id }] = await queryRows<{ id: number }>(
    `INSERT INTO instances (organization_id, element_key, element_key_sent, name, tags, configuration, secrets_encrypted,
                            events_enabled, status, token_hash, token_encrypted, updated_at)
     VALUES ($1, 'campaignmonitor', 'campaignmonitor', $2, '{newsletter,production-eu-west}',
             $3::jsonb, $4, false, 'ACTIVE', $5, $6, now()) RETURNING id`,
    [
      organizationId,
      instanceName,
      JSON.stringify({ "event.notification.enabled": false, "event.notification.callback.url": longCallbackUrl, "oauth.api.key": "cm-client-id-0123456789abcdef0123456789abcdef" }),
      encrypt(JSON.stringify({ "oauth.api.secret": "cm-client-secret-0123456789" })),
      hashSecret(token),
      encrypt(token),
    ],
  );
  await queryRows(
    `INSERT INTO events (id, event_id, instance_id, organization_id, element_key, summary, event_count, payload, status, attempts, created_at)
     VALUES (gen_random_uuid(), 'phones-' || gen_random_uuid(), $1, $2, 'campaignmonitor',
             jsonb_build_array(jsonb_build_object('eventType', 'CREATED', 'objectType', 'subscriber', 'objectId', $3::text)),
             1, convert_to('{}', 'UTF8'), 'DELIVERED', 1, now()) RETURNING id`,
    [id, organizationId, longObjectId],
  );
  return id;
}

/** The page's width as the browser lays it out: more than the viewport means it scrolls sideways. */
async function expectNoSidewaysScroll(page: Page, path: string): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  // Named in the message: the innermost elements that reach past the right edge.
  const widest = await page.evaluate((edge) => {
    const over = [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > edge + 0.5);
    return over.filter((e) => !over.some((o) => o !== e && e.contains(o))).slice(0, 5).map((e) => `<${e.tagName.toLowerCase()} class="${e.getAttribute("class") ?? ""}">`);
  }, phone.width);
  expect.soft(width, `${path} is ${width} px wide: ${widest.join(", ")}`).toBeLessThanOrEqual(phone.width);
}

test("signed out: /setup (while no account exists) and /login fit a 390 px screen", async ({ page }) => {
  await page.setViewportSize(phone);
  const [{ count }] = await queryRows<{ count: string }>("SELECT count(*) FROM users");
  if (Number(count) === 0) {
    await page.goto("/setup");
    await expect(page.getByRole("button", { name: "Create admin account" })).toBeVisible();
    await expectNoSidewaysScroll(page, "/setup");
  }
  await ensureAdmin(page);
  await page.context().clearCookies();
  await page.goto("/login");
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  await expectNoSidewaysScroll(page, "/login");
});

test("every console page fits a 390 px screen", async ({ page }) => {
  await signInAsAdmin(page);
  const instanceId = await seededInstance();
  await page.setViewportSize(phone);

  const pages: { path: string; heading: string | RegExp }[] = [
    { path: "/", heading: "Overview" },
    { path: "/connectors", heading: "Connectors" },
    { path: "/connectors/campaignmonitor/new", heading: /Campaign Monitor/ },
    { path: "/instances", heading: "Instances" },
    { path: `/instances/${instanceId}`, heading: instanceName },
    { path: `/instances/${instanceId}/edit`, heading: /Edit|Phone-sized instance/ },
    { path: "/events", heading: "Events" },
    { path: "/settings", heading: "Settings" },
    { path: "/docs", heading: "API documentation" },
    { path: "/no-such-page", heading: "This page could not be found" },
  ];
  for (const { path, heading } of pages) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
    await expectNoSidewaysScroll(page, path);
  }

  // The instance page's Configuration shows the long callback URL on lines of readable length, not a
  // character per line.
  await page.goto(`/instances/${instanceId}`);
  const value = page.getByRole("table", { name: "Configuration" }).getByRole("cell").filter({ hasText: longCallbackUrl });
  await expect(value).toBeVisible();
  expect((await value.boundingBox())!.width).toBeGreaterThan(200);
});

test("on a phone the tables stack their rows, with each value labelled", async ({ page }) => {
  await signInAsAdmin(page);
  await seededInstance();
  await page.setViewportSize(phone);

  await page.goto("/events");
  const event = page.getByRole("table", { name: "Events" }).getByRole("row").filter({ hasText: longObjectId });
  await expect(event).toBeVisible();
  // Stacked: the header row is out of sight and the row's cells sit one under the other.
  await expect(page.getByRole("table", { name: "Events" }).getByRole("columnheader", { name: "Delivery" })).toBeHidden();
  const cells = event.getByRole("cell");
  const first = (await cells.first().boundingBox())!;
  const last = (await cells.last().boundingBox())!;
  expect(last.y).toBeGreaterThan(first.y);
  await expect(cells.filter({ hasText: "Delivered" })).toHaveAttribute("data-label", "Delivery");

  // The row opens the event's side panel, which fits the screen too.
  await expect(async () => {
    await event.getByRole("button", { name: "Created" }).click();
    await expect(page.getByRole("dialog", { name: /Event details/ })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  const panel = page.getByRole("dialog", { name: /Event details/ });
  expect((await panel.boundingBox())!.width).toBeLessThanOrEqual(phone.width);
  expect(await panel.evaluate((dialog) => [...dialog.querySelectorAll("*")].every((e) => e.getBoundingClientRect().right <= dialog.getBoundingClientRect().right + 0.5))).toBe(true);
  await page.keyboard.press("Escape");

  await page.goto("/instances");
  const instance = page.getByRole("table", { name: "Instances" }).getByRole("row").filter({ hasText: instanceName });
  await expect(instance).toBeVisible();
  const instanceCells = instance.getByRole("cell");
  expect((await instanceCells.last().boundingBox())!.y).toBeGreaterThan((await instanceCells.first().boundingBox())!.y);
  await expect(instanceCells.filter({ hasText: "newsletter" })).toHaveAttribute("data-label", "Tags");
});

test("on a phone the menu button opens the navigation", async ({ page }) => {
  await signInAsAdmin(page);
  await page.setViewportSize(phone);
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();

  const menu = page.getByRole("button", { name: "Menu" });
  await expect(menu).toBeVisible();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  // It controls the main navigation, folded away until it is pressed.
  const nav = page.locator(`[id="${await menu.getAttribute("aria-controls")}"]`);
  await expect(nav).toHaveAttribute("aria-label", "Main");
  await expect(nav).toHaveCount(1);
  await expect(nav).toBeHidden();
  await expect(page.getByRole("link", { name: "Settings" })).toBeHidden();

  // A click before React hydrated the page can be lost: retry until the menu opens.
  await expect(async () => {
    if ((await menu.getAttribute("aria-expanded")) !== "true") await menu.click();
    await expect(menu).toHaveAttribute("aria-expanded", "true", { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  for (const name of ["Overview", "Connectors", "Instances", "Events", "Settings", "API docs"]) {
    await expect(nav.getByRole("link", { name })).toBeInViewport();
  }
  await expectNoSidewaysScroll(page, "/ with the menu open");

  // Escape folds it away and leaves the focus on the button; a press opens it again.
  await page.keyboard.press("Escape");
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(nav).toBeHidden();
  await expect(menu).toBeFocused();
  await menu.press("Enter");
  await expect(menu).toHaveAttribute("aria-expanded", "true");

  // Following a link goes there and folds the menu away again.
  await nav.getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(nav).toBeHidden();
});

test("on desktop the navigation shows without a menu button and the sidebar spans a long page", async ({ page }) => {
  await signInAsAdmin(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  const id = await seededInstance();
  await page.goto(`/instances/${id}`);
  await expect(page.getByRole("heading", { level: 1, name: instanceName })).toBeVisible();

  await expect(page.getByRole("button", { name: "Menu" })).toBeHidden();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API docs" })).toBeVisible();

  // A page longer than the window: the sidebar (its background and border) runs its whole length,
  // and its content stays in view at the bottom.
  const pageHeight = await page.evaluate(() => document.documentElement.scrollHeight);
  expect(pageHeight).toBeGreaterThan(900);
  const sidebar = (await page.getByRole("complementary").boundingBox())!;
  const main = (await page.getByRole("main").boundingBox())!;
  expect(sidebar.height).toBeGreaterThanOrEqual(main.height);
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await expect(page.getByRole("button", { name: "Sign out" })).toBeInViewport();
});
