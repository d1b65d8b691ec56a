import { expect, test } from "@playwright/test";
import { admin, ensureAdmin, query, queryRows, signIn, watchCspViolations } from "./helpers";

test.describe.configure({ mode: "serial" });

// Every page of these specs must work under the Content Security Policy: a refused script is a failure.
const cspViolations: string[] = [];
test.beforeEach(({ page }) => watchCspViolations(page, cspViolations));
test.afterEach(() => expect(cspViolations).toEqual([]));

test("first run creates the admin, then sign-out, a wrong password and sign-in", async ({ page }) => {
  // Before any account exists, every page leads to first-run setup.
  await page.goto("/instances");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Welcome to Hookline" })).toBeVisible();
  // No promise of invitations: Hookline has none.
  await expect(page.getByText(/invite/i)).toHaveCount(0);

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

test("a deep link survives sign-in, and a callbackUrl to another site does not leave", async ({ browser, page }) => {
  await ensureAdmin(page);
  const signInFrom = async (path: string) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    watchCspViolations(page, cspViolations);
    await page.goto(path);
    await page.getByLabel("E-mail").fill(admin.email);
    await page.getByLabel("Password").fill(admin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    return { page, context };
  };
  const deep = await signInFrom("/events?status=DEAD");
  await expect(deep.page).toHaveURL(/\/events\?status=DEAD$/);
  await deep.context.close();

  for (const callbackUrl of ["/%5Cevil.test", "/%09/evil.test", "%2F%5Cevil.test%2Fx"]) {
    const { page, context } = await signInFrom(`/login?callbackUrl=${callbackUrl}`);
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
    expect(new URL(page.url()).origin, callbackUrl).toBe(new URL(test.info().project.use.baseURL!).origin);
    await context.close();
  }
});

test("a session cookie kept from before sign-out opens no page and no event stream", async ({ browser, page }) => {
  await ensureAdmin(page);
  await signIn(page);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  const session = (await page.context().cookies()).filter((cookie) => cookie.name.endsWith("next-auth.session-token"));
  expect(session).toHaveLength(1);

  const copy = await browser.newContext();
  await copy.addCookies(session);
  const thief = await copy.newPage();
  await thief.goto("/settings");
  await expect(thief.getByRole("heading", { name: "Settings" })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).first().click();
  await expect(page).toHaveURL(/\/login/);

  await thief.goto("/settings");
  await expect(thief).toHaveURL(/\/login\?callbackUrl=%2Fsettings$/);
  const stream = await copy.request.get("/events/stream", { failOnStatusCode: false });
  expect(stream.status()).toBe(401);
  await copy.close();
});

test("console pages carry the security headers; a cross-site server action gets a 403", async ({ page }) => {
  const response = await page.goto("/login");
  const headers = response!.headers();
  const csp = headers["content-security-policy"] ?? "";
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/]+=*' 'strict-dynamic'/);
  expect(csp).not.toContain("unsafe-eval");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  // Served over http here: no HSTS.
  expect(headers["strict-transport-security"]).toBeUndefined();
  // Each response has its own nonce.
  const again = (await page.request.get("/login")).headers()["content-security-policy"];
  expect(again).not.toBe(csp);

  const action = await page.request.post("/settings", {
    headers: { "next-action": "7f".repeat(21), origin: "https://evil.test", "content-type": "text/plain;charset=UTF-8" },
    data: "[]",
    failOnStatusCode: false,
  });
  expect(action.status()).toBe(403);
  expect((await action.json()) as { message: string }).toMatchObject({ message: expect.stringContaining("another site") });
});
