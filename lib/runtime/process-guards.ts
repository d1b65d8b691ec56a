import { log } from "@/lib/log";

/**
 * A failure no handler caught is logged at error level (the reliability suite greps for it) instead of
 * taking every request or delivery in flight down with the process.
 */
export function logUnhandledRejections(): void {
  process.on("unhandledRejection", (reason) => {
    log("error", "unhandledRejection", { error: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason) });
  });
}
