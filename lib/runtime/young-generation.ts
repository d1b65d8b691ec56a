// V8's young generation, per Hookline process. Under allocation-heavy load V8 grows each process's two
// semi-spaces up to 16 MB apiece and keeps the pages: 300 paused live-log streams while 15 000 webhooks
// arrive grew the edge, the console and the worker by 40–56 MB each, much of it new space (README,
// Reliability). Smaller semi-spaces cost throughput (more scavenges): the edge's ingest rate did not
// move at 2 MB, the worker's drain did (at 2, 4 and 8 MB), so the worker keeps Node's default.

export type ProcessName = "edge" | "console" | "worker";

/** MB per semi-space (`--max-semi-space-size`); Node's default on 64-bit is 16. */
export const SEMI_SPACE_MB: Record<ProcessName, number> = { edge: 2, console: 2, worker: 16 };

const FLAG = "--max-semi-space-size";

export function semiSpaceFlag(name: ProcessName): string {
  return `${FLAG}=${SEMI_SPACE_MB[name]}`;
}

/** A child's Node flags: the parent's (the tsx loader), with the child's own semi-space instead of the parent's. */
export function childExecArgv(parentExecArgv: readonly string[], name: ProcessName): string[] {
  return [...parentExecArgv.filter((flag) => !flag.startsWith(`${FLAG}=`)), semiSpaceFlag(name)];
}
