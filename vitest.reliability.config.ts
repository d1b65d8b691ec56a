import { defineConfig } from "vitest/config";
import path from "node:path";

/** `npm run test:reliability`: real Hookline processes killed, fuzzed and probed (see reliability/). */
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["reliability/**/*.test.ts"],
    environment: "node",
    testTimeout: 300_000,
    hookTimeout: 400_000,
    fileParallelism: false,
    // Servers log to files (launchHookline); their tails are printed when a test fails.
    setupFiles: ["reliability/setup.ts"],
  },
});
