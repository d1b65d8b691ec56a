-- The log's two GIN indexes (the body's trigrams, the events' summaries) take new entries into a pending
-- list. Past gin_pending_list_limit (4 MB by default) the statement that inserts next merges the whole
-- list into the index itself: with ingest at ~4,000 webhooks/s that was the ingest statement every
-- ~0.4 s, holding every webhook in it for tens of milliseconds (and a delivery outcome's UPDATE of
-- `events` the same way). The worker merges both lists every second instead
-- (lib/db/gin-pending-lists.ts); the limit here is only the backstop for when no worker runs.
ALTER INDEX "webhook_requests_body_trgm_idx" SET (gin_pending_list_limit = 32768);
ALTER INDEX "events_summary_idx" SET (gin_pending_list_limit = 32768);
