import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";

const globalForPrisma = globalThis as unknown as { hooklinePrisma?: PrismaClient };

/** Also reserved out of the descriptors the web server may use for connections (lib/runtime/outbound-sockets.ts). */
export const PRISMA_POOL_MAX = 10;

function createClient(): PrismaClient {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) {
    throw new Error("DATABASE_URL is not set: start Hookline with `npm start`, which provides one");
  }
  const adapter = new PrismaPg({ connectionString, max: PRISMA_POOL_MAX });
  return new PrismaClient({ adapter });
}

/** One Prisma client per process (kept on globalThis so dev reloads do not open new pools). */
export function db(): PrismaClient {
  globalForPrisma.hooklinePrisma ??= createClient();
  return globalForPrisma.hooklinePrisma;
}

export async function disconnectDb(): Promise<void> {
  await globalForPrisma.hooklinePrisma?.$disconnect();
  globalForPrisma.hooklinePrisma = undefined;
}
