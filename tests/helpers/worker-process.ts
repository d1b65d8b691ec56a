// A delivery worker in a process of its own, for the crash test: it is killed with SIGKILL mid-delivery.
import { startDeliveryWorker } from "@/lib/delivery/worker";

const connectionString = process.env.DATABASE_URL;
if (!connectionString) throw new Error("DATABASE_URL is not set");
await startDeliveryWorker({ connectionString, schedule: [1], pollingIntervalSeconds: 0.5 });
console.log("worker ready");
