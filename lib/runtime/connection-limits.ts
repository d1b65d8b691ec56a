import { env } from "@/lib/env";
import { log } from "@/lib/log";
import type { ConnectionLimits } from "@/lib/net/connection-gate";
import { connectionBudget, openDescriptorCount, readOpenFileLimit } from "@/lib/net/fd-budget";
import { outboundSockets } from "@/lib/runtime/outbound-sockets";

/** One client address without a proxy in front: plenty for a provider's bursts or an office behind NAT. */
const DEFAULT_PER_ADDRESS = 256;
/**
 * No minimum age before a stalled connection may be shed: the oldest goes first. With a 2 s minimum, an
 * attacker reconnecting in waves from many addresses kept every held connection younger than that, and
 * real senders arriving right after a wave got 503 (reliability/abuse-net.test.ts).
 */
const STALLED_AFTER_MS = 0;

/**
 * The web server's connection caps, decided once the app is ready (so the descriptors Next.js and the
 * pools already hold are counted). Behind a trusted reverse proxy every connection comes from the proxy,
 * so unless HOOKLINE_MAX_CONNECTIONS_PER_ADDRESS is set there is no separate per-address cap: the proxy
 * must limit its clients itself.
 */
export function connectionLimits(): ConnectionLimits {
  const { HOOKLINE_MAX_CONNECTIONS, HOOKLINE_MAX_CONNECTIONS_PER_ADDRESS, HOOKLINE_TRUST_PROXY } = env();
  const limit = readOpenFileLimit();
  const budget = connectionBudget({
    limit,
    openNow: openDescriptorCount(),
    outboundSockets: outboundSockets(),
    configured: HOOKLINE_MAX_CONNECTIONS,
  });
  const perAddress = Math.min(budget.total, HOOKLINE_MAX_CONNECTIONS_PER_ADDRESS ?? (HOOKLINE_TRUST_PROXY ? budget.total : DEFAULT_PER_ADDRESS));
  const fields = { total: budget.total, perAddress, openFileLimit: limit?.soft, fromDescriptors: budget.derived };
  if (budget.belowMinimum) log("warn", "open-file limit leaves few connections: raise `ulimit -n`", fields);
  else log("info", "connection limits", fields);
  return { total: budget.total, perAddress, stalledAfterMs: STALLED_AFTER_MS };
}
