import { readdir, readFile } from "node:fs/promises";

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
