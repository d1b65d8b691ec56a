// Limits on the event log's reads (README, Reliability): people's reads run on their own small pool with
// a statement timeout and a queue timeout, a read whose client goes away is cancelled in PostgreSQL, a
// user runs at most 2 searches at once, a stream whose reader stops reading is closed rather than
// buffered without bound, and a user has at most HOOKLINE_MAX_STREAMS_PER_USER streams.
import { encode } from "next-auth/jwt";
import { NextRequest } from "next/server";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Small figures so the limits are reached with a handful of requests (env is parsed on first use).
process.env.HOOKLINE_READ_POOL_SIZE = "3";
process.env.HOOKLINE_READ_STATEMENT_TIMEOUT_MS = "1500";
process.env.HOOKLINE_READ_QUEUE_TIMEOUT_MS = "300";
process.env.HOOKLINE_MAX_STREAMS_PER_USER = "2";
// Room for one user's two searches at once (on a 2-core machine the default is 1 for all users).
process.env.HOOKLINE_MAX_SEARCHES = "4";

const rowsRoute = await import("@/app/(dashboard)/events/rows/route");
const streamRoute = await import("@/app/(dashboard)/events/stream/route");
const { disconnectDb } = await import("@/lib/db/client");
const { closeEventsPool, eventsPool } = await import("@/lib/db/pg-pool");
const { closeReadPool, readQuery, ReadAbortedError, ReadPoolBusyError, ReadTimeoutError } = await import("@/lib/db/read-pool");
const { uuidv7 } = await import("@/lib/events/ids");
const { closeNotifyHub, notifyHubSubscriberCount } = await import("@/lib/live-log/notify-hub");
const { loadEventLogView } = await import("@/lib/live-log/query");
const { SEARCH_TOO_SLOW } = await import("@/lib/live-log/search");
const { TOO_MANY_SEARCHES } = await import("@/lib/live-log/search-slots");
const { eventLogStream } = await import("@/lib/live-log/stream");
const { openStreamCount } = await import("@/lib/live-log/stream-slots");
const { createTenant } = await import("./helpers/api");
const { databaseUrl, seedInstance, waitUntil } = await import("./helpers/events");

type Tenant = Awaited<ReturnType<typeof createTenant>>;

let acme: Tenant;
let instance: Awaited<ReturnType<typeof seedInstance>>;

beforeAll(async () => {
  acme = await createTenant("Limits Acme");
  instance = await seedInstance(acme, "campaignmonitor", { "event.notification.callback.url": "http://127.0.0.1:9/hooks" });
});

afterAll(async () => {
  await closeNotifyHub();
  await closeReadPool();
  await closeEventsPool();
  await disconnectDb();
});

async function insertEvent(body = `{"email":"someone@example.org","id":"${uuidv7()}"}`): Promise<string> {
  const now = new Date();
  const requestId = uuidv7(now.getTime());
  const id = uuidv7(now.getTime());
  await eventsPool().query(
    `WITH request AS (
       INSERT INTO webhook_requests (id, instance_id, organization_id, element_key, received_at, content_type, headers, body)
       VALUES ($1, $2, $3, 'campaignmonitor', $4, 'application/json', '{}', convert_to($5, 'UTF8')))
     INSERT INTO events (id, event_id, request_id, instance_id, organization_id, element_key, summary, event_count, payload, created_at)
     VALUES ($6::uuid, 'seed-' || $6::text, $1, $2, $3, 'campaignmonitor', '[{"eventType":"CREATED"}]', 1, '\\x7b7d', $4)`,
    [requestId, instance.id, instance.organizationId, now, body, id],
  );
  return id;
}

async function cookieOf(tenant: Tenant): Promise<string> {
  const token = await encode({ token: { uid: tenant.userId, email: "someone@test.local" }, secret: process.env.NEXTAUTH_SECRET ?? "" });
  return `next-auth.session-token=${token}`;
}

function request(path: string, cookie: string, signal?: AbortSignal): NextRequest {
  return new NextRequest(`http://localhost${path}`, { headers: { cookie }, signal });
}

/** Holds an exclusive lock on the request bodies, so every search waits on it (a search as slow as we like). */
async function lockRequests(): Promise<{ release: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  await client.query("BEGIN");
  await client.query("LOCK TABLE webhook_requests IN ACCESS EXCLUSIVE MODE");
  return {
    release: async () => {
      await client.query("ROLLBACK");
      await client.end();
    },
  };
}

async function activeReads(): Promise<number> {
  const { rows } = await eventsPool().query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'hookline-reads' AND state = 'active' AND datname = current_database()`,
  );
  return rows[0]!.n;
}

describe("the read pool", () => {
  it("cancels a statement past HOOKLINE_READ_STATEMENT_TIMEOUT_MS", async () => {
    const started = Date.now();
    await expect(readQuery("SELECT pg_sleep(10)")).rejects.toBeInstanceOf(ReadTimeoutError);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it("cancels the statement in PostgreSQL when the caller's signal aborts", async () => {
    const controller = new AbortController();
    const running = readQuery("SELECT pg_sleep(10)", [], controller.signal);
    await waitUntil(async () => (await activeReads()) === 1, 2_000, "the read to run");
    const aborted = Date.now();
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(ReadAbortedError);
    expect(Date.now() - aborted).toBeLessThan(1_000);
    expect(await activeReads()).toBe(0);
  });

  it("is not the events pool: with every read connection busy, ingest's pool still answers, and a read is refused as busy", async () => {
    const sleeps = Array.from({ length: 3 }, () => readQuery("SELECT pg_sleep(1)").catch((error: unknown) => error));
    await waitUntil(async () => (await activeReads()) === 3, 2_000, "three reads to run");
    const started = Date.now();
    await eventsPool().query("SELECT 1");
    expect(Date.now() - started).toBeLessThan(200);
    await expect(readQuery("SELECT 1")).rejects.toBeInstanceOf(ReadPoolBusyError);
    await Promise.all(sleeps);
  });
});

describe("searches", () => {
  it("GET /events/rows: a third concurrent search of one user is 429 with a message; a slow one 503 with a message; an aborted one is cancelled", async () => {
    const cookie = await cookieOf(acme);
    await insertEvent();
    const lock = await lockRequests();
    const first = new AbortController();
    let answers: Response[];
    try {
      const running = [
        rowsRoute.GET(request("/events/rows?q=example", cookie, first.signal)),
        rowsRoute.GET(request("/events/rows?q=example", cookie)),
      ];
      await waitUntil(async () => (await activeReads()) === 2, 2_000, "two searches to wait on the lock");
      const third = await rowsRoute.GET(request("/events/rows?q=example", cookie));
      expect(third.status).toBe(429);
      expect(await third.json()).toEqual({ message: TOO_MANY_SEARCHES });
      // The page renders the same refusal instead of failing.
      const view = await loadEventLogView({ id: acme.userId, organizationId: acme.organizationId }, { q: "example" });
      expect(view.page).toEqual({ rows: [], nextCursor: null, notice: TOO_MANY_SEARCHES });

      // The browser of the first one gives up: its query is cancelled at once, not left to the timeout.
      first.abort();
      await waitUntil(async () => (await activeReads()) === 1, 1_000, "the abandoned search to be cancelled");
      answers = await Promise.all(running);
    } finally {
      await lock.release();
    }
    expect(answers[1]!.status).toBe(503);
    expect(await answers[1]!.json()).toEqual({ message: SEARCH_TOO_SLOW });
    // Both slots are free again.
    const after = await rowsRoute.GET(request("/events/rows?q=example", cookie));
    expect(after.status).toBe(200);
    expect(((await after.json()) as { rows: unknown[] }).rows.length).toBeGreaterThan(0);
  });
});

describe("streams", () => {
  it("refuses a user's stream over HOOKLINE_MAX_STREAMS_PER_USER with 429, and gives the slot back when one closes", async () => {
    const cookie = await cookieOf(acme);
    const controllers = [new AbortController(), new AbortController()];
    const open = await Promise.all(controllers.map((c) => streamRoute.GET(request("/events/stream", cookie, c.signal))));
    expect(open.map((response) => response.status)).toEqual([200, 200]);
    const refused = await streamRoute.GET(request("/events/stream", cookie));
    expect(refused.status).toBe(429);
    expect(await refused.text()).toMatch(/live event logs open already/);
    controllers[0]!.abort();
    await waitUntil(() => openStreamCount(acme.userId) === 1, 1_000, "the closed stream's slot to come back");
    const reopened = new AbortController();
    const again = await streamRoute.GET(request("/events/stream", cookie, reopened.signal));
    expect(again.status).toBe(200);
    controllers[1]!.abort();
    reopened.abort();
    await waitUntil(() => openStreamCount(acme.userId) === 0, 1_000, "every slot back");
  });

  it("closes a stream whose reader stops reading once its queue passes the limit, and keeps a reading one", async () => {
    let pausedClosed = false;
    const paused = eventLogStream({ organizationId: acme.organizationId, filters: {}, since: null, maxQueuedBytes: 16 * 1024, onClose: () => (pausedClosed = true) });
    const reading = eventLogStream({ organizationId: acme.organizationId, filters: {}, since: null, maxQueuedBytes: 16 * 1024 });
    // Never read from `paused`; read `reading` to the end.
    const reader = reading.body!.getReader();
    let received = 0;
    let text = "";
    let readingEnded = false;
    const decoder = new TextDecoder();
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
        if (done) return void (readingEnded = true);
        received += value.byteLength;
        if (text.length < 1000) text += decoder.decode(value);
      }
    })();
    await waitUntil(() => text.includes("event: ready"), 5_000, "the reading stream to be live");
    expect(notifyHubSubscriberCount()).toBe(2);
    for (let i = 0; i < 200; i++) await insertEvent();
    await waitUntil(() => pausedClosed, 15_000, "the paused stream to be closed");
    // It is errored (its queue dropped), so its reader would see the connection end and reconnect.
    await expect(paused.body!.getReader().read()).rejects.toThrow(/fell behind/);
    expect(notifyHubSubscriberCount()).toBe(1);
    await waitUntil(() => received > 50 * 1024, 10_000, "the reading stream to get all rows");
    expect(readingEnded).toBe(false);
    await reader.cancel();
    await waitUntil(() => notifyHubSubscriberCount() === 0, 2_000, "the reading stream to unsubscribe");
  });
});
