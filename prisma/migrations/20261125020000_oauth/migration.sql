-- AlterTable
ALTER TABLE "instances" ADD COLUMN     "access_token_encrypted" TEXT,
ADD COLUMN     "refresh_token_encrypted" TEXT,
ADD COLUMN     "token_expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "provider_account" JSONB,
ADD COLUMN     "auth_error" TEXT;

-- CreateTable
CREATE TABLE "oauth_authorizations" (
    "id" UUID NOT NULL,
    "state_hash" TEXT NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "element_key" TEXT NOT NULL,
    "draft_encrypted" TEXT,
    "code_verifier_encrypted" TEXT,
    "redirect_uri" TEXT NOT NULL,
    "instance_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "used_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "last_error" TEXT,

    CONSTRAINT "oauth_authorizations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "oauth_authorizations_state_hash_key" ON "oauth_authorizations"("state_hash");

-- CreateIndex
CREATE INDEX "oauth_authorizations_user_id_created_at_idx" ON "oauth_authorizations"("user_id", "created_at");

-- CreateIndex
CREATE INDEX "oauth_authorizations_instance_id_idx" ON "oauth_authorizations"("instance_id");

-- CreateIndex
CREATE INDEX "instances_status_token_expires_at_idx" ON "instances"("status", "token_expires_at");

-- AddForeignKey
ALTER TABLE "oauth_authorizations" ADD CONSTRAINT "oauth_authorizations_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "oauth_authorizations" ADD CONSTRAINT "oauth_authorizations_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "oauth_authorizations" ADD CONSTRAINT "oauth_authorizations_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;
