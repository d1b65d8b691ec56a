-- Event pipeline v2 (lib/ingest, lib/delivery): accept with one write, process stored requests in
-- batches, deliver from one lane per instance. Delivery no longer runs on pg-boss: its jobs lived in
-- the `pgboss` schema and Hookline depended on the text of its internal SQL.

-- Stored requests not yet normalized into events. Ingest writes the request and its entry here in
-- one statement; the processor deletes entries in the same transaction that inserts their events,
-- so each stored request is processed exactly once, and one stored but not processed when a process
-- dies is processed after the restart. Kept apart from webhook_requests so that marking a request
-- processed never writes a new version of a row whose body is in a trigram index.
-- CreateTable
CREATE TABLE "ingest_queue" (
    "request_id" UUID NOT NULL,

    CONSTRAINT "ingest_queue_pkey" PRIMARY KEY ("request_id")
);

-- Existing events were delivered through pg-boss jobs; the job id has no meaning any more.
ALTER TABLE "events" DROP COLUMN "job_id";

-- CreateEnum
CREATE TYPE "LaneState" AS ENUM ('ACTIVE', 'PAUSED');

-- One delivery lane per instance: where its circuit breaker stands and its rate limiter's clock.
-- Claims lock a lane row (FOR UPDATE SKIP LOCKED) while they count its deliveries in flight, so the
-- per-lane cap holds across any number of worker processes.
-- CreateTable
CREATE TABLE "delivery_lanes" (
    "instance_id" INTEGER NOT NULL,
    "state" "LaneState" NOT NULL DEFAULT 'ACTIVE',
    "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
    "paused_at" TIMESTAMPTZ(3),
    "pause_reason" TEXT,
    "probe_at" TIMESTAMPTZ(3),
    "next_slot_at" TIMESTAMPTZ(3),

    CONSTRAINT "delivery_lanes_pkey" PRIMARY KEY ("instance_id")
);

-- AddForeignKey
ALTER TABLE "delivery_lanes" ADD CONSTRAINT "delivery_lanes_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The next delivery of an event that still has one to make. `run_at` is when it is due; a claim sets
-- it to the end of the claim's lease (and the worker's heartbeat pushes it on), so a job whose worker
-- died is due again once its lease runs out, with no sweeper. Finished jobs are deleted.
-- CreateTable
CREATE TABLE "delivery_jobs" (
    "event_id" UUID NOT NULL,
    "instance_id" INTEGER NOT NULL,
    "run_at" TIMESTAMPTZ(3) NOT NULL,
    "step" INTEGER NOT NULL DEFAULT 0,
    "manual" BOOLEAN NOT NULL DEFAULT false,
    "lease" UUID,

    CONSTRAINT "delivery_jobs_pkey" PRIMARY KEY ("event_id")
);

-- A lane's jobs, oldest due first; also how a claim steps from one lane to the next.
-- CreateIndex
CREATE INDEX "delivery_jobs_instance_id_run_at_event_id_idx" ON "delivery_jobs"("instance_id", "run_at", "event_id");

-- AddForeignKey
ALTER TABLE "delivery_jobs" ADD CONSTRAINT "delivery_jobs_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Jobs held by a worker, counted per lane against its cap (and manual sends, which a paused lane still
-- makes). Partial indexes: Prisma cannot declare them.
CREATE INDEX "delivery_jobs_leased_idx" ON "delivery_jobs"("instance_id") WHERE "lease" IS NOT NULL;
CREATE INDEX "delivery_jobs_manual_idx" ON "delivery_jobs"("instance_id", "run_at") WHERE "manual";

-- Hands out up to `max_jobs` due deliveries, round-robin over the lanes that have work, starting after
-- lane `after_lane`: at most `lane_cap` in flight per lane (counted under the lane's lock, with a fresh
-- snapshot per statement, which PL/pgSQL gives and a single SQL statement would not), the lane's rate
-- limit (`event.notification.max.rate`, deliveries per second), and its breaker: a paused lane makes
-- one probe delivery per `probe_seconds` and otherwise only manual sends. Each claimed job gets a new
-- lease and is due again `lease_seconds` later unless its worker records or extends it first.
-- `answered`: leases of the calling worker whose receiver has answered but whose outcome is still being
-- recorded; they no longer count as in flight, so a lane's next deliveries need not wait for the record.
-- Lanes are found by stepping through distinct instance ids of delivery_jobs (two index probes per
-- lane, at most 64 lanes per call), so the cost does not grow with the number of waiting jobs.
CREATE FUNCTION hookline_claim_deliveries(max_jobs int, lane_cap int, after_lane int, lease_seconds float8, probe_seconds float8, answered uuid[])
    RETURNS TABLE (event_id uuid, instance_id int, step int, manual boolean, lease uuid, probe boolean)
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
  lane int := after_lane;
  wrapped boolean := false;
  visited int := 0;
  taken int := 0;
  got int;
  l delivery_lanes%ROWTYPE;
  in_flight int;
  allowed int;
  rate float8;
  is_probe boolean;
BEGIN
  WHILE taken < max_jobs AND visited < 64 LOOP
    SELECT min(j.instance_id) INTO lane FROM delivery_jobs j WHERE j.instance_id > lane;
    IF lane IS NULL THEN
      EXIT WHEN wrapped OR after_lane < 0;
      wrapped := true;
      lane := -1;
      CONTINUE;
    END IF;
    EXIT WHEN wrapped AND lane > after_lane;
    visited := visited + 1;
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM delivery_jobs j WHERE j.instance_id = lane AND j.run_at <= now());

    SELECT * INTO l FROM delivery_lanes dl WHERE dl.instance_id = lane FOR UPDATE SKIP LOCKED;
    CONTINUE WHEN NOT FOUND;  -- another process is claiming from this lane right now

    SELECT count(*) INTO in_flight FROM delivery_jobs j
     WHERE j.instance_id = lane AND j.lease IS NOT NULL AND j.run_at > now() AND j.lease <> ALL (answered);
    is_probe := false;
    IF l.state = 'PAUSED' THEN
      IF l.probe_at <= now() AND in_flight = 0 THEN
        is_probe := true;
        allowed := 1;
      ELSE
        allowed := 0;
      END IF;
    ELSE
      allowed := greatest(0, least(lane_cap - in_flight, max_jobs - taken));
    END IF;

    SELECT CASE WHEN jsonb_typeof(i.configuration -> 'event.notification.max.rate') = 'number'
                THEN (i.configuration ->> 'event.notification.max.rate')::float8 END
      INTO rate FROM instances i WHERE i.id = lane;
    IF rate > 0 AND allowed > 0 THEN
      -- `next_slot_at` is when the lane may send again; it moves on by 1/rate per delivery, and a lane
      -- idle for a while may send at most one second's worth (at least one) at once.
      IF l.next_slot_at IS NULL OR l.next_slot_at <= now() THEN
        allowed := least(allowed, greatest(1, ceil(rate)::int),
                         coalesce(floor(extract(epoch FROM now() - l.next_slot_at) * rate)::int + 1, allowed));
      ELSE
        allowed := 0;
      END IF;
    END IF;

    IF allowed > 0 THEN
      RETURN QUERY
        WITH picked AS (
          SELECT j.event_id FROM delivery_jobs j
           WHERE j.instance_id = lane AND j.run_at <= now()
           ORDER BY j.run_at, j.event_id LIMIT allowed FOR UPDATE SKIP LOCKED
        )
        UPDATE delivery_jobs j SET lease = gen_random_uuid(), run_at = now() + make_interval(secs => lease_seconds)
          FROM picked WHERE j.event_id = picked.event_id
        RETURNING j.event_id, j.instance_id, j.step, j.manual, j.lease, is_probe;
      GET DIAGNOSTICS got = ROW_COUNT;
    ELSIF l.state = 'PAUSED' AND in_flight < lane_cap AND NOT is_probe THEN
      -- A paused lane still sends what a person asked for (redeliver, test event).
      RETURN QUERY
        WITH picked AS (
          SELECT j.event_id FROM delivery_jobs j
           WHERE j.instance_id = lane AND j.manual AND j.run_at <= now() AND j.lease IS NULL
           ORDER BY j.run_at, j.event_id LIMIT least(lane_cap - in_flight, max_jobs - taken) FOR UPDATE SKIP LOCKED
        )
        UPDATE delivery_jobs j SET lease = gen_random_uuid(), run_at = now() + make_interval(secs => lease_seconds)
          FROM picked WHERE j.event_id = picked.event_id
        RETURNING j.event_id, j.instance_id, j.step, j.manual, j.lease, false;
      GET DIAGNOSTICS got = ROW_COUNT;
    ELSE
      got := 0;
    END IF;

    taken := taken + got;
    -- The lane row is written only when its breaker or rate limiter has something to remember.
    IF got > 0 AND (is_probe OR rate > 0) THEN
      UPDATE delivery_lanes dl SET
        probe_at = CASE WHEN is_probe THEN now() + make_interval(secs => probe_seconds) ELSE dl.probe_at END,
        next_slot_at = CASE WHEN rate > 0
          THEN greatest(coalesce(dl.next_slot_at, now()), now() - make_interval(secs => (greatest(1, ceil(rate)) - 1) / rate))
               + make_interval(secs => got / rate)
          ELSE dl.next_slot_at END
       WHERE dl.instance_id = lane;
    END IF;
  END LOOP;
END
$$;
