-- Duplicate webhooks (a provider retrying one it already sent): each stored request has a dedup key
-- (the provider's event id where it has one, else a hash of the body); the first request of a key
-- within the dedup window holds it here, written in the same statement that stores the request.
-- A request whose key is held is stored as a duplicate of the holder and is not delivered again.

-- AlterEnum
ALTER TYPE "EventStatus" ADD VALUE 'DUPLICATE';

-- AlterTable
ALTER TABLE "webhook_requests" ADD COLUMN "duplicate_of" UUID;

-- CreateTable
CREATE TABLE "webhook_dedup_keys" (
    "instance_id" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "request_id" UUID NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "webhook_dedup_keys_pkey" PRIMARY KEY ("instance_id","key")
);

-- CreateIndex
CREATE INDEX "webhook_dedup_keys_received_at_idx" ON "webhook_dedup_keys"("received_at");

-- AddForeignKey
ALTER TABLE "webhook_dedup_keys" ADD CONSTRAINT "webhook_dedup_keys_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;
