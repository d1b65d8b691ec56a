// `npm run check`: the type check and the linter at once (one core each), each one's output printed as
// a block when it ends; fails if either does. Sequential, they took 38 + 36 s of every CI run.
import { spawn } from "node:child_process";

const CHECKS: Array<[name: string, command: string, args: string[]]> = [
  ["typecheck", "tsc", ["--noEmit"]],
  ["lint", "eslint", ["."]],
];

function run(name: string, command: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn("npx", ["--no-install", command, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const output: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk));
    child.on("close", (code) => {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stdout.write(`\n> ${name}: ${command} ${args.join(" ")} (${code === 0 ? "passed" : `failed, exit ${code}`}, ${seconds} s)\n`);
      process.stdout.write(Buffer.concat(output));
      resolve(code === 0);
    });
  });
}

const results = await Promise.all(CHECKS.map(([name, command, args]) => run(name, command, args)));
process.exit(results.every(Boolean) ? 0 : 1);
