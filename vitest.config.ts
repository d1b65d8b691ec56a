import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // Next.js resolves `server-only` to its own copy when it bundles; tests import those modules directly.
      "server-only": path.resolve(import.meta.dirname, "node_modules/next/dist/compiled/server-only/empty.js"),
    },
  },
  test: {
    include: ["lib/**/*.test.ts", "tests/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests share one fresh database per run (see scripts/with-test-db.ts).
    fileParallelism: false,
    // What code under test logs is shown for failing tests only: a passing run prints the test list.
    silent: "passed-only",
  },
});
