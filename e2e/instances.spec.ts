import { expect, test, type Page } from "@playwright/test";
import { decrypt } from "../lib/crypto/secrets";
import type { OAuth2Server } from "oauth2-mock-server";
import {
  countInstances,
  encodeInstanceId,
  instanceIdFromUrl,
  query,
  queryRows,
  setSwitch,
  signInAsAdmin,
  watchCspViolations,
} from "./helpers";
import { startConnectWise } from "./connectwise-server";
import { startOAuthProvider } from "./oauth-server";

test.describe.configure({ mode: "serial" });

// Every page of this spec must work under the Content Security Policy: a refused script is a failure.
const cspViolations: string[] = [];
test.beforeEach(({ page }) => watchCspViolations(page, cspViolations));
test.afterEach(() => expect(cspViolations).toEqual([]));

// OAuth connectors go through consent: a real OAuth 2 server stands in for the three providers.
// ConnectWise instances are checked with one call to its API when saved: a fake stands in for it.
let provider: OAuth2Server;
let connectwise: Awaited<ReturnType<typeof startConnectWise>>;
test.beforeAll(async () => {
  provider = await startOAuthProvider();
  connectwise = await startConnectWise();
});
test.afterAll(async () => {
  await provider.stop();
  await connectwise.provider.close();
});

type Tile = {
  /** The tile's accessible name and the connector's display name. */
  name: string;
  key: string;
  oauth: boolean;
  /** Required fields by their catalog label. */
  required: Record<string, string>;
  /** The secret among them: its label and value. */
  secret: { label: string; apiName: string; value: string };
  /** Events-group fields besides the callback URL that the connector needs with events on. */
  events?: Record<string, string>;
};

const tiles: Tile[] = [
  {
    name: "Campaign Monitor",
    key: "campaignmonitor",
    oauth: true,
    required: {
      "Client ID": "cm-client-id",
      "Client Secret": "cm-client-secret-4821",
    },
    secret: { label: "Client Secret", apiName: "oauth.api.secret", value: "cm-client-secret-4821" },
    events: { "List IDs": "list-a, list-b" },
  },
  {
    name: "ConnectWise",
    key: "connectwisecrmrest",
    oauth: false,
    required: {
      "Server URL": "https://api-na.myconnectwise.test",
      Company: "acme",
      "User Name": "api-member",
      Password: "cw-password-7391",
    },
    secret: { label: "Password", apiName: "private.key", value: "cw-password-7391" },
  },
  {
    name: "Hootsuite",
    key: "hootsuite",
    oauth: true,
    required: {
      "Client ID": "hs-client-id",
      "Client Secret": "hs-client-secret-5550",
    },
    secret: { label: "Client Secret", apiName: "oauth.api.secret", value: "hs-client-secret-5550" },
  },
  {
    name: "MailChimp",
    key: "mailchimpv3",
    oauth: true,
    required: {
      "Client ID": "mc-client-id",
      "Client Secret": "mc-client-secret-1208",
    },
    secret: { label: "Client Secret", apiName: "oauth.api.secret", value: "mc-client-secret-1208" },
  },
];

const receiver = "https://receiver.example.test/hookline";

/** OAuth connectors' forms continue to the provider's consent page; the others save directly. */
function submitButton(page: Page, connector: Tile) {
  return page.getByRole("button", { name: connector.oauth ? `Connect to ${connector.name}` : "Create instance" });
}

function tile(name: string): Tile {
  const found = tiles.find((t) => t.name === name);
  if (!found) throw new Error(`no tile ${name}`);
  return found;
}

/** Opens the connector's form from its tile on /connectors. */
async function openTile(page: Page, connector: Tile): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Connectors" }).click();
  await page.getByRole("link", { name: connector.name, exact: true }).click();
  await expect(page.getByRole("heading", { name: `New ${connector.name} instance` })).toBeVisible();
}

async function fillRequired(page: Page, connector: Tile, name: string): Promise<void> {
  await page.getByLabel("Name", { exact: true }).fill(name);
  for (const [label, value] of Object.entries(connector.required)) {
    await page.getByLabel(label, { exact: true }).fill(value);
  }
}

/** Creates an instance through the form (events off unless `callbackUrl`) and returns its id. */
async function createThroughForm(
  page: Page,
  connector: Tile,
  name: string,
  options: { callbackUrl?: string; tags?: string[] } = {},
): Promise<number> {
  await openTile(page, connector);
  await fillRequired(page, connector, name);
  if (options.tags?.length) {
    await page.getByRole("button", { name: "Show optional fields" }).click();
    for (const tag of options.tags) {
      await page.getByLabel("Tags", { exact: true }).fill(tag);
      await page.getByLabel("Tags", { exact: true }).press("Enter");
    }
  }
  if (options.callbackUrl) {
    await setSwitch(page.getByRole("switch", { name: "Events Enabled" }), true);
    await page.getByLabel("Event Notification Callback URL", { exact: true }).fill(options.callbackUrl);
    for (const [label, value] of Object.entries(connector.events ?? {})) {
      await page.getByLabel(label, { exact: true }).fill(value);
    }
  }
  await submitButton(page, connector).click();
  await expect(page).toHaveURL(/\/instances\/\d+(\?connected=1)?$/);
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  return instanceIdFromUrl(page.url());
}

type StoredInstance = {
  id: number;
  name: string;
  element_key: string;
  events_enabled: boolean;
  status: string;
  tags: string[];
  configuration: Record<string, unknown>;
  secrets_encrypted: string | null;
};

async function stored(id: number): Promise<StoredInstance | undefined> {
  const [row] = await query<StoredInstance>(
    "SELECT id, name, element_key, events_enabled, status::text AS status, tags, configuration, secrets_encrypted FROM instances WHERE id = $1",
    [id],
  );
  return row;
}

function storedSecrets(row: StoredInstance | undefined): Record<string, string> {
  if (!row?.secrets_encrypted) return {};
  return JSON.parse(decrypt(row.secrets_encrypted)) as Record<string, string>;
}

test.beforeEach(async ({ page }) => {
  await signInAsAdmin(page);
});

for (const connector of tiles) {
  test(`${connector.name}: create from its tile with events enabled`, async ({ page }) => {
    await openTile(page, connector);
    const name = `${connector.name} e2e`;
    await fillRequired(page, connector, name);

    // The form is generated from the catalog: each field shows its API name; the OAuth code is never asked for.
    await expect(page.getByText(connector.secret.apiName, { exact: true })).toBeVisible();
    await expect(page.getByLabel("Authorization Code")).toHaveCount(0);
    await expect(page.getByLabel(connector.secret.label, { exact: true })).toHaveAttribute("type", "password");

    // Optional fields (Tags among them) wait behind a toggle.
    await expect(page.getByLabel("Tags", { exact: true })).toHaveCount(0);
    await page.getByRole("button", { name: "Show optional fields" }).click();
    const tags = page.getByLabel("Tags", { exact: true });
    await tags.fill("e2e");
    await tags.press("Enter");
    await tags.fill(connector.key);
    await tags.press(",");
    await expect(page.getByRole("button", { name: "Remove tag e2e" })).toBeVisible();
    await expect(page.getByRole("button", { name: `Remove tag ${connector.key}` })).toBeVisible();

    // The events group is hidden until Events Enabled is switched on.
    const callback = page.getByLabel("Event Notification Callback URL", { exact: true });
    const eventsSwitch = page.getByRole("switch", { name: "Events Enabled" });
    await expect(callback).toBeHidden();
    await expect(eventsSwitch).toHaveAttribute("aria-checked", "false");
    await setSwitch(eventsSwitch, true);
    await expect(callback).toBeVisible();
    await expect(page.getByLabel("Callback Notification Signature Key", { exact: true })).toBeVisible();
    // The delivery rate, with the event settings: a decimal number input with its description.
    const rate = page.getByLabel("Event Notification Max Rate", { exact: true });
    await expect(rate).toBeVisible();
    await expect(rate).toHaveAttribute("type", "number");
    await expect(rate).toHaveAttribute("step", "any");
    await expect(page.getByText(/^The most deliveries per second Hookline makes/)).toBeVisible();
    await rate.fill("0");

    // With events on, the callback URL is required; a rate of 0 is refused on its field.
    await submitButton(page, connector).click();
    await expect(
      page.getByRole("alert").filter({ hasText: "Event Notification Callback URL is required when events are enabled" }),
    ).toBeVisible();
    await expect(callback).toHaveAttribute("aria-invalid", "true");
    await expect(
      page.getByRole("alert").filter({ hasText: "Event Notification Max Rate must be a number greater than 0 and at most 10000" }),
    ).toBeVisible();
    await expect(rate).toHaveAttribute("aria-invalid", "true");

    await callback.fill(receiver);
    await rate.fill("0.5");
    for (const [label, value] of Object.entries(connector.events ?? {})) {
      await page.getByLabel(label, { exact: true }).fill(value);
    }
    if (connector.oauth) {
      await expect(page.getByText(`Next, ${connector.name} asks you to grant access`)).toBeVisible();
      await expect(page.getByTestId("oauth-callback-url")).toHaveText(/\/oauth\/callback$/);
    }
    await submitButton(page, connector).click();

    // OAuth: consent at the provider, back through /oauth/callback, then the new instance.
    await expect(page).toHaveURL(/\/instances\/\d+(\?connected=1)?$/);
    await expect(page.getByText(connector.oauth ? `Connected to ${connector.name}` : `${connector.name} instance created`)).toBeVisible();
    const id = instanceIdFromUrl(page.url());
    await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
    const webhookUrl = page.getByLabel("Provider webhook URL");
    await expect(webhookUrl).toBeVisible();
    await expect(webhookUrl).toHaveValue(
      new RegExp(`^https?://[^/]+/elements/api-v2/events/${connector.key}/${encodeInstanceId(id).replace(/[+=]/g, "\\$&")}\\?k=[A-Za-z0-9_-]{32}$`),
    );
    await expect(page.getByRole("switch", { name: "Events enabled" })).toHaveAttribute("aria-checked", "true");
    await expect(page.getByText("Active", { exact: true })).toBeVisible();
    if (connector.key === "hootsuite") {
      const steps = page.getByRole("list", { name: "Hootsuite webhook setup" }).getByRole("listitem");
      await expect(steps).toHaveCount(5);
      await expect(steps.first()).toContainText("Events Enabled");
    } else {
      await expect(page.getByRole("list", { name: /webhook setup/ })).toHaveCount(0);
    }
    // The secret is shown masked: its last four characters only.
    const secretRow = page.getByRole("row", { name: new RegExp(`^${connector.secret.label} `) });
    await expect(secretRow).toContainText(`••••••••${connector.secret.value.slice(-4)}`);
    await expect(page.getByText(connector.secret.value)).toHaveCount(0);
    await expect(page.getByRole("row", { name: /^Event Notification Max Rate / })).toContainText("0.5");

    const row = await stored(id);
    // Stored as a JSON number, not the input's text.
    expect(row?.configuration["event.notification.max.rate"]).toBe(0.5);
    expect(row).toMatchObject({ name, element_key: connector.key, events_enabled: true, tags: ["e2e", connector.key] });
    expect(row?.configuration["event.notification.callback.url"]).toBe(receiver);
    expect(JSON.stringify(row?.configuration)).not.toContain(connector.secret.value);
    expect(storedSecrets(row)[connector.secret.apiName]).toBe(connector.secret.value);
    if (connector.events?.["List IDs"]) expect(row?.configuration["events.list.ids"]).toBe("list-a,list-b");

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Instances" }).click();
    const listed = page.getByRole("row").filter({ has: page.getByRole("link", { name, exact: true }) });
    await expect(listed).toBeVisible();
    await expect(listed).toContainText(connector.name);
    await expect(listed).toContainText("On");
    await expect(listed).toContainText("Active");
    await expect(listed.getByRole("time")).toHaveAttribute("title", /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  });
}

test("a bad callback URL is reported inline and nothing is created", async ({ page }) => {
  const before = await countInstances();
  const connector = tile("MailChimp");
  await openTile(page, connector);

  // An empty form names every required field.
  await submitButton(page, connector).click();
  await expect(page.getByRole("alert").filter({ hasText: "Name is required" })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "Client ID is required" })).toBeVisible();
  await expect(page.getByLabel("Name", { exact: true })).toHaveAttribute("aria-invalid", "true");

  await fillRequired(page, connector, "Bad callback");
  await setSwitch(page.getByRole("switch", { name: "Events Enabled" }), true);
  const callback = page.getByLabel("Event Notification Callback URL", { exact: true });
  await callback.fill("not a url");
  await submitButton(page, connector).click();

  await expect(
    page.getByRole("alert").filter({ hasText: "Event Notification Callback URL must be an http or https URL" }),
  ).toBeVisible();
  await expect(callback).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("alert").filter({ hasText: "Name is required" })).toHaveCount(0);
  await expect(page).toHaveURL(/\/connectors\/mailchimpv3\/new$/);
  expect(await countInstances()).toBe(before);
});

test("edit: a new name is saved and a blank secret keeps the stored one", async ({ page }) => {
  const connector = tile("ConnectWise");
  const id = await createThroughForm(page, connector, "Desk before edit", { tags: ["desk"] });
  const before = await stored(id);
  expect(storedSecrets(before)["private.key"]).toBe("cw-password-7391");

  await page.getByRole("link", { name: "Edit" }).click();
  await expect(page.getByRole("heading", { name: "Edit Desk before edit" })).toBeVisible();
  const name = page.getByLabel("Name", { exact: true });
  await expect(name).toHaveValue("Desk before edit");
  await expect(page.getByLabel("Company", { exact: true })).toHaveValue("acme");
  // The secret is never sent to the browser, not even masked.
  const password = page.getByLabel("Password", { exact: true });
  await expect(password).toHaveValue("");
  await expect(password).toHaveAttribute("placeholder", "Leave blank to keep the current value");
  expect(await page.content()).not.toContain("7391");
  // Optional fields that are set (the tag) open with the form.
  await expect(page.getByRole("button", { name: "Remove tag desk" })).toBeVisible();

  await name.fill("Desk after edit");
  await page.getByRole("button", { name: "Remove tag desk" }).click();
  await page.getByLabel("Tags", { exact: true }).fill("helpdesk");
  await page.getByLabel("Tags", { exact: true }).press("Enter");
  await page.getByRole("button", { name: "Save changes" }).click();

  await expect(page).toHaveURL(new RegExp(`/instances/${id}$`));
  await expect(page.getByText("Instance saved")).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: "Desk after edit" })).toBeVisible();
  await expect(page.getByRole("row", { name: /^Password / })).toContainText("••••••••7391");

  const after = await stored(id);
  expect(after?.name).toBe("Desk after edit");
  expect(after?.tags).toEqual(["helpdesk"]);
  expect(storedSecrets(after)).toEqual(storedSecrets(before));

  // Typing a new secret replaces it.
  await page.getByRole("link", { name: "Edit" }).click();
  await page.getByLabel("Password", { exact: true }).fill("a-new-password-2468");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("row", { name: /^Password / })).toContainText("••••••••2468");
  expect(storedSecrets(await stored(id))["private.key"]).toBe("a-new-password-2468");
});

test("edit: the delivery rate is set, shown as typed, and cleared", async ({ page }) => {
  const connector = tile("ConnectWise");
  const id = await createThroughForm(page, connector, "Rated desk", { callbackUrl: receiver });
  expect((await stored(id))?.configuration).not.toHaveProperty("event.notification.max.rate");

  await page.getByRole("link", { name: "Edit" }).click();
  const rate = page.getByLabel("Event Notification Max Rate", { exact: true });
  await expect(rate).toHaveValue("");
  await rate.fill("25");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Instance saved")).toBeVisible();
  await expect(page.getByRole("row", { name: /^Event Notification Max Rate / })).toContainText("25");
  expect((await stored(id))?.configuration["event.notification.max.rate"]).toBe(25);

  await page.getByRole("link", { name: "Edit" }).click();
  await expect(rate).toHaveValue("25");
  await rate.fill("");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Rated desk" })).toBeVisible();
  await expect(page.getByRole("row", { name: /^Event Notification Max Rate / })).toHaveCount(0);
  expect((await stored(id))?.configuration).not.toHaveProperty("event.notification.max.rate");
});

test("the docs page lists the delivery rate with its type and bounds", async ({ page }) => {
  await page.goto("/docs");
  const rows = page.getByRole("row").filter({ hasText: "event.notification.max.rate" });
  await expect(rows).toHaveCount(4);
  await expect(rows.first()).toContainText("Event Notification Max Rate");
  await expect(rows.first()).toContainText("A JSON number greater than 0 and at most 10000.");
  await expect(rows.first().getByRole("cell").last()).toHaveText("number");
});

test("the events switch on the instance page needs a callback URL, then turns events on and off", async ({ page }) => {
  const connector = tile("ConnectWise");
  const id = await createThroughForm(page, connector, "Events switch desk");
  const toggle = page.getByRole("switch", { name: "Events enabled" });
  await expect(toggle).toHaveAttribute("aria-checked", "false");

  // No callback URL yet: refused with the reason, and the switch stays off.
  await toggle.click();
  await expect(page.getByText("Event Notification Callback URL is required when events are enabled")).toBeVisible();
  await expect(toggle).toHaveAttribute("aria-checked", "false");
  expect((await stored(id))?.events_enabled).toBe(false);

  // Give it one through the edit form (events stay off there), then switch on from the instance page.
  await page.getByRole("link", { name: "Edit" }).click();
  await expect(page.getByLabel("Event Notification Callback URL", { exact: true })).toBeHidden();
  await setSwitch(page.getByRole("switch", { name: "Events Enabled" }), true);
  await page.getByLabel("Event Notification Callback URL", { exact: true }).fill(receiver);
  await setSwitch(page.getByRole("switch", { name: "Events Enabled" }), false);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page).toHaveURL(new RegExp(`/instances/${id}$`));
  await expect(toggle).toHaveAttribute("aria-checked", "false");

  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-checked", "true");
  await expect(page.getByText("Events enabled", { exact: true })).toBeVisible();
  await expect.poll(async () => (await stored(id))?.events_enabled).toBe(true);
  await page.reload();
  await expect(toggle).toHaveAttribute("aria-checked", "true");

  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-checked", "false");
  await expect.poll(async () => (await stored(id))?.events_enabled).toBe(false);
  expect((await stored(id))?.configuration["event.notification.callback.url"]).toBe(receiver);
});

test("delete asks for confirmation, then removes the instance", async ({ page }) => {
  const id = await createThroughForm(page, tile("Hootsuite"), "Short-lived social");

  await page.getByRole("button", { name: "Delete instance" }).click();
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("button", { name: "Confirm delete" })).toHaveCount(0);
  expect(await stored(id)).toBeDefined();

  await page.getByRole("button", { name: "Delete instance" }).click();
  await page.getByRole("button", { name: "Confirm delete" }).click();
  await expect(page).toHaveURL(/\/instances$/);
  await expect(page.getByText("Deleted “Short-lived social”")).toBeVisible();
  await expect(page.getByRole("link", { name: "Short-lived social" })).toHaveCount(0);
  expect(await stored(id)).toBeUndefined();

  await page.goto(`/instances/${id}`);
  await expect(page.getByText("This page could not be found")).toBeVisible();
});

test("the list filters by connector and by tag through the URL", async ({ page }) => {
  await page.goto("/instances");
  const rows = page.getByRole("table", { name: "Instances" }).locator("tbody tr");
  const total = await rows.count();
  expect(total).toBeGreaterThanOrEqual(6);

  await page.getByLabel("Connector", { exact: true }).selectOption({ label: "Hootsuite" });
  await expect(page).toHaveURL(/\?connector=hootsuite$/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("Hootsuite e2e");

  await page.getByLabel("Connector", { exact: true }).selectOption({ label: "ConnectWise" });
  await expect(page).toHaveURL(/\?connector=connectwisecrmrest$/);
  await page.getByLabel("Tag", { exact: true }).selectOption("e2e");
  await expect(page).toHaveURL(/\?connector=connectwisecrmrest&tag=e2e$/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("ConnectWise e2e");

  await page.getByLabel("Tag", { exact: true }).selectOption("mailchimpv3");
  await expect(page.getByRole("heading", { name: "No instance matches" })).toBeVisible();

  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(page).toHaveURL(/\/instances$/);
  await expect(rows).toHaveCount(total);

  // A shared link opens filtered.
  await page.goto("/instances?tag=mailchimpv3");
  await expect(rows).toHaveCount(1);
  await expect(page.getByLabel("Tag", { exact: true })).toHaveValue("mailchimpv3");
});

test("unknown connectors and other organizations' instances are not found", async ({ page }) => {
  await page.goto("/connectors/nosuchconnector/new");
  await expect(page.getByText("This page could not be found")).toBeVisible();

  const [org] = await queryRows<{ id: string }>(
    "INSERT INTO organizations (id, name, secret_hash, secret_encrypted) VALUES (gen_random_uuid(), 'Other org', md5(random()::text), 'x') RETURNING id",
  );
  const [foreign] = await queryRows<{ id: number }>(
    `INSERT INTO instances (organization_id, element_key, element_key_sent, name, tags, configuration, token_hash, token_encrypted, updated_at)
     VALUES ($1, 'hootsuite', 'hootsuite', 'Foreign instance', '{}', '{}', md5(random()::text), 'x', now()) RETURNING id`,
    [org.id],
  );
  try {
    for (const path of [`/instances/${foreign.id}`, `/instances/${foreign.id}/edit`, "/instances/0", "/instances/abc"]) {
      await page.goto(path);
      await expect(page.getByText("This page could not be found")).toBeVisible();
    }
    await page.goto("/instances");
    await expect(page.getByRole("link", { name: "Foreign instance" })).toHaveCount(0);
  } finally {
    await query("DELETE FROM organizations WHERE id = $1", [org.id]);
  }
});

test("an API path no endpoint has answers JSON 404 with a message; the real endpoints still answer", async ({ request }) => {
  for (const [method, path] of [
    ["GET", "/elements/api-v2/nope"],
    ["POST", "/elements/api-v2/instances/1/nope"],
    ["DELETE", "/elements/api-v2/a/b/c"],
  ] as const) {
    const response = await request.fetch(path, { method });
    expect(response.status(), `${method} ${path}`).toBe(404);
    expect(response.headers()["content-type"]).toContain("application/json");
    expect((await response.json()).message).toContain("openapi.json");
  }
  expect((await request.get("/elements/api-v2/openapi.json")).status()).toBe(200);
  expect((await request.get("/elements/api-v2/instances")).status()).toBe(401);
  expect((await request.get("/elements/api-v2/elements")).status()).not.toBe(404);
});
