// `npm run db:migrate`: applies prisma/migrations to DATABASE_URL, or to the embedded database
// in the data folder when DATABASE_URL is unset.
import { disconnectDb } from "@/lib/db/client";
import { log } from "@/lib/log";
import { boot } from "@/lib/runtime/boot";

const database = await boot();
await disconnectDb();
await database.stop();
log("info", "migrations up to date");
