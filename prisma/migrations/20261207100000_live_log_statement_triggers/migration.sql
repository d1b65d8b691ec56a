-- The live log's change feed (20261125040000_live_log) queued each changed event from a row-level
-- trigger: a PL/pgSQL call and a query per event, on every event inserted by processing and every
-- outcome recorded by delivery, twice per webhook on the pipeline's busiest statements. Statement-level
-- triggers with transition tables queue the same rows with one query per statement.

DROP TRIGGER "events_live_log_insert" ON "events";
DROP TRIGGER "events_live_log_update" ON "events";
DROP FUNCTION hookline_queue_live_change();

-- Events inserted, for organizations whose log is open.
CREATE FUNCTION hookline_queue_live_inserts() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO live_log_changes (event_id, organization_id)
  SELECT n.id, n.organization_id FROM new_rows n
   WHERE EXISTS (SELECT 1 FROM live_log_watchers w WHERE w.organization_id = n.organization_id AND w.expires_at > now());
  RETURN NULL;
END
$$;

-- Events whose status or attempt count changed, for organizations whose log is open. (An UPDATE
-- trigger with transition tables cannot name columns: the statement's other updates are filtered here.)
CREATE FUNCTION hookline_queue_live_updates() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO live_log_changes (event_id, organization_id)
  SELECT n.id, n.organization_id FROM new_rows n JOIN old_rows o ON o.id = n.id
   WHERE (o.status IS DISTINCT FROM n.status OR o.attempts IS DISTINCT FROM n.attempts)
     AND EXISTS (SELECT 1 FROM live_log_watchers w WHERE w.organization_id = n.organization_id AND w.expires_at > now());
  RETURN NULL;
END
$$;

CREATE TRIGGER "events_live_log_insert" AFTER INSERT ON "events"
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hookline_queue_live_inserts();

CREATE TRIGGER "events_live_log_update" AFTER UPDATE ON "events"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hookline_queue_live_updates();
