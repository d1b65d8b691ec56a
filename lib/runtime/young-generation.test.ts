import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { childExecArgv, SEMI_SPACE_MB, semiSpaceFlag } from "./young-generation";

describe("young generation per process", () => {
  it("gives a child the parent's loader flags and its own semi-space, not the parent's", () => {
    const parent = ["--require", "/x/preflight.cjs", "--import", "file:///x/loader.mjs", semiSpaceFlag("edge")];
    expect(childExecArgv(parent, "worker")).toEqual(["--require", "/x/preflight.cjs", "--import", "file:///x/loader.mjs", `--max-semi-space-size=${SEMI_SPACE_MB.worker}`]);
    expect(childExecArgv(["--import", "tsx"], "console")).toEqual(["--import", "tsx", `--max-semi-space-size=${SEMI_SPACE_MB.console}`]);
  });

  it("is what `npm start` and `npm run dev` give the edge", () => {
    const { scripts } = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../package.json"), "utf8")) as { scripts: Record<string, string> };
    for (const name of ["start", "dev"]) expect(scripts[name]).toMatch(new RegExp(`tsx ${semiSpaceFlag("edge")} scripts/start\\.ts$`));
  });
});
