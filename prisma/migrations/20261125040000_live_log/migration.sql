-- The live event log: new events and delivery-status changes announced to the SSE streams through
-- LISTEN/NOTIFY, and the indexes behind its filters, payload search and reconnect catch-up.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The text a stored webhook body is searched as. `escape` cannot fail, whatever the bytes: a provider's
-- body may be invalid UTF-8 or hold NUL, and an index expression that raised would make the ingest
-- INSERT fail. ASCII stays as it is (so ILIKE is case-insensitive there), a backslash is doubled and any
-- other byte becomes \ooo; lib/events/log-query.ts encodes a search term the same way before matching.
CREATE FUNCTION hookline_body_text(body bytea) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT encode(body, 'escape') $$;

-- Search the raw payload: ILIKE '%term%' through trigrams, not a table scan. On webhook_requests, whose
-- rows are written once and never updated, so delivery bookkeeping never re-indexes a body.
CREATE INDEX "webhook_requests_body_trgm_idx" ON "webhook_requests" USING GIN (hookline_body_text("body") gin_trgm_ops);

-- Filters of the log, each keeping the keyset order (created_at DESC, id DESC) within an organization.
-- CreateIndex
CREATE INDEX "events_organization_id_status_created_at_id_idx" ON "events"("organization_id", "status", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "events_organization_id_element_key_created_at_id_idx" ON "events"("organization_id", "element_key", "created_at" DESC, "id" DESC);

-- Event type (and object type/id) filters: summary @> '[{"eventType":"DELETED"}]'.
-- CreateIndex
CREATE INDEX "events_summary_idx" ON "events" USING GIN ("summary" jsonb_path_ops);

-- A stream that reconnects asks for what changed while it was away: new rows come from created_at,
-- status changes from last_attempt_at. Partial, so ingest inserts (always NULL here) never touch it.
CREATE INDEX "events_organization_id_last_attempt_at_idx" ON "events"("organization_id", "last_attempt_at") WHERE "last_attempt_at" IS NOT NULL;

-- Announcing changes to the live log. A NOTIFY inside the ingest transaction would serialize every
-- ingest commit on Postgres's global notify lock (measured: ~5x fewer ingests/s at 8 connections), so
-- ingest and the delivery worker only queue the changed event's id, and only for organizations whose
-- log is open somewhere; each process showing a log drains the queue every ~150 ms and NOTIFYs the ids
-- in one transaction of its own (lib/events/notify-hub.ts).

-- Organizations with a live log open in some process, renewed while it stays open.
-- CreateTable
CREATE TABLE "live_log_watchers" (
    "organization_id" UUID NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "live_log_watchers_pkey" PRIMARY KEY ("organization_id")
);

-- Changed events waiting to be announced. UNLOGGED: no WAL on the hot path, and a crash only loses
-- live updates that the browsers' reconnect catch-up reads from the events table anyway.
-- CreateTable
CREATE UNLOGGED TABLE "live_log_changes" (
    "id" BIGSERIAL NOT NULL,
    "event_id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,

    CONSTRAINT "live_log_changes_pkey" PRIMARY KEY ("id")
);

CREATE FUNCTION hookline_queue_live_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM live_log_watchers w WHERE w.organization_id = NEW.organization_id AND w.expires_at > now()) THEN
    INSERT INTO live_log_changes (event_id, organization_id) VALUES (NEW.id, NEW.organization_id);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "events_live_log_insert" AFTER INSERT ON "events"
    FOR EACH ROW EXECUTE FUNCTION hookline_queue_live_change();

CREATE TRIGGER "events_live_log_update" AFTER UPDATE OF "status", "attempts" ON "events"
    FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."attempts" IS DISTINCT FROM NEW."attempts")
    EXECUTE FUNCTION hookline_queue_live_change();
