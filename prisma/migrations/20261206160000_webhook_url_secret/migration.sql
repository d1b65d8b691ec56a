-- Webhook URLs nobody can guess: each instance's URL carries a random secret (`?k=`), AES-256-GCM
-- encrypted here like every other secret. Existing instances get theirs when the worker starts (the
-- encryption key is not known to SQL), which also moves their registered provider webhooks to the new
-- URL (lib/instances/webhook-secret.ts); until then they accept the bare URL, as before.

-- AlterTable
ALTER TABLE "instances" ADD COLUMN "webhook_secret_encrypted" TEXT;
