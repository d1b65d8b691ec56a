import { expect, test } from "@playwright/test";
import { admin, ensureAdmin, query, queryRows, signIn } from "./helpers";

test.describe.configure({ mode: "serial" });

test("first run creates the admin, then sign-out, a wrong password and sign-in", async ({ page }) => {
  // Before any account exists, every page leads to first-run setup.
  await page.goto("/instances");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Welcome to Hookline" })).toBeVisible();

  await ensureAdmin(page);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toHaveText(admin.email);

  const [user] = await query<{ password_hash: string }>("SELECT password_hash FROM users WHERE email = $1", [admin.email]);
  expect(user?.password_hash).toMatch(/^\$2[aby]\$11\$/);
  expect(user?.password_hash).not.toContain(admin.password);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);

  await signIn(page, "not the password");
  await expect(page.getByRole("alert").filter({ hasText: "Wrong e-mail or password." })).toBeVisible();
  await expect(page).toHaveURL(/\/login/);

  await signIn(page);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  for (const item of ["Connectors", "Instances", "Events", "Settings"]) {
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: item })).toBeVisible();
  }
});

test("an unauthenticated visit to a dashboard page goes to sign-in", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  for (const path of ["/", "/settings", "/connectors", "/instances", "/events"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/login/);
  }
  await expect(page.getByRole("heading", { name: "Sign in to Hookline" })).toBeVisible();
  await context.close();
});

test("settings shows masked secrets, reveals them, and rotation replaces them", async ({ page }) => {
  await ensureAdmin(page);
  await signIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { name: "Settings" })).toBeVisible();

  for (const label of ["Organization secret", "User secret"]) {
    const field = page.getByLabel(label, { exact: true });
    await expect(field).toHaveValue(/^•{8}.{4}$/);
    await page.getByRole("button", { name: `Reveal ${label}` }).click();
    await expect(field).toHaveValue(/^[A-Za-z0-9_-]{43}$/);
    const before = await field.inputValue();
    await expect(field).toHaveValue(new RegExp(`${before.slice(-4)}$`));

    const table = label === "User secret" ? "users" : "organizations";
    const [{ secret_hash: hashBefore }] = await queryRows<{ secret_hash: string }>(`SELECT secret_hash FROM ${table} LIMIT 1`);

    await page.getByRole("button", { name: `Rotate ${label}` }).click();
    await page.getByRole("button", { name: "Confirm rotate" }).click();
    await expect(field).toHaveValue(/^•{8}.{4}$/);
    await page.getByRole("button", { name: `Reveal ${label}` }).click();
    await expect(field).toHaveValue(/^[A-Za-z0-9_-]{43}$/);
    const after = await field.inputValue();
    expect(after).not.toBe(before);

    const [{ secret_hash: hashAfter }] = await queryRows<{ secret_hash: string }>(`SELECT secret_hash FROM ${table} LIMIT 1`);
    expect(hashAfter).not.toBe(hashBefore);
    // Stored hashed and encrypted, never in plain text.
    const rows = await query(`SELECT 1 FROM ${table} WHERE secret_encrypted LIKE '%' || $1 || '%' OR secret_hash = $1`, [after]);
    expect(rows).toHaveLength(0);
  }
});
