// A poller in a process of its own (lib/polling/poller.ts), as every worker process runs one: the
// scale-out test starts two against one database. SIGTERM stops it (polls in flight are aborted and
// give their lease back) before it exits.
import { startPoller } from "@/lib/polling/poller";

if (!process.env.DATABASE_URL) throw new Error("DATABASE_URL is not set");
const poller = startPoller({ idleMs: 100 });
process.on("SIGTERM", () => {
  void poller.stop().then(() => setTimeout(() => process.exit(0), 500));
});
console.log("poller ready");
