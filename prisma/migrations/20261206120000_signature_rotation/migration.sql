-- Signature key rotation: the key an instance signed with before its last rotation, and until when
-- deliveries still carry a signature made with it, as one AES-256-GCM encrypted JSON value.

-- AlterTable
ALTER TABLE "instances" ADD COLUMN     "previous_signature_key_encrypted" TEXT;
