import { expect, test } from "@playwright/test";
import { signInAsAdmin } from "./helpers";

/*
 * A provider this Hookline cannot reach: playwright.config.ts points Campaign Monitor's consent URL at
 * the OAuth mock, which this file does not start, so nothing listens there. "Connect" must land on
 * Hookline's own page (host, reason, the override variable), never the browser's error page, and
 * "Back to the form" must bring the entries back.
 */

test("connecting to a provider that cannot be reached explains why and how to point Hookline elsewhere", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto("/connectors/campaignmonitor/new");
  await page.getByLabel("Name", { exact: true }).fill("Unreachable list");
  await page.getByLabel("Client ID", { exact: true }).fill("cm-unreachable-client");
  await page.getByLabel("Client Secret", { exact: true }).fill("cm-unreachable-secret");
  await page.getByRole("button", { name: "Connect to Campaign Monitor" }).click();

  await expect(page).toHaveURL(/\/oauth\/unreachable\?/);
  await expect(page.getByRole("heading", { name: "Campaign Monitor cannot be reached" })).toBeVisible();
  const alert = page.getByRole("alert").filter({ hasText: "Hookline could not reach" });
  await expect(alert).toContainText(/127\.0\.0\.1:\d+|localhost:\d+/);
  await expect(alert).toContainText("it refused the connection");
  await expect(page.getByText("HOOKLINE_CAMPAIGNMONITOR_AUTHORIZE_URL")).toBeVisible();

  await page.getByRole("link", { name: "Back to the form" }).click();
  await expect(page).toHaveURL(/\/connectors\/campaignmonitor\/new\?from=/);
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Unreachable list");
  await expect(page.getByLabel("Client ID", { exact: true })).toHaveValue("cm-unreachable-client");
});
