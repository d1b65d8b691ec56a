import { PRISMA_POOL_MAX } from "@/lib/db/client";
import { POOL_MAX } from "@/lib/db/pg-pool";
import { env } from "@/lib/env";

/** The live log's LISTEN connection. */
const LISTEN_SOCKETS = 1;
/** OAuth token calls, webhook subscriptions and ConnectWise key fetches running at once. */
const PROVIDER_CALL_SOCKETS = 32;

/**
 * The sockets this process may open itself at most: every database pool full, each delivery's socket
 * plus one kept alive, provider calls. They are reserved out of the open-file limit before the web
 * server's connection cap is set, so a crowd of clients cannot leave the pools without descriptors.
 */
export function outboundSockets(): number {
  const deliveries = env().HOOKLINE_WORKER ? 2 * env().HOOKLINE_WORKER_CONCURRENCY : 0;
  const pgPools = Object.values(POOL_MAX).reduce((sum, max) => sum + max, 0);
  return pgPools + PRISMA_POOL_MAX + LISTEN_SOCKETS + deliveries + PROVIDER_CALL_SOCKETS;
}
