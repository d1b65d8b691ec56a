import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { NODE_SNIPPET, PYTHON_SNIPPET } from "@/lib/docs/verifying-deliveries";

function run(command: string, file: string, source: string): string {
  const target = path.join(mkdtempSync(path.join(tmpdir(), "hookline-verify-")), file);
  writeFileSync(target, source);
  return execFileSync(command, [target], { encoding: "utf8" }).trim();
}

describe("Verifying deliveries snippets", () => {
  it("the Node snippet verifies the test vector with both schemes", () => {
    expect(run(process.execPath, "verify.mjs", NODE_SNIPPET)).toBe("true true");
  });

  it("the Python snippet verifies the test vector with both schemes", () => {
    expect(run("python3", "verify.py", PYTHON_SNIPPET)).toBe("True True");
  });

  it("README.md prints both snippets exactly as /docs does", () => {
    const readme = readFileSync("README.md", "utf8");
    expect(readme).toContain("## Verifying deliveries");
    expect(readme).toContain("```js\n" + NODE_SNIPPET + "```");
    expect(readme).toContain("```python\n" + PYTHON_SNIPPET + "```");
  });
});
