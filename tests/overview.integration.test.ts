// The Overview's figures (lib/overview/query.ts) against a real database: instances by state, the last
// 24 hours of events and delivery attempts (success rate, p95 latency, hourly buckets), what needs
// attention with its links, and nothing of another organization's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disconnectDb, db } from "@/lib/db/client";
import { closeEventsPool, eventsPool } from "@/lib/db/pg-pool";
import { closeReadPool } from "@/lib/db/read-pool";
import { loadOverview } from "@/lib/overview/query";
import { COUNT_CAP } from "@/lib/overview/schema";
import { createTenant, type Tenant } from "./helpers/api";
import { seedInstance } from "./helpers/events";

const HOUR = 3_600_000;
const now = new Date(Math.floor(Date.now() / 1000) * 1000);

type Seeded = { id: number; organizationId: string; elementKey: string };

/** An event `hoursAgo` before `now`, with one attempt per entry of `attempts` (latency, status code). */
async function seedEvent(instance: Seeded, hoursAgo: number, status: string, attempts: { latencyMs: number; statusCode: number | null }[] = []) {
  const createdAt = new Date(now.getTime() - hoursAgo * HOUR);
  const { rows } = await eventsPool().query<{ id: string }>(
    `INSERT INTO events (id, event_id, instance_id, organization_id, element_key, summary, event_count, payload, status, attempts, created_at, last_attempt_at)
     VALUES (gen_random_uuid(), 'overview-' || gen_random_uuid(), $1, $2::uuid, $3, '[]', 1, '\\x7b7d', $4::"EventStatus", $5, $6, $7)
     RETURNING id`,
    [instance.id, instance.organizationId, instance.elementKey, status, attempts.length, createdAt, attempts.length ? new Date(createdAt.getTime() + attempts.length * 1000) : null],
  );
  const eventId = rows[0]!.id;
  for (const [index, attempt] of attempts.entries()) {
    const ok = attempt.statusCode !== null && attempt.statusCode < 300;
    await eventsPool().query(
      `INSERT INTO delivery_attempts (id, event_id, attempt, started_at, url, status_code, latency_ms, error)
       VALUES (gen_random_uuid(), $1::uuid, $2, $3, 'https://receiver.test/', $4, $5, $6)`,
      [eventId, index + 1, new Date(createdAt.getTime() + (index + 1) * 1000), attempt.statusCode, attempt.latencyMs, ok ? null : "receiver answered 503"],
    );
  }
}

async function lane(instanceId: number, state: "ACTIVE" | "PAUSED", failures: number, reason: string | null) {
  await eventsPool().query(
    `INSERT INTO delivery_lanes (instance_id, state, consecutive_failures, paused_at, pause_reason)
     VALUES ($1, $2::"LaneState", $3, CASE WHEN $2 = 'PAUSED' THEN now() END, $4)`,
    [instanceId, state, failures, reason],
  );
}

let acme: Tenant;
let globex: Tenant;
let empty: Tenant;
const ids: Record<string, number> = {};

beforeAll(async () => {
  acme = await createTenant("Overview Acme");
  globex = await createTenant("Overview Globex");
  empty = await createTenant("Overview Empty");
  const make = async (tenant: Tenant, name: string) => {
    const instance = await seedInstance(tenant, "campaignmonitor", { "event.notification.callback.url": "https://receiver.test/" }, name);
    ids[name] = instance.id;
    return instance;
  };
  const alpha = await make(acme, "Acme Alpha");
  await make(acme, "Acme Beta");
  await make(acme, "Acme Gamma");
  await make(acme, "Acme Delta");
  await make(acme, "Acme Epsilon");
  await make(acme, "Acme Zeta");
  await db().instance.update({ where: { id: ids["Acme Beta"] }, data: { status: "NEEDS_REAUTHORIZATION", authError: "The provider refused the refresh token." } });
  await db().instance.update({ where: { id: ids["Acme Gamma"] }, data: { subscriptionStatus: "FAILED", subscriptionError: "404 List not found" } });
  await db().instance.update({ where: { id: ids["Acme Epsilon"] }, data: { deliveryDisabledAt: new Date() } });
  await db().instance.update({ where: { id: ids["Acme Zeta"] }, data: { status: "PENDING_AUTHORIZATION", eventsEnabled: false } });
  await lane(ids["Acme Alpha"]!, "PAUSED", 10, "receiver answered 503");
  await lane(ids["Acme Delta"]!, "ACTIVE", 3, null);

  // Acme, last 24 h: 20 delivered events with latencies 10, 20, … 200 ms (p95 = 190 ms), two of
  // them after a failed try; 2 dead events with 2 failed attempts each; one event 30 h ago (outside).
  for (let n = 1; n <= 20; n += 1) {
    const failedFirst = n <= 2 ? [{ latencyMs: 5, statusCode: 503 }] : [];
    await seedEvent(alpha, n % 5 === 0 ? 0.5 : 3.5, "DELIVERED", [...failedFirst, { latencyMs: n * 10, statusCode: 200 }]);
  }
  for (let n = 0; n < 2; n += 1) await seedEvent(alpha, 5.5, "DEAD", [{ latencyMs: 7, statusCode: 503 }, { latencyMs: 8, statusCode: null }]);
  await seedEvent(alpha, 30, "DEAD", [{ latencyMs: 99_999, statusCode: 200 }]);
  await seedEvent(alpha, 1.5, "RETRYING", []);
  // Two refused webhooks today, one 30 h ago: attention counts today's, traffic none of them.
  await seedEvent(alpha, 0.5, "REJECTED", []);
  await seedEvent(alpha, 6.5, "REJECTED", []);
  await seedEvent(alpha, 30, "REJECTED", []);

  // Globex: one quiet instance, one dead event.
  const globexInstance = await seedInstance(globex, "campaignmonitor", {}, "Globex Only");
  await seedEvent(globexInstance, 2.5, "DEAD", [{ latencyMs: 1000, statusCode: 500 }]);
}, 60_000);

afterAll(async () => {
  await closeReadPool();
  await closeEventsPool();
  await disconnectDb();
});

describe("the Overview's figures", () => {
  it("counts the organization's instances by state", async () => {
    const overview = await loadOverview({ organizationId: acme.organizationId, now });
    expect(overview.instances).toEqual({ total: 6, active: 4, pendingAuthorization: 1, needsReauthorization: 1, eventsOn: 5 });
  });

  it("sums the last 24 hours of events and attempts: success rate, p95 latency and hourly buckets", async () => {
    const { traffic } = await loadOverview({ organizationId: acme.organizationId, now });
    expect(traffic).not.toBeNull();
    // 20 delivered + 2 dead + 1 retrying inside the window; the 30 h old one is not counted.
    expect(traffic!.events).toBe(23);
    // 20 accepted + 2 failed first tries + 4 failed tries of the dead events.
    expect(traffic!.attempts).toBe(26);
    expect(traffic!.succeeded).toBe(20);
    expect(traffic!.successRate).toBeCloseTo(20 / 26, 6);
    // Latencies: 5, 5, 7, 7, 8, 8, 10 … 200; the 95th percentile (percentile_disc) of 26 values is the 25th.
    expect(traffic!.p95LatencyMs).toBe(190);
    expect(traffic!.hours).toHaveLength(24);
    expect(traffic!.hours.reduce((sum, hour) => sum + hour.events, 0)).toBe(23);
    // Newest bucket (23) holds the events made half an hour ago: n = 5, 10, 15, 20.
    expect(traffic!.hours[23]).toMatchObject({ events: 4, attempts: 4, succeeded: 4 });
    expect(traffic!.hours[20]).toMatchObject({ events: 16 });
    expect(traffic!.hours[18]).toMatchObject({ events: 2, attempts: 4, succeeded: 0 });
    expect(new Date(traffic!.since).getTime()).toBe(now.getTime() - 24 * HOUR);
  });

  it("lists what needs attention, each linking to the instance or the filtered log", async () => {
    const { attention } = await loadOverview({ organizationId: acme.organizationId, now });
    const summary = attention.map((item) => [item.kind, item.href]);
    expect(summary).toEqual([
      ["paused", `/instances/${ids["Acme Alpha"]}`],
      ["reauthorize", `/instances/${ids["Acme Beta"]}`],
      ["failing", `/events?instance=${ids["Acme Delta"]}&status=retrying`],
      ["disabled", `/instances/${ids["Acme Epsilon"]}`],
      ["subscription", `/instances/${ids["Acme Gamma"]}`],
      ["dead", "/events?status=dead"],
      ["retrying", "/events?status=retrying"],
      ["rejected", "/events?status=rejected"],
    ]);
    expect(attention.find((item) => item.kind === "rejected")!.title).toBe("2 webhooks refused in the last 24 hours");
    expect(attention.find((item) => item.kind === "dead")!.title).toBe("3 dead events");
    expect(attention.find((item) => item.kind === "subscription")!.detail).toBe("404 List not found");
    expect(attention.find((item) => item.kind === "reauthorize")!.detail).toBe("The provider refused the refresh token.");
  });

  it("caps the dead-event count", async () => {
    const globexInstance = await seedInstance(empty, "campaignmonitor", {}, "Empty's bulk");
    await eventsPool().query(
      `INSERT INTO events (id, event_id, instance_id, organization_id, element_key, summary, event_count, payload, status, created_at)
       SELECT gen_random_uuid(), 'cap-' || n || '-' || gen_random_uuid(), $1, $2::uuid, 'campaignmonitor', '[]', 1, '\\x7b7d', 'DEAD', now() - interval '40 days'
         FROM generate_series(1, $3::int) n`,
      [globexInstance.id, empty.organizationId, COUNT_CAP + 5],
    );
    const { attention, traffic } = await loadOverview({ organizationId: empty.organizationId, now });
    expect(attention.map((item) => item.title)).toEqual(["1,000+ dead events"]);
    expect(traffic!.events).toBe(0);
    await eventsPool().query("DELETE FROM instances WHERE id = $1", [globexInstance.id]);
  });

  it("shows another organization nothing of this one's, and an organization without instances nothing at all", async () => {
    const other = await loadOverview({ organizationId: globex.organizationId, now });
    expect(other.instances).toEqual({ total: 1, active: 1, pendingAuthorization: 0, needsReauthorization: 0, eventsOn: 1 });
    expect(other.traffic).toMatchObject({ events: 1, attempts: 1, succeeded: 0, successRate: 0, p95LatencyMs: 1000 });
    expect(other.attention.map((item) => item.title)).toEqual(["1 dead event"]);
    expect(JSON.stringify(other)).not.toMatch(/Acme/);

    const none = await loadOverview({ organizationId: empty.organizationId, now });
    expect(none.instances.total).toBe(0);
    expect(none.traffic).toMatchObject({ events: 0, attempts: 0, successRate: null, p95LatencyMs: null });
    expect(none.attention).toEqual([]);
  });

  it("refuses an organization id that is not a UUID", async () => {
    await expect(loadOverview({ organizationId: "1 OR 1=1" })).rejects.toThrow();
  });
});
