// The only test of `npm run mutation` (vitest.mutation.config.ts): one vitest test per run of
// the sweep (test/mutation/cases.ts), so Stryker's per-test coverage knows which seeds reach a
// mutant and runs only those, stopping at the first that fails. Not picked up by `npm test`.
// A failing run throws its verdict and message whole: Stryker keeps it as the mutant's
// statusReason, which bench/mutation-summary.ts sorts into the check that killed it.
import { it } from "vitest";
import { mutationCases, verdictProblem } from "./cases.js";

for (const c of mutationCases()) {
  it(c.name, () => {
    const problem = verdictProblem(c.run());
    if (problem !== null) throw new Error(problem);
  });
}
