-- Refused webhooks (bad signature, sender outside the allow-list, body too large, events off) are kept,
-- with what Hookline answered and why, and listed as REJECTED events that are never delivered. Only the
-- newest 1,000 per instance are kept; `rejected_not_kept` counts the rest.

-- AlterEnum
ALTER TYPE "EventStatus" ADD VALUE 'REJECTED';

-- AlterTable
ALTER TABLE "webhook_requests" ADD COLUMN "rejected_status" INTEGER,
ADD COLUMN "rejected_reason" TEXT;

-- AlterTable
ALTER TABLE "instances" ADD COLUMN "rejected_not_kept" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "webhook_requests_rejected_idx" ON "webhook_requests"("instance_id", "id" DESC) WHERE "rejected_status" IS NOT NULL;
