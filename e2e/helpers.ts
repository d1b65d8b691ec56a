import { expect, type Cookie, type Locator, type Page } from "@playwright/test";
import pg from "pg";

export const admin = {
  organization: "Acme Webhooks",
  email: "admin@acme.test",
  password: "correct horse battery",
};

/** Direct database access for assertions a person cannot make through the UI. */
export async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Like `query`, typed for queries known to return at least one row. */
export async function queryRows<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<[T, ...T[]]> {
  const rows = await query<T>(sql, params);
  if (!rows.length) throw new Error(`no rows from: ${sql}`);
  return rows as [T, ...T[]];
}

/** Creates the first admin through the first-run page unless an account exists already. */
export async function ensureAdmin(page: Page): Promise<void> {
  const [{ count }] = await queryRows<{ count: string }>("SELECT count(*) FROM users");
  if (Number(count) > 0) return;
  await page.goto("/setup");
  await page.getByLabel("Organization name").fill(admin.organization);
  await page.getByLabel("E-mail").fill(admin.email);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Create admin account" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
}

export async function signIn(page: Page, password = admin.password): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(admin.email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/**
 * The admin's session cookies from this worker's last sign-in. Tests that only need to be signed in
 * reuse the session (one page load) instead of signing in again (the sign-in page, a bcrypt check and
 * the redirect); a session that was revoked since (a sign-out test, a password change) sends the page
 * to /login, and the admin signs in afresh. Sign-in itself is tested by e2e/auth.spec.ts.
 */
let adminSession: Cookie[] | undefined;

/** The admin exists and this page is signed in, on the Overview. */
export async function signInAsAdmin(page: Page): Promise<void> {
  const overview = page.getByRole("heading", { name: "Overview" });
  if (adminSession) {
    await page.context().addCookies(adminSession);
    await page.goto("/");
    if (new URL(page.url()).pathname === "/") return expect(overview).toBeVisible();
  }
  const [{ count }] = await queryRows<{ count: string }>("SELECT count(*) FROM users");
  // First-run setup signs the new admin in already (and /login then redirects away).
  if (Number(count) === 0) await ensureAdmin(page);
  else {
    await signIn(page);
    await expect(overview).toBeVisible();
  }
  adminSession = await page.context().cookies();
}

export async function countInstances(): Promise<number> {
  const [{ count }] = await queryRows<{ count: string }>("SELECT count(*) FROM instances");
  return Number(count);
}

/** base64 of the decimal id, as instance ids appear in provider webhook URLs. */
export function encodeInstanceId(id: number): string {
  return Buffer.from(String(id), "utf8").toString("base64");
}

/** The id in an `/instances/<id>` URL. */
export function instanceIdFromUrl(url: string): number {
  const match = /\/instances\/(\d+)(?:[/?#]|$)/.exec(url);
  if (!match?.[1]) throw new Error(`not an instance URL: ${url}`);
  return Number(match[1]);
}

/**
 * Sets a form's switch (client state only), clicking again when a click landed before React hydrated
 * the page and was lost: on a loaded machine that gap is long enough to swallow a click.
 */
export async function setSwitch(control: Locator, on: boolean): Promise<void> {
  const want = String(on);
  await expect(async () => {
    if ((await control.getAttribute("aria-checked")) !== want) await control.click();
    await expect(control).toHaveAttribute("aria-checked", want, { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
}

/**
 * Collects what the browser refuses under the Content Security Policy (Chromium reports each refusal
 * as a console error), so a spec can require that the console works under it.
 */
export function watchCspViolations(page: Page, violations: string[]): void {
  page.on("console", (message) => {
    const text = message.text();
    if (/Content Security Policy/i.test(text)) violations.push(`${page.url()}: ${text}`);
  });
}
