// raft-metadata's onlineChecks option (system.ts; bench:check-share measures what the checks
// cost with it): "all" (the default), "starting" (the checks raft-metadata had when issue 12
// began) and "none" (the history check only). The checks only read, so every mode runs the
// same events; a planted bug that only a newer check sees passes with fewer checks.
import { describe, expect, it } from "vitest";
import { simulate } from "../../../src/api/simulate.js";

const S = 1_000_000;
const MODES = ["all", "starting", "none"] as const;
const run = (seed: number, onlineChecks: (typeof MODES)[number], bugs: string[] = []) =>
  simulate({ seed, timeUs: 10 * S, sutAsserts: false, bugs, systemOptions: { onlineChecks } }).result;

describe("onlineChecks", () => {
  it("runs the same events in every mode (same trace hash), and correct runs pass in each", () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const [a, b, c] = MODES.map((m) => run(seed, m));
      expect(a!.verdict, `seed ${seed}: ${a!.message}`).toBe("ok");
      expect(b!.verdict).toBe("ok");
      expect(c!.verdict).toBe("ok");
      expect(b!.traceHash, `seed ${seed}`).toBe(a!.traceHash);
      expect(c!.traceHash, `seed ${seed}`).toBe(a!.traceHash);
    }
  });

  it("fewer checks find less: commit-previous-term at seed 2 is seen only by a check added since (commit-current-term)", () => {
    expect(run(2, "all", ["commit-previous-term"]).message).toMatch(/^commit-current-term/);
    expect(run(2, "starting", ["commit-previous-term"]).verdict).toBe("ok");
    expect(run(2, "none", ["commit-previous-term"]).verdict).toBe("ok");
  });

  it("the starting set still has the Raft invariants; none has only the history check", () => {
    expect(run(17, "starting", ["count-stale-vote"]).message).toMatch(/^election-legitimacy/);
    expect(run(17, "none", ["count-stale-vote"]).verdict).toBe("ok");
  });
});
