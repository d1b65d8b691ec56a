import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { encrypt, hashSecret } from "../lib/crypto/secrets";
import { admin, queryRows, signInAsAdmin } from "./helpers";

/*
 * The public address explained (playwright.config.ts sets HOOKLINE_PUBLIC_URL to http://localhost:<port>):
 * a browser at another origin is told, and the webhook URL panel says a loopback address is not
 * reachable from the internet.
 */

test.describe.configure({ mode: "serial" });

test("a browser at another origin than HOOKLINE_PUBLIC_URL gets a banner that explains it and links to the public address", async ({ browser, page, baseURL }) => {
  await signInAsAdmin(page);
  const publicOrigin = new URL(baseURL!).origin;
  const otherOrigin = publicOrigin.replace("localhost", "127.0.0.1");

  const elsewhere = await browser.newPage();
  await elsewhere.goto(`${otherOrigin}/login?callbackUrl=%2Fevents`);
  const banner = elsewhere.getByRole("region", { name: "Public address" });
  await expect(banner).toContainText(`You opened Hookline at ${otherOrigin}, but its public address is ${publicOrigin}`);
  await expect(banner).toContainText("OAuth callbacks and webhook URLs use the public address");
  await expect(banner).toContainText("HOOKLINE_PUBLIC_URL");
  await expect(banner.getByRole("link", { name: "Open this page at the public address" })).toHaveAttribute("href", `${publicOrigin}/login?callbackUrl=%2Fevents`);
  await elsewhere.close();

  // At the public address itself: no banner.
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Public address" })).toHaveCount(0);
});

test("the webhook URL panel warns that a loopback public address is out of providers' reach, and what to do", async ({ page }) => {
  await signInAsAdmin(page);
  const [{ organization_id: organizationId }] = await queryRows<{ organization_id: string }>("SELECT organization_id FROM users WHERE email = $1", [admin.email]);
  const token = randomBytes(32).toString("base64url");
  const [{ id }] = await queryRows<{ id: number }>(
    `INSERT INTO instances (organization_id, element_key, element_key_sent, name, tags, configuration, status, token_hash, token_encrypted, updated_at)
     VALUES ($1, 'campaignmonitor', 'campaignmonitor', 'Loopback webhook', '{}', '{}', 'ACTIVE', $2, $3, now()) RETURNING id`,
    [organizationId, hashSecret(token), encrypt(token)],
  );
  await page.goto(`/instances/${id}`);
  const warning = page.getByRole("note", { name: "Webhook URL not reachable" });
  await expect(warning).toContainText("Providers on the internet can't reach this URL");
  await expect(warning).toContainText("only this machine");
  await expect(warning).toContainText("public https address");
  await expect(warning).toContainText("tunnel");
});
