-- Polling (event.vendor.type "polling" or "both"): a schedule row per polling instance, claimed by
-- workers with a lease like delivery jobs (one poll at a time per instance, across processes); the
-- high-water mark and last result of each polled resource; the change keys that make a change seen by
-- a webhook and by a poll one event; and where each stored request and event came from.

-- CreateEnum
CREATE TYPE "EventSource" AS ENUM ('WEBHOOK', 'POLL', 'RECOVERED');

-- AlterTable: constant defaults, so no table rewrite.
ALTER TABLE "webhook_requests" ADD COLUMN "source" "EventSource" NOT NULL DEFAULT 'WEBHOOK';
ALTER TABLE "events" ADD COLUMN "source" "EventSource" NOT NULL DEFAULT 'WEBHOOK';

-- CreateTable
CREATE TABLE "poll_jobs" (
    "instance_id" INTEGER NOT NULL,
    "run_at" TIMESTAMPTZ(3) NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL,
    "lease" UUID,
    "leased_until" TIMESTAMPTZ(3),
    "failures" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "poll_jobs_pkey" PRIMARY KEY ("instance_id")
);

-- CreateTable
CREATE TABLE "poll_resources" (
    "instance_id" INTEGER NOT NULL,
    "resource" TEXT NOT NULL,
    "high_water" TIMESTAMPTZ(3) NOT NULL,
    "polled_at" TIMESTAMPTZ(3),
    "result" TEXT,
    "message" TEXT,
    "records" INTEGER NOT NULL DEFAULT 0,
    "changes" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "poll_resources_pkey" PRIMARY KEY ("instance_id","resource")
);

-- CreateTable
CREATE TABLE "change_keys" (
    "instance_id" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "change_keys_pkey" PRIMARY KEY ("instance_id","key")
);

-- CreateIndex
CREATE INDEX "poll_jobs_run_at_idx" ON "poll_jobs"("run_at");

-- CreateIndex
CREATE INDEX "change_keys_created_at_idx" ON "change_keys"("created_at");

-- AddForeignKey
ALTER TABLE "poll_jobs" ADD CONSTRAINT "poll_jobs_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "poll_resources" ADD CONSTRAINT "poll_resources_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "change_keys" ADD CONSTRAINT "change_keys_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;
