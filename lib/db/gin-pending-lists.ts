import type pg from "pg";
import { eventsPool } from "@/lib/db/pg-pool";
import { startPeriodicTask } from "@/lib/runtime/periodic-task";

/**
 * Merging the pending lists of Hookline's GIN indexes off the hot paths.
 *
 * A GIN index takes new entries into a pending list and merges it into the index when it grows past the
 * index's `gin_pending_list_limit`, inside whichever statement inserted next. For the trigram index of
 * webhook bodies that was the ingest statement, and every webhook written with it waited for the merge
 * (README, Performance: ingest's p99 at 20 connections). Autovacuum would merge the
 * lists too, but it may be off, and on a large table it runs rarely. So the indexes' limit is far above
 * what the worker lets pile up (migration `20261207120000_gin_pending_lists`) and the worker merges them,
 * on a connection of its own, while ingest and delivery go on.
 *
 * When: once processing has taken about as much body text as filled the old 4 MB list
 * (MERGE_AFTER_BODY_BYTES, counted by `countIndexedBytes`). Not on a clock: each merge writes every index
 * page it touches, and right after a checkpoint each of those is a full-page image in the WAL that every
 * commit waits for; merging a second's few webhooks at a time more than doubled the WAL written during
 * the search-abuse check (README). One process at a time (an advisory lock):
 * a second merge of the same list would only wait for the first.
 */

/** The indexes whose pending lists are merged here, with the raised limit. */
export const MERGED_GIN_INDEXES = ["webhook_requests_body_trgm_idx", "events_summary_idx"] as const;

/** The advisory lock one merging process holds ("gin "). */
export const PENDING_LIST_LOCK_KEY = 0x67696e20;

/** Body text processed between merges: about what made 4 MB of trigram entries (~10 bytes per character). */
export const MERGE_AFTER_BODY_BYTES = 400_000;

const MERGE = `SELECT CASE WHEN pg_try_advisory_xact_lock($1)
         THEN (SELECT coalesce(sum(gin_clean_pending_list(to_regclass(name))), 0)::int
                 FROM unnest($2::text[]) AS name WHERE to_regclass(name) IS NOT NULL)
       END AS pages`;

/**
 * Merges the pending lists now. Resolves to the pages taken off the lists, or null when another process
 * is merging them.
 */
export async function mergePendingLists(pool: pg.Pool = eventsPool()): Promise<number | null> {
  const { rows } = await pool.query<{ pages: number | null }>(MERGE, [PENDING_LIST_LOCK_KEY, MERGED_GIN_INDEXES]);
  return rows[0]?.pages ?? null;
}

/** Body bytes this process processed since its last merge. */
let indexedSinceMerge = 0;

/** Processing took `bytes` of webhook bodies, whose entries now wait in the pending lists. */
export function countIndexedBytes(bytes: number): void {
  indexedSinceMerge += bytes;
}

/** Checks every `intervalMs` and merges once `afterBytes` of bodies were processed; one merge at a time. */
export function startPendingListMerge({ intervalMs = 1_000, afterBytes = MERGE_AFTER_BODY_BYTES } = {}): { stop(): Promise<void> } {
  indexedSinceMerge = 0; // counted from here
  return startPeriodicTask("could not merge the GIN pending lists", intervalMs, async () => {
    if (indexedSinceMerge < afterBytes) return;
    indexedSinceMerge = 0;
    await mergePendingLists();
  });
}
