import { expect, test, type Page } from "@playwright/test";
import type { OAuth2Server } from "oauth2-mock-server";
import { query, queryRows, signInAsAdmin } from "./helpers";
import { startOAuthProvider } from "./oauth-server";

/*
 * The OAuth browser flow in real Chromium against a real OAuth 2 authorization server
 * (oauth2-mock-server) on localhost. playwright.config.ts points the app's Campaign Monitor
 * authorize/token URLs at it; this file starts it and steers it per test with its hooks.
 */

test.describe.configure({ mode: "serial" });

const SECRET = "cm-e2e-client-secret-9876";

type MutableResponse = { statusCode: number; body: Record<string, unknown> | "" };

let server: OAuth2Server;
let issued: Array<Record<string, unknown>> = [];

test.beforeAll(async () => {
  server = await startOAuthProvider();
  server.service.on("beforeResponse", (response: MutableResponse) => {
    if (response.statusCode === 200 && response.body !== "") issued.push({ ...response.body });
  });
});

test.afterAll(async () => {
  await server.stop();
});

test.beforeEach(async ({ page }) => {
  issued = [];
  await signInAsAdmin(page);
});

async function instancesNamed(name: string): Promise<number> {
  const [{ count }] = await queryRows<{ count: string }>("SELECT count(*) FROM instances WHERE name = $1", [name]);
  return Number(count);
}

/** Remembers every address the browser lands on at /oauth/callback, to replay one later. */
function recordCallbacks(page: Page): string[] {
  const urls: string[] = [];
  page.on("request", (request) => {
    if (request.isNavigationRequest() && new URL(request.url()).pathname === "/oauth/callback") urls.push(request.url());
  });
  return urls;
}

/** Fills the Campaign Monitor form the way a person does and presses "Connect to Campaign Monitor". */
async function submitCampaignMonitorForm(page: Page, name: string): Promise<void> {
  await page.goto("/connectors/campaignmonitor/new");
  await expect(page.getByRole("heading", { name: "New Campaign Monitor instance" })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Client ID", { exact: true }).fill("cm-e2e-client");
  await page.getByLabel("Client Secret", { exact: true }).fill(SECRET);
  // Prefilled with this Hookline's own callback, the address registered at the provider.
  await expect(page.getByLabel("Callback URL", { exact: true })).toHaveValue(new URL("/oauth/callback", page.url()).toString());
  await page.getByRole("button", { name: "Connect to Campaign Monitor" }).click();
}

async function expectErrorPage(page: Page, happened: RegExp): Promise<void> {
  await expect(page).toHaveURL(/\/oauth\/callback\?/);
  await expect(page.getByRole("heading", { level: 1, name: /Could not|already completed/ })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: happened })).toBeVisible();
  await expect(page.getByText(SECRET)).toHaveCount(0);
}

test("Campaign Monitor: form → consent → callback → Connected; tokens encrypted; a replayed callback creates nothing", async ({ page }) => {
  const callbacks = recordCallbacks(page);
  await submitCampaignMonitorForm(page, "CM e2e connected");

  await expect(page).toHaveURL(/\/instances\/\d+/);
  await expect(page.getByText("Connected to Campaign Monitor")).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: "CM e2e connected" })).toBeVisible();
  // The toast leaves the chart's figures readable when the page is scrolled down to them (they come
  // into view at the bottom of the window, on the right).
  const figures = page.getByText("Delivery success").first();
  await figures.evaluate((element) => window.scrollBy(0, element.getBoundingClientRect().bottom - window.innerHeight + 40));
  const toastBox = await page.locator("[data-sonner-toast]").filter({ hasText: "Connected to Campaign Monitor" }).boundingBox();
  const figuresBox = await figures.boundingBox();
  expect(toastBox && figuresBox).toBeTruthy();
  const overlaps = (a: NonNullable<typeof toastBox>, b: NonNullable<typeof toastBox>) =>
    a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  expect(overlaps(toastBox!, figuresBox!), JSON.stringify({ toastBox, figuresBox })).toBe(false);
  await expect(page.getByText("Active", { exact: true })).toBeVisible();

  const [row] = await queryRows<{ status: string; access_token_encrypted: string; refresh_token_encrypted: string; token_expires_at: Date }>(
    "SELECT status, access_token_encrypted, refresh_token_encrypted, token_expires_at FROM instances WHERE name = $1",
    ["CM e2e connected"],
  );
  const token = issued[0];
  expect(row.status).toBe("ACTIVE");
  expect(row.access_token_encrypted).toMatch(/^v1:/);
  expect(row.access_token_encrypted).not.toContain(String(token?.access_token));
  expect(row.refresh_token_encrypted).not.toContain(String(token?.refresh_token));
  expect(row.token_expires_at.getTime()).toBeGreaterThan(Date.now());

  // The same callback URL a second time: the error page, and still exactly one instance.
  expect(callbacks).toHaveLength(1);
  await page.goto(callbacks[0]!);
  await expectErrorPage(page, /already used/);
  await expect(page.getByRole("link", { name: "Open the instance" })).toBeVisible();
  expect(await instancesNamed("CM e2e connected")).toBe(1);
});

test("a forged state shows the error page and creates nothing", async ({ page }) => {
  const [{ count: before }] = await queryRows<{ count: string }>("SELECT count(*) FROM instances");
  await page.goto(`/oauth/callback?code=stolen&state=${"A".repeat(43)}`);
  await expectErrorPage(page, /does not belong to an authorization Hookline started/);
  const [{ count: after }] = await queryRows<{ count: string }>("SELECT count(*) FROM instances");
  expect(after).toBe(before);
});

test("access_denied at the provider shows the error page, creates nothing, and offers Try again", async ({ page }) => {
  server.service.once("beforeAuthorizeRedirect", ({ url }: { url: URL }) => {
    url.searchParams.delete("code");
    url.searchParams.set("error", "access_denied");
    url.searchParams.set("error_description", "<b>Call 555-0100 to unlock your account</b>");
  });
  await submitCampaignMonitorForm(page, "CM e2e denied");
  await expectErrorPage(page, /Access was not granted at Campaign Monitor/);
  // The provider's description is attacker-controllable text: never shown.
  await expect(page.getByText(/555-0100/)).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Try again" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Back to the form" })).toHaveAttribute("href", /^\/connectors\/campaignmonitor\/new\?from=[0-9a-f-]{36}$/);
  expect(await instancesNamed("CM e2e denied")).toBe(0);
});

test("after an error, 'Back to the form' and the browser's Back bring the kept entries back; the kept secret is used, never shown", async ({ page }) => {
  const deny = () =>
    server.service.once("beforeAuthorizeRedirect", ({ url }: { url: URL }) => {
      url.searchParams.delete("code");
      url.searchParams.set("error", "access_denied");
    });
  const expectRestored = async (name: string) => {
    await expect(page).toHaveURL(/\/connectors\/campaignmonitor\/new\?from=[0-9a-f-]{36}$/);
    await expect(page.getByTestId("kept-entries")).toContainText("Client Secret");
    await expect(page.getByLabel("Name", { exact: true })).toHaveValue(name);
    await expect(page.getByLabel("Client ID", { exact: true })).toHaveValue("cm-e2e-client");
    await expect(page.getByLabel("Client Secret", { exact: true })).toHaveValue("");
    expect(await page.content()).not.toContain(SECRET);
  };

  deny();
  await submitCampaignMonitorForm(page, "CM e2e kept");
  await expectErrorPage(page, /Access was not granted/);
  await expect(page.getByText("your form entries were kept")).toBeVisible();
  await page.getByRole("link", { name: "Back to the form" }).click();
  await expectRestored("CM e2e kept");

  // Sent again with the secret left blank: the kept one goes to the token endpoint.
  const sentSecrets: string[] = [];
  const capture = (_response: unknown, request: { body?: Record<string, unknown>; headers: Record<string, string | undefined> }) => {
    const basic = request.headers.authorization?.replace(/^Basic /, "");
    sentSecrets.push(String(request.body?.client_secret ?? ""), basic ? Buffer.from(basic, "base64").toString() : "");
  };
  server.service.on("beforeResponse", capture);
  try {
    await page.getByRole("button", { name: "Connect to Campaign Monitor" }).click();
    await expect(page.getByText("Connected to Campaign Monitor")).toBeVisible();
  } finally {
    server.service.off("beforeResponse", capture);
  }
  expect(await instancesNamed("CM e2e kept")).toBe(1);
  expect(sentSecrets.some((sent) => sent.includes(SECRET))).toBe(true);

  // The browser's Back from the error page lands on the form with the entries, too.
  deny();
  await submitCampaignMonitorForm(page, "CM e2e back");
  await expectErrorPage(page, /Access was not granted/);
  await page.goBack();
  await expectRestored("CM e2e back");
});

test("a token endpoint answering 500 shows the error page with nothing created; Try again then connects from the kept draft", async ({ page }) => {
  server.service.once("beforeResponse", (response: MutableResponse) => {
    response.statusCode = 500;
    response.body = { error: "server_error" };
  });
  await submitCampaignMonitorForm(page, "CM e2e token 500");
  await expectErrorPage(page, /HTTP 500/);
  expect(await instancesNamed("CM e2e token 500")).toBe(0);

  await page.getByRole("button", { name: "Try again" }).click();
  await expect(page).toHaveURL(/\/instances\/\d+/);
  await expect(page.getByText("Connected to Campaign Monitor")).toBeVisible();
  expect(await instancesNamed("CM e2e token 500")).toBe(1);
});

test("an expired state (11 minutes) shows the error page and creates nothing", async ({ page }) => {
  // Hold the provider's redirect back (the browser goes to the instance list instead), age the pending
  // authorization past 10 minutes, then arrive at the callback with it.
  let held: string | undefined;
  server.service.once("beforeAuthorizeRedirect", ({ url }: { url: URL }) => {
    held = url.href;
    url.pathname = "/instances";
    url.search = "";
  });
  await submitCampaignMonitorForm(page, "CM e2e expired");
  await expect(page).toHaveURL(/\/instances$/);
  expect(held).toMatch(/\/oauth\/callback\?code=/);
  await query(
    "UPDATE oauth_authorizations SET created_at = created_at - interval '11 minutes' WHERE id = (SELECT id FROM oauth_authorizations ORDER BY created_at DESC LIMIT 1)",
  );

  await page.goto(held!);
  await expectErrorPage(page, /more than 10 minutes/i);
  expect(await instancesNamed("CM e2e expired")).toBe(0);
});
