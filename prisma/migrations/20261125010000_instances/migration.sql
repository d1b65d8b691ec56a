-- CreateEnum
CREATE TYPE "InstanceStatus" AS ENUM ('ACTIVE', 'PENDING_AUTHORIZATION', 'NEEDS_REAUTHORIZATION');

-- CreateTable
CREATE TABLE "instances" (
    "id" SERIAL NOT NULL,
    "organization_id" UUID NOT NULL,
    "created_by_id" UUID,
    "element_key" TEXT NOT NULL,
    "element_key_sent" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "tags" TEXT[],
    "configuration" JSONB NOT NULL,
    "secrets_encrypted" TEXT,
    "sent_as" JSONB NOT NULL DEFAULT '{}',
    "events_enabled" BOOLEAN NOT NULL DEFAULT false,
    "status" "InstanceStatus" NOT NULL DEFAULT 'ACTIVE',
    "token_hash" TEXT NOT NULL,
    "token_encrypted" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "instances_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "instances_token_hash_key" ON "instances"("token_hash");

-- CreateIndex
CREATE INDEX "instances_organization_id_created_at_idx" ON "instances"("organization_id", "created_at");

-- AddForeignKey
ALTER TABLE "instances" ADD CONSTRAINT "instances_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "instances" ADD CONSTRAINT "instances_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
