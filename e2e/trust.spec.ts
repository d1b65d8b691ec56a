import { expect, test, type Page } from "@playwright/test";
import { decrypt, encrypt } from "../lib/crypto/secrets";
import { startConnectWise } from "./connectwise-server";
import { countInstances, instanceIdFromUrl, query, queryRows, setSwitch, signInAsAdmin, watchCspViolations } from "./helpers";

// Issue 15: the signature key on the instance page (reveal, copy, rotate; unsigned instances say so),
// and settings refused when saved, shown inline on the form.

test.describe.configure({ mode: "serial" });

const cspViolations: string[] = [];
test.beforeEach(({ page }) => watchCspViolations(page, cspViolations));
test.afterEach(() => expect(cspViolations).toEqual([]));

const WRONG_PASSWORD = "wrong-password-0000";
let connectwise: Awaited<ReturnType<typeof startConnectWise>>;
test.beforeAll(async () => {
  connectwise = await startConnectWise();
  const refused = `Basic ${Buffer.from(`acme+api-member:${WRONG_PASSWORD}`).toString("base64")}`;
  connectwise.provider.intercept((request) =>
    request.headers.authorization === refused ? { status: 401, body: { code: "Unauthorized", message: "Authentication failed." } } : undefined,
  );
});
test.afterAll(async () => {
  await connectwise.provider.close();
});

test.beforeEach(async ({ page }) => {
  await signInAsAdmin(page);
});

async function fillConnectWise(page: Page, name: string, password: string): Promise<void> {
  await page.goto("/connectors/connectwisecrmrest/new");
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Server URL", { exact: true }).fill("https://api-na.myconnectwise.test");
  await page.getByLabel("Company", { exact: true }).fill("acme");
  await page.getByLabel("User Name", { exact: true }).fill("api-member");
  await page.getByLabel("Password", { exact: true }).fill(password);
}

async function storedKey(id: number): Promise<string | undefined> {
  const [row] = await queryRows<{ secrets_encrypted: string }>("SELECT secrets_encrypted FROM instances WHERE id = $1", [id]);
  return (JSON.parse(decrypt(row.secrets_encrypted)) as Record<string, string>)["event.notification.signature.key"];
}

test("the signature key is generated, revealed, copied and rotated on the instance page", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await fillConnectWise(page, "Signed desk", "cw-password-7391");
  await page.getByRole("button", { name: "Create instance" }).click();
  await expect(page).toHaveURL(/\/instances\/\d+$/);
  const id = instanceIdFromUrl(page.url());
  const key = await storedKey(id);
  expect(key).toMatch(/^whsec_/);

  const field = page.getByTestId("signature-key");
  await expect(field).toHaveValue(`••••••••${key!.slice(-4)}`);
  expect(await page.content()).not.toContain(key!.slice(6, 30));
  await page.getByRole("button", { name: "Reveal Signature key" }).click();
  await expect(field).toHaveValue(key!);
  await page.getByRole("button", { name: "Hide Signature key" }).click();
  await expect(field).toHaveValue(`••••••••${key!.slice(-4)}`);

  await page.getByRole("button", { name: "Copy Signature key" }).click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(key);

  await page.getByRole("button", { name: "Rotate Signature key" }).click();
  await expect(page.getByText("For 24 h deliveries carry signatures for both keys")).toBeVisible();
  await page.getByRole("button", { name: "Confirm rotate" }).click();
  await expect(page.getByText("Signature key rotated. Deliveries carry both keys' signatures for 24 h.")).toBeVisible();
  await expect.poll(() => storedKey(id)).not.toBe(key);
  const rotated = (await storedKey(id))!;
  expect(rotated).toMatch(/^whsec_/);
  await expect(field).toHaveValue(`••••••••${rotated.slice(-4)}`);
  await expect(page.getByTestId("previous-signature-key")).toContainText("The previous key still signs deliveries");
  await page.getByRole("button", { name: "Reveal Signature key" }).click();
  await expect(field).toHaveValue(rotated);
});

test("an instance without a key says its deliveries are unsigned, and generates one", async ({ page }) => {
  await fillConnectWise(page, "Legacy desk", "cw-password-7391");
  await page.getByRole("button", { name: "Create instance" }).click();
  await expect(page).toHaveURL(/\/instances\/\d+$/);
  const id = instanceIdFromUrl(page.url());
  // As stored before signing was the default: no key among the secrets.
  const [row] = await queryRows<{ secrets_encrypted: string }>("SELECT secrets_encrypted FROM instances WHERE id = $1", [id]);
  const secrets = JSON.parse(decrypt(row.secrets_encrypted)) as Record<string, string>;
  delete secrets["event.notification.signature.key"];
  await query("UPDATE instances SET secrets_encrypted = $2 WHERE id = $1", [id, encrypt(JSON.stringify(secrets))]);

  await page.reload();
  await expect(page.getByRole("alert").filter({ hasText: "Deliveries from this instance are unsigned" })).toBeVisible();
  await expect(page.getByTestId("signature-key")).toHaveCount(0);
  await page.getByRole("button", { name: "Generate signature key" }).click();
  await expect(page.getByText("Signature key generated: deliveries are signed from now on.")).toBeVisible();
  await expect(page.getByTestId("signature-key")).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "Deliveries from this instance are unsigned" })).toHaveCount(0);
  expect(await storedKey(id)).toMatch(/^whsec_/);
});

test("the webhook URL carries a secret; rotating it makes the old URL refused at once", async ({ page, baseURL }) => {
  await fillConnectWise(page, "Secret URL desk", "cw-password-7391");
  await page.getByRole("button", { name: "Create instance" }).click();
  await expect(page).toHaveURL(/\/instances\/\d+$/);
  const id = instanceIdFromUrl(page.url());
  await query("UPDATE instances SET events_enabled = true WHERE id = $1", [id]);
  await page.reload();

  const field = page.getByLabel("Provider webhook URL");
  const before = await field.inputValue();
  expect(new URL(before).searchParams.get("k")).toMatch(/^[A-Za-z0-9_-]{32}$/);
  await expect(page.getByText("ConnectWise signs every webhook, and unsigned ones are refused.")).toBeVisible();
  // Unsigned, so ConnectWise's signature check refuses it (401): the URL itself was accepted.
  const post = (url: string) => fetch(url.replace(/^https?:\/\/[^/]+/, baseURL!), { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  expect((await post(before)).status).toBe(401);
  // Shown live in the instance's event log: refused, with what Hookline answered.
  const log = page.locator("#event-log");
  await expect(log.getByText("Refused webhook (401)").first()).toBeVisible();
  await expect(log.getByText("Rejected", { exact: true }).first()).toBeVisible();

  await page.getByRole("button", { name: "Rotate webhook URL" }).click();
  await expect(page.getByText("The current URL stops accepting webhooks at once.")).toBeVisible();
  await page.getByRole("button", { name: "Confirm rotate" }).click();
  await expect(page.getByText(/^Webhook URL rotated/)).toBeVisible();
  await expect(field).not.toHaveValue(before);
  const after = await field.inputValue();
  expect(new URL(after).searchParams.get("k")).toMatch(/^[A-Za-z0-9_-]{32}$/);
  expect((await post(before)).status).toBe(404);
  expect((await post(after)).status).toBe(401);
  await expect(log.getByText("Refused webhook (404)").first()).toBeVisible();
  // Kept for the owner to see, as REJECTED (recorded off the ingest path, so a moment later).
  const kept = () =>
    query<{ rejected_reason: string }>("SELECT rejected_reason FROM webhook_requests WHERE instance_id = $1 AND rejected_status = 404", [id]);
  await expect.poll(async () => (await kept())[0]?.rejected_reason).toMatch(/secret \(\?k=\) is wrong/);
});

test("the form refuses a metadata callback URL and credentials ConnectWise refuses, inline, creating nothing", async ({ page }) => {
  const before = await countInstances();
  await fillConnectWise(page, "Refused desk", WRONG_PASSWORD);
  await setSwitch(page.getByRole("switch", { name: "Events Enabled" }), true);
  const callback = page.getByLabel("Event Notification Callback URL", { exact: true });
  await callback.fill("http://169.254.169.254/latest");
  await page.getByRole("button", { name: "Create instance" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Event Notification Callback URL is refused (forbidden address 169.254.169.254)" })).toBeVisible();
  await expect(callback).toHaveAttribute("aria-invalid", "true");

  await callback.fill("https://receiver.example.test/hookline");
  await page.getByRole("button", { name: "Create instance" }).click();
  await expect(
    page.getByRole("alert").filter({ hasText: "ConnectWise answered 401 when checking the credentials: Authentication failed. Check the Company, User Name and Password." }),
  ).toBeVisible();
  await expect(page).toHaveURL(/\/connectors\/connectwisecrmrest\/new$/);
  expect(await countInstances()).toBe(before);
});
