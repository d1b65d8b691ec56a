-- Sign-in hardening: counters per client address, account and known device replace the per-e-mail
-- log of attempts (counted by one upsert, so parallel tries cannot slip past the limit), and a
-- session version on users lets sign-out end sessions whose JWT has not expired yet.

-- DropTable
DROP TABLE "login_attempts";

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "session_version" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "auth_throttle" (
    "key" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "strikes" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "auth_throttle_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "auth_throttle_window_start_idx" ON "auth_throttle"("window_start");
