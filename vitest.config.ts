import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { raftsim: fileURLToPath(new URL("./src/api/index.ts", import.meta.url)) } },
  test: {
    // examples/ run as a user's project would: `import ... from "raftsim"` is the public API.
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: ["default", "./test/summary-reporter.ts"],
  },
});
