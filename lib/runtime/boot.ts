import { loadGeneratedSecrets } from "@/lib/db/data-dir";
import { openDatabase, type DatabaseHandle } from "@/lib/db/database";
import { migrate } from "@/lib/db/migrate";
import { dataDir, env, publicUrl, resetEnv } from "@/lib/env";
import { log } from "@/lib/log";
import { bootstrapAdmin } from "@/lib/users/accounts";

/**
 * Everything that must happen before the web server takes requests: generated secrets, the
 * database (embedded unless DATABASE_URL), migrations, and the optional admin from the
 * environment. Fills process.env so the Next.js server code in this process sees the same values.
 */
export async function boot(): Promise<DatabaseHandle> {
  const started = Date.now();
  const generated = await loadGeneratedSecrets(dataDir());
  process.env.HOOKLINE_ENCRYPTION_KEY ||= generated.encryptionKey;
  process.env.NEXTAUTH_SECRET ||= generated.authSecret;
  resetEnv();
  process.env.NEXTAUTH_URL ||= publicUrl();

  const database = await openDatabase({
    databaseUrl: env().DATABASE_URL,
    dataDir: dataDir(),
    postgresPassword: generated.postgresPassword,
  });
  process.env.DATABASE_URL = database.url;
  resetEnv();
  log("info", "database ready", {
    embedded: database.embedded,
    dataDir: database.embedded ? dataDir() : undefined,
  });

  const { applied } = await migrate(database.url);
  if (applied.length) log("info", "migrations applied", { applied });

  const { HOOKLINE_ADMIN_EMAIL, HOOKLINE_ADMIN_PASSWORD } = env();
  if (HOOKLINE_ADMIN_EMAIL && HOOKLINE_ADMIN_PASSWORD) {
    const outcome = await bootstrapAdmin({
      email: HOOKLINE_ADMIN_EMAIL,
      password: HOOKLINE_ADMIN_PASSWORD,
      organizationName: env().HOOKLINE_ADMIN_ORGANIZATION,
      userSecret: env().HOOKLINE_BOOTSTRAP_USER_SECRET,
      organizationSecret: env().HOOKLINE_BOOTSTRAP_ORG_SECRET,
    });
    log("info", "admin from environment", { email: HOOKLINE_ADMIN_EMAIL, outcome });
  }
  log("info", "boot finished", { ms: Date.now() - started });
  return database;
}
