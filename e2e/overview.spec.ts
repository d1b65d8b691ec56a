import { randomBytes } from "node:crypto";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { hashPassword } from "../lib/auth/password";
import { encrypt, hashSecret } from "../lib/crypto/secrets";
import { ensureAdmin, query, queryRows } from "./helpers";

/*
 * The Overview in real Chromium, for an organization of its own (so other specs' instances do not
 * count): the getting-started steps until the first instance, then the dashboard with its figures,
 * chart and what needs attention, each item a link to the filtered log or the instance.
 */

test.describe.configure({ mode: "serial" });

const person = { email: "overview@acme.test", password: "overview horse battery" };
let organizationId = "";

test.beforeAll(async ({ browser }) => {
  // The first-run admin must exist, or the sign-in page sends everyone to /setup.
  const page = await browser.newPage();
  await ensureAdmin(page);
  await page.close();
  const secret = () => randomBytes(24).toString("base64url");
  const orgSecret = secret();
  const [org] = await queryRows<{ id: string }>(
    "INSERT INTO organizations (id, name, secret_hash, secret_encrypted) VALUES (gen_random_uuid(), 'Overview Org', $1, $2) RETURNING id",
    [hashSecret(orgSecret), encrypt(orgSecret)],
  );
  organizationId = org.id;
  const userSecret = secret();
  await query(
    `INSERT INTO users (id, organization_id, email, name, password_hash, secret_hash, secret_encrypted)
     VALUES (gen_random_uuid(), $1, $2, 'Olivia', $3, $4, $5)`,
    [organizationId, person.email, await hashPassword(person.password), hashSecret(userSecret), encrypt(userSecret)],
  );
});

test.afterAll(async () => {
  if (organizationId) await query("DELETE FROM organizations WHERE id = $1", [organizationId]);
});

async function signIn(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  return page;
}

async function seedInstance(name: string, status = "ACTIVE"): Promise<number> {
  const token = randomBytes(32).toString("base64url");
  const [{ id }] = await queryRows<{ id: number }>(
    `INSERT INTO instances (organization_id, element_key, element_key_sent, name, tags, configuration, events_enabled, status, token_hash, token_encrypted, updated_at)
     VALUES ($1, 'campaignmonitor', 'campaignmonitor', $2, '{}', '{"event.notification.enabled":true,"event.notification.callback.url":"https://receiver.test/"}',
             true, $3::"InstanceStatus", $4, $5, now()) RETURNING id`,
    [organizationId, name, status, hashSecret(token), encrypt(token)],
  );
  return id;
}

/** `count` events of the instance made `minutesAgo`, each with one attempt of `latencyMs` answered `statusCode`. */
async function seedEvents(instanceId: number, count: number, status: string, statusCode: number, latencyMs: number, minutesAgo: number) {
  await query(
    `WITH made AS (
       INSERT INTO events (id, event_id, instance_id, organization_id, element_key, summary, event_count, payload, status, attempts, created_at, last_attempt_at)
       SELECT gen_random_uuid(), 'overview-e2e-' || gen_random_uuid(), $1, $2::uuid, 'campaignmonitor',
              '[{"eventType":"CREATED","objectType":"subscriber","objectId":"x@example.org"}]', 1, '\\x7b7d', $3::"EventStatus", 1,
              now() - $6 * interval '1 minute', now() - $6 * interval '1 minute' + interval '1 second'
         FROM generate_series(1, $7::int)
       RETURNING id, created_at)
     INSERT INTO delivery_attempts (id, event_id, attempt, started_at, url, status_code, latency_ms, error)
     SELECT gen_random_uuid(), id, 1, created_at + interval '1 second', 'https://receiver.test/', $4, $5,
            CASE WHEN $4 BETWEEN 200 AND 299 THEN NULL ELSE 'receiver answered ' || $4 END
       FROM made`,
    [instanceId, organizationId, status, statusCode, latencyMs, minutesAgo, count],
  );
}

test("without instances the Overview shows the getting-started steps, with one it shows the dashboard", async ({ browser }) => {
  const page = await signIn(browser);
  const steps = page.getByRole("region", { name: "Getting started" });
  await expect(steps.getByRole("link", { name: /Connect an account/ })).toBeVisible();
  await expect(page.getByText("Needs attention")).toHaveCount(0);

  await seedInstance("Quiet instance");
  await page.reload();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Getting started" })).toHaveCount(0);
  await expect(page.getByTestId("overview-instances")).toContainText("Active1");
  await expect(page.getByTestId("overview-attention")).toContainText("Nothing");
  await expect(page.getByTestId("figure-success")).toHaveText("—");
  await page.context().close();
});

test("the dashboard counts the last 24 hours and links each problem to the filtered log or the instance", async ({ browser }) => {
  const busy = await seedInstance("Busy instance");
  const reauth = await seedInstance("Expired grant", "NEEDS_REAUTHORIZATION");
  await query("UPDATE instances SET auth_error = 'The provider refused the refresh token.' WHERE id = $1", [reauth]);
  await query(
    "INSERT INTO delivery_lanes (instance_id, state, consecutive_failures, paused_at, pause_reason) VALUES ($1, 'PAUSED', 10, now(), 'receiver answered 503')",
    [busy],
  );
  await seedEvents(busy, 18, "DELIVERED", 200, 40, 90);
  await seedEvents(busy, 2, "DEAD", 503, 900, 30);

  const page = await signIn(browser);
  await expect(page.getByTestId("figure-events")).toHaveText("20");
  await expect(page.getByTestId("figure-attempts")).toHaveText("20");
  await expect(page.getByTestId("figure-success")).toHaveText("90.0%");
  await expect(page.getByTestId("figure-p95")).toHaveText("900 ms");
  await expect(page.getByTestId("traffic-chart")).toHaveAttribute("aria-label", /20 events received, 20 delivery attempts/);
  const instances = page.getByTestId("overview-instances");
  await expect(instances).toContainText("Active2");
  await expect(instances).toContainText("Needs re-authorization1");

  const attention = page.getByTestId("overview-attention");
  await expect(attention.getByRole("link", { name: /Deliveries to Busy instance are paused/ })).toHaveAttribute("href", `/instances/${busy}`);
  await expect(attention.getByRole("link", { name: /Expired grant needs re-authorization/ })).toHaveAttribute("href", `/instances/${reauth}`);
  await attention.getByRole("link", { name: /2 dead events/ }).click();
  await expect(page).toHaveURL(/\/events\?status=dead$/);
  await expect(page.getByRole("table", { name: "Events" }).getByRole("row").filter({ hasText: "Busy instance" })).toHaveCount(2);
  await page.context().close();
});
