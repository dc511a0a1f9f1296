// The vitest config of `npm run mutation` (stryker.config.mjs): its only test is the in-process
// seed sweep, so the mutation score measures the harness, not unit tests.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/mutation/sweep.mutation.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
