// The vitest config of `npm run mutation` (stryker.config.mjs): its only test is the in-process
// seed sweep, so the mutation score measures the harness, not unit tests.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/mutation/sweep.mutation.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // MUTATION_ISOLATE=0: keep the worker's modules between runs (experiment; see
    // reports/mutation/summary.md, "Time").
    ...(process.env.MUTATION_ISOLATE === "0" ? { isolate: false } : {}),
  },
});
