-- CreateEnum
CREATE TYPE "EventStatus" AS ENUM ('PENDING', 'DELIVERED', 'RETRYING', 'DEAD', 'DISABLED');

-- AlterTable
ALTER TABLE "instances" ADD COLUMN     "delivery_disabled_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "webhook_requests" (
    "id" UUID NOT NULL,
    "instance_id" INTEGER NOT NULL,
    "organization_id" UUID NOT NULL,
    "element_key" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "content_type" TEXT NOT NULL,
    "headers" JSONB NOT NULL,
    "body" BYTEA NOT NULL,
    "remote_address" TEXT,

    CONSTRAINT "webhook_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "events" (
    "id" UUID NOT NULL,
    "event_id" TEXT NOT NULL,
    "request_id" UUID,
    "instance_id" INTEGER NOT NULL,
    "organization_id" UUID NOT NULL,
    "element_key" TEXT NOT NULL,
    "summary" JSONB NOT NULL,
    "event_count" INTEGER NOT NULL,
    "test" BOOLEAN NOT NULL DEFAULT false,
    "payload" BYTEA NOT NULL,
    "status" "EventStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "job_id" UUID,
    "next_attempt_at" TIMESTAMPTZ(3),
    "last_attempt_at" TIMESTAMPTZ(3),
    "last_status_code" INTEGER,
    "last_error" TEXT,
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "delivery_attempts" (
    "id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "url" TEXT,
    "status_code" INTEGER,
    "latency_ms" INTEGER NOT NULL,
    "response_excerpt" TEXT,
    "error" TEXT,

    CONSTRAINT "delivery_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "webhook_requests_instance_id_received_at_idx" ON "webhook_requests"("instance_id", "received_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "events_event_id_key" ON "events"("event_id");

-- CreateIndex
CREATE INDEX "events_instance_id_created_at_id_idx" ON "events"("instance_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "events_organization_id_created_at_id_idx" ON "events"("organization_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "events_request_id_idx" ON "events"("request_id");

-- CreateIndex
CREATE INDEX "delivery_attempts_event_id_started_at_idx" ON "delivery_attempts"("event_id", "started_at");

-- AddForeignKey
ALTER TABLE "webhook_requests" ADD CONSTRAINT "webhook_requests_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "webhook_requests"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "delivery_attempts" ADD CONSTRAINT "delivery_attempts_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;
