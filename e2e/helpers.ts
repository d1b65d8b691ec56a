import { expect, type Page } from "@playwright/test";
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
