import { fork, type ChildProcess } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export type OwnProcess = { pid: number; nice: number; command: string };

/**
 * The processes of one Hookline (their environment names its data folder: the launchers, the edge, the
 * console and the worker) whose command line matches `pattern`, with their niceness (/proc/<pid>/stat
 * field 19).
 */
export async function hooklineProcesses(dataDir: string, pattern: RegExp = /./): Promise<OwnProcess[]> {
  const found: OwnProcess[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const environment = await readFile(`/proc/${entry}/environ`, "utf8").catch(() => "");
    if (!environment.split("\0").includes(`HOOKLINE_DATA_DIR=${dataDir}`)) continue;
    const command = (await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "")).split("\0").join(" ");
    if (!pattern.test(command)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    found.push({ pid: Number(entry), nice: Number(fields[16]), command });
  }
  return found;
}

/** The node process that runs `scripts/<script>.ts` (not the npx and tsx launchers in front of it). */
export const scriptPattern = (script: "start" | "console" | "worker") => new RegExp(`loader\\.mjs .*scripts/${script}\\.ts`);

/** How long a helper process has to answer a message before the test fails rather than hangs. */
const ANSWER_MS = 60_000;

const helpers = new Set<ChildProcess>();

/** Kills the helpers still running (a test that failed midway leaves them searching or attacking). */
export function killHelpers(): void {
  for (const child of helpers) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  helpers.clear();
}

export type Helper = {
  child: ChildProcess;
  /** The niceness it runs at: the one asked for, or its parent's where that needs root. */
  niceness: number;
  /** Sends `message` and resolves with the helper's answer (rejects if it exits or takes over a minute). */
  ask: <T>(message: string) => Promise<T>;
};

/**
 * Forks `reliability/<script>.ts` (a load generator, a prober) with its JSON config in argv[2], so that
 * its work does not share the test's event loop, at `niceness` where allowed (below 0 needs root).
 */
export function forkHelper(script: string, config: unknown, niceness?: number): Helper {
  const child = fork(path.join(import.meta.dirname, `${script}.ts`), [JSON.stringify(config)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  helpers.add(child);
  child.once("exit", () => helpers.delete(child));
  if (niceness !== undefined) {
    try {
      os.setPriority(child.pid!, niceness);
    } catch {
      // EACCES: not root; it then waits for a core like everything else
    }
  }
  const ask = <T>(message: string) =>
    new Promise<T>((resolve, reject) => {
      const answered = (answer: unknown) => (settle(), resolve(answer as T));
      const exited = (code: number | null) => (settle(), reject(new Error(`${script}'s process exited (${code}) without answering "${message}"`)));
      const timer = setTimeout(() => (settle(), reject(new Error(`${script} did not answer "${message}" within ${ANSWER_MS / 1000} s`))), ANSWER_MS);
      const settle = () => (clearTimeout(timer), child.off("message", answered), child.off("exit", exited));
      child.once("message", answered);
      child.once("exit", exited);
      child.send(message);
    });
  return { child, niceness: os.getPriority(child.pid!), ask };
}
