import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { refreshInstanceTokens, REFRESH_MARGIN_MS } from "@/lib/oauth/refresh";
import { DRAFT_TTL_MS } from "@/lib/oauth/state";

/** At most this many refreshes per tick, so one tick never runs for long. */
const BATCH = 50;

export type RefreshTickResult = { refreshed: number; needsReauthorization: number; failed: number; prunedAuthorizations: number };

/**
 * One pass: refreshes every active instance whose access token expires before the next pass (plus the
 * usual margin), and deletes pending authorizations too old to retry. Safe to run in several processes
 * at once: each refresh takes the instance's row lock and re-checks the expiry.
 */
export async function refreshDueTokens({ lookaheadMs = 0, now = new Date() }: { lookaheadMs?: number; now?: Date } = {}): Promise<RefreshTickResult> {
  const due = await db().instance.findMany({
    where: {
      status: "ACTIVE",
      refreshTokenEncrypted: { not: null },
      tokenExpiresAt: { lte: new Date(now.getTime() + REFRESH_MARGIN_MS + lookaheadMs) },
    },
    select: { id: true },
    orderBy: { tokenExpiresAt: "asc" },
    take: BATCH,
  });

  const result: RefreshTickResult = { refreshed: 0, needsReauthorization: 0, failed: 0, prunedAuthorizations: 0 };
  for (const { id } of due) {
    try {
      const outcome = await refreshInstanceTokens(id);
      if (outcome.kind === "needs_reauthorization") result.needsReauthorization++;
      else if (outcome.kind === "refreshed") result.refreshed++;
    } catch (error) {
      // One provider being down must not stop the others; the next tick tries again.
      result.failed++;
      log("warn", "background token refresh failed", {
        instanceId: id,
        error: error instanceof AppError ? error.message : error instanceof Error ? error.name : "unknown",
      });
    }
  }

  const pruned = await db().oAuthAuthorization.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - DRAFT_TTL_MS) } } });
  result.prunedAuthorizations = pruned.count;
  return result;
}

/**
 * Refreshes tokens in the background every `intervalMs`, looking one interval ahead so a token never
 * lapses between passes. Returns `stop()`, which resolves once a pass in progress has finished.
 */
export function startTokenRefresher({ intervalMs = 60_000 }: { intervalMs?: number } = {}): () => Promise<void> {
  let running: Promise<unknown> | null = null;
  const tick = () => {
    if (running) return; // a slow pass is still going; skip rather than pile up
    running = refreshDueTokens({ lookaheadMs: intervalMs })
      .then((result) => {
        if (result.refreshed || result.needsReauthorization || result.failed) log("info", "background token refresh", result);
      })
      .catch((error: unknown) => log("error", "background token refresh pass failed", { error: error instanceof Error ? error.message : String(error) }))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
