import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disconnectDb } from "@/lib/db/client";
import { MERGED_GIN_INDEXES, PENDING_LIST_LOCK_KEY, mergePendingLists, startPendingListMerge } from "@/lib/db/gin-pending-lists";
import { closeEventsPool, eventsPool } from "@/lib/db/pg-pool";
import { uuidv7 } from "@/lib/events/ids";
import { processStoredRequests } from "@/lib/ingest/process-requests";
import { storeRequest, type StoredRequest } from "@/lib/ingest/store";
import { createTenant, type Tenant } from "./helpers/api";
import { seedInstance } from "./helpers/events";

// The trigram index of webhook bodies merged its pending list inside the ingest statement whenever the
// list passed 4 MB, and every webhook in that statement waited for it. Ingest now only appends; the
// worker merges (lib/db/gin-pending-lists.ts).

/** gin_pending_list_limit's default: a pending list past it is merged by the next insert. */
const DEFAULT_LIMIT_PAGES = (4 * 1024 * 1024) / 8192;

let acme: Tenant;
let instance: { id: number };
let version: string;

beforeAll(async () => {
  acme = await createTenant("Pending lists Acme");
  instance = await seedInstance(acme, "mailchimpv3", { "event.notification.callback.url": "http://127.0.0.1:9/hooks" });
  version = (await eventsPool().query<{ version: string }>("SELECT xmin::text AS version FROM instances WHERE id = $1", [instance.id])).rows[0]!.version;
  // Autovacuum (on in the embedded PostgreSQL) would merge the list too, and leave nothing to count.
  await eventsPool().query("ALTER TABLE webhook_requests SET (autovacuum_enabled = false)");
  await mergePendingLists();
});

afterAll(async () => {
  await eventsPool().query("ALTER TABLE webhook_requests RESET (autovacuum_enabled)");
  await closeEventsPool();
  await disconnectDb();
});

async function storeWebhooks(count: number, body: () => Buffer): Promise<void> {
  for (let i = 0; i < count; i++) {
    const request: StoredRequest = {
      id: uuidv7(),
      instanceId: instance.id,
      instanceVersion: version,
      organizationId: acme.organizationId,
      elementKey: "mailchimpv3",
      receivedAt: new Date(),
      contentType: "text/plain",
      headers: "{}",
      body: body(),
      remoteAddress: null,
      dedupKey: null,
    };
    await storeRequest(request);
  }
}

/** ~6 MB of pending trigram entries, stored through ingest's own statement: 12 bodies of 96 kB of random letters and digits. */
function storeBulkyWebhooks(): Promise<void> {
  return storeWebhooks(12, () => Buffer.from(randomBytes(72 * 1024).toString("base64").replace(/[^A-Za-z0-9]/g, "x")));
}

async function processAll(): Promise<void> {
  while ((await processStoredRequests()).requests > 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("GIN pending lists", () => {
  it("both indexes are set to leave the merge to the worker", async () => {
    const { rows } = await eventsPool().query<{ relname: string; reloptions: string[] | null }>(
      "SELECT relname, reloptions FROM pg_class WHERE relname = ANY($1::text[]) ORDER BY relname",
      [MERGED_GIN_INDEXES],
    );
    expect(rows.map((r) => r.relname)).toEqual([...MERGED_GIN_INDEXES].sort());
    for (const row of rows) expect(row.reloptions, row.relname).toContain("gin_pending_list_limit=32768");
  });

  it("ingest's statement appends past the default limit and the merge takes the whole list off", async () => {
    await storeBulkyWebhooks();
    const pages = await mergePendingLists();
    // Merged inside an ingest statement, the list would have been emptied at 4 MB on the way.
    expect(pages).toBeGreaterThan(DEFAULT_LIMIT_PAGES);
    expect(await mergePendingLists()).toBe(0);
  });

  it("the worker merges once processing has taken ~4 MB worth of bodies, and not for a few webhooks", async () => {
    // What the test before stored is processed and merged first.
    await processAll();
    await mergePendingLists();
    const merging = startPendingListMerge({ intervalMs: 50 });
    try {
      // A few small webhooks: their entries wait (merging them each second wrote a page image per touched
      // index page after every checkpoint).
      await storeWebhooks(3, () => Buffer.from(`{"type":"subscribe","data":{"email":"a@example.org"}}`));
      await processAll();
      await sleep(300);
      expect(await mergePendingLists()).toBeGreaterThan(0);

      await storeBulkyWebhooks();
      await processAll();
      await sleep(300);
      // Stopped first: a merge of the task's still running holds the lock, and this one would skip (null).
      await merging.stop();
      // Merged by the worker's task already: at most what a tick could not see yet.
      expect(await mergePendingLists()).toBeLessThan(DEFAULT_LIMIT_PAGES / 4);
    } finally {
      await merging.stop();
    }
  });

  it("one process merges at a time: another one holding the lock makes this one skip", async () => {
    const other = await eventsPool().connect();
    try {
      await other.query("BEGIN");
      await other.query("SELECT pg_advisory_xact_lock($1)", [PENDING_LIST_LOCK_KEY]);
      expect(await mergePendingLists()).toBeNull();
      await other.query("COMMIT");
      expect(await mergePendingLists()).not.toBeNull();
    } finally {
      other.release();
    }
  });
});
