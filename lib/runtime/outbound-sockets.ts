import { PRISMA_POOL_MAX } from "@/lib/db/client";
import { POOL_MAX } from "@/lib/db/pg-pool";
import { CONSOLE_UPSTREAM_SOCKETS } from "@/lib/net/console-proxy";

/** OAuth token calls, webhook subscriptions and ConnectWise key fetches running at once. */
const PROVIDER_CALL_SOCKETS = 32;

/**
 * The sockets the edge process (scripts/start.ts) may open itself at most: every database pool full,
 * provider calls (ConnectWise's signing keys), and the requests it forwards to the console. They are
 * reserved out of the open-file limit before the server's connection cap is set, so a crowd of clients
 * cannot leave the pools without descriptors. (Deliveries run in the worker process, with its own limit.)
 */
export function outboundSockets(): number {
  const pgPools = Object.values(POOL_MAX).reduce((sum, max) => sum + max, 0);
  return pgPools + PRISMA_POOL_MAX + PROVIDER_CALL_SOCKETS + CONSOLE_UPSTREAM_SOCKETS;
}
