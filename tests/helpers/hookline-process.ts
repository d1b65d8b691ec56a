// Hookline as a real process (`npm start`'s launcher, production build) on a fresh database: what the
// benchmarks load and the reliability suite kills, restarts, fuzzes and greps the log of.
import { randomBytes } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createTestDatabase } from "@/lib/db/test-database";
import { freePort } from "@/lib/net/free-port";
import { semiSpaceFlag } from "@/lib/runtime/young-generation";

/** Polls a URL until it answers (any HTTP status), returning the elapsed milliseconds. */
/**
 * Waits until `url` answers below 500: the edge answers (503) as soon as it accepts webhooks, the
 * console's pages a few seconds later, once Next.js is up.
 */
export async function waitForHttp(url: string, timeoutMs: number, started = performance.now(), anyAnswer = false): Promise<number> {
  let last = "no answer";
  for (;;) {
    try {
      const response = await fetch(url, { redirect: "manual" });
      await response.arrayBuffer();
      if (anyAnswer || response.status < 500) return performance.now() - started;
      last = `status ${response.status}`;
    } catch {
      last = "no answer";
    }
    if (performance.now() - started > timeoutMs) throw new Error(`${url} did not answer below 500 within ${timeoutMs} ms (${last})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Starts the launcher in a process group of its own (so the web server, worker and any embedded
 * Postgres can be signalled together). Output goes to `logFile` when given, else to ours.
 */
export function startHookline(env: Record<string, string | undefined>, options: { logFile?: string } = {}): ChildProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, HOOKLINE_LOG_LEVEL: "warn", ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete childEnv[key];
  // BENCH_PROFILE_DIR: the launcher runs under `node --cpu-prof` (the profile is written when it stops).
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const [command, args] = profileDir
    ? ["node", ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, semiSpaceFlag("edge"), "--import", "tsx", "scripts/start.ts"]]
    : ["npx", ["--no-install", "tsx", semiSpaceFlag("edge"), "scripts/start.ts"]];
  const stdio = options.logFile ? "pipe" : "inherit";
  const child = spawn(command, args, { env: childEnv, stdio: ["ignore", stdio, stdio], detached: true });
  if (options.logFile) {
    const out = createWriteStream(options.logFile, { flags: "a" });
    child.stdout?.pipe(out, { end: false });
    child.stderr?.pipe(out, { end: false });
  }
  return child;
}

/** Stops a process group started with `detached: true` and waits for it. */
export async function stopGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGINT"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    process.kill(-child.pid, signal);
  } catch {
    return; // already gone
  }
  await exited;
}

/**
 * The RSS of every process in process group `pgid`, by the script it runs (start, console, worker; the
 * npx and tsx launchers by their pid): field 5 of /proc/<pid>/stat is the group, 24 the RSS in pages.
 */
async function groupRssByProcess(pgid: number): Promise<Record<string, number>> {
  const byProcess: Record<string, number> = {};
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) !== pgid) continue;
    const command = (await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "")).split("\0").join(" ");
    const script = /loader\.mjs .*scripts\/(\w+)\.ts/.exec(command)?.[1] ?? `pid ${entry}`;
    byProcess[script] = (byProcess[script] ?? 0) + Number(fields[21]) * 4096;
  }
  return byProcess;
}

async function groupRss(pgid: number): Promise<number> {
  return Object.values(await groupRssByProcess(pgid)).reduce((sum, bytes) => sum + bytes, 0);
}

export type HooklineProcess = {
  base: string;
  /** `Authorization` header of the bootstrap admin's User and Organization secrets. */
  header: string;
  userSecret: string;
  orgSecret: string;
  adminEmail: string;
  adminPassword: string;
  databaseUrl: string;
  dataDir: string;
  /** Resident memory of the whole process group (launcher, web server, worker), in bytes (Linux /proc). */
  rss: () => Promise<number>;
  /** The same by process: `start` (the edge), `console`, `worker`, and the launchers by pid. */
  rssByProcess: () => Promise<Record<string, number>>;
  /** Everything the server printed, across restarts (when started with `logFile: true`). */
  logFile: string | undefined;
  readLog: () => Promise<string>;
  /** Starts it again on the same database, data folder and port; resolves when it answers. */
  /** Starts it again; `until: "webhooks"` returns once the edge accepts webhooks, before the console is up. */
  restart: (options?: { until?: "console" | "webhooks" }) => Promise<void>;
  /** Ctrl-C: SIGINT to the whole process group, as a terminal sends it; resolves once the launcher exited. */
  interrupt: () => Promise<void>;
  /** `kill -9` of the whole process group (web server and worker): no shutdown code runs. */
  kill9: () => Promise<void>;
  /** Graceful stop, then the database and data folder are removed. */
  stop: () => Promise<void>;
};

/**
 * A Hookline server on a fresh database (the run's server, or an embedded one when `DATABASE_URL` is
 * unset) with a bootstrap admin whose API secrets are known to the caller.
 */
/** The Hooklines of this test file that are running (the reliability setup prints their logs' tails when a test fails). */
const running = new Set<HooklineProcess>();

export function runningHooklines(): readonly HooklineProcess[] {
  return [...running];
}

export async function launchHookline(options: { env?: Record<string, string>; logFile?: boolean } = {}): Promise<HooklineProcess> {
  const database = await createTestDatabase(process.env.HOOKLINE_TEST_ADMIN_DATABASE_URL || process.env.DATABASE_URL || undefined);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "hookline-proc-"));
  await chmod(dataDir, 0o755);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const userSecret = randomBytes(24).toString("base64url");
  const orgSecret = randomBytes(24).toString("base64url");
  const adminEmail = "admin@hookline.test";
  const adminPassword = `pw-${randomBytes(9).toString("base64url")}`;
  const logFile = options.logFile ? path.join(dataDir, "server.log") : undefined;
  const env = {
    DATABASE_URL: database.url,
    PORT: String(port),
    HOSTNAME: "127.0.0.1",
    HOOKLINE_DATA_DIR: dataDir,
    HOOKLINE_PUBLIC_URL: base,
    HOOKLINE_ADMIN_EMAIL: adminEmail,
    HOOKLINE_ADMIN_PASSWORD: adminPassword,
    HOOKLINE_BOOTSTRAP_USER_SECRET: userSecret,
    HOOKLINE_BOOTSTRAP_ORG_SECRET: orgSecret,
    ...options.env,
  };
  let child: ChildProcess | undefined;
  const start = async ({ until = "console" }: { until?: "console" | "webhooks" } = {}) => {
    child = startHookline(env, { logFile });
    const exited = new Promise<never>((_, reject) =>
      child!.once("exit", (code, signal) => reject(new Error(`Hookline exited while starting (${code ?? signal})`))),
    );
    await Promise.race([waitForHttp(`${base}/login`, 300_000, performance.now(), until === "webhooks"), exited]);
    exited.catch(() => undefined);
  };
  try {
    await start();
  } catch (error) {
    if (child) await stopGroup(child, "SIGKILL");
    await database.dispose();
    throw error;
  }
  const launched: HooklineProcess = {
    base,
    header: `User ${userSecret}, Organization ${orgSecret}`,
    userSecret,
    orgSecret,
    adminEmail,
    adminPassword,
    databaseUrl: database.url,
    dataDir,
    logFile,
    rss: async () => (child?.pid ? groupRss(child.pid) : 0),
    rssByProcess: async () => (child?.pid ? groupRssByProcess(child.pid) : {}),
    readLog: async () => (logFile ? readFile(logFile, "utf8") : ""),
    restart: start,
    interrupt: async () => {
      if (child) await stopGroup(child, "SIGINT");
    },
    kill9: async () => {
      if (child) await stopGroup(child, "SIGKILL");
    },
    stop: async () => {
      running.delete(launched);
      if (child) await stopGroup(child);
      await database.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  running.add(launched);
  return launched;
}

/**
 * Signs in through next-auth's credentials endpoint the way the login form does and returns the
 * `Cookie` header of the session (for pages and the live event log stream).
 */
export async function signInCookie(base: string, email: string, password: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair!.indexOf("=");
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
  };
  const cookie = () => [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
  const csrf = await fetch(`${base}/api/auth/csrf`);
  keep(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie() },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  keep(response);
  if (![...jar.keys()].some((name) => name.endsWith("next-auth.session-token"))) {
    throw new Error(`sign-in as ${email} failed (${response.status})`);
  }
  return cookie();
}
