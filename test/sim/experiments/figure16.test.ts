// The Figure 16 experiment: deterministic per seed, and the paper's qualitative result — timeout
// randomness removes the split-vote tail that fixed timeouts suffer from.
import { describe, expect, it } from "vitest";
import { runFigure16, runFigure16Trial, trialSeeds, formatFigure16 } from "../../../src/sim/systems/raft-metadata/experiments/figure16.js";

const RANGES = [
  { minMs: 150, maxMs: 150 },
  { minMs: 150, maxMs: 300 },
];

describe("figure16", () => {
  it("is deterministic: same seed → same table; another seed → other numbers", () => {
    const a = runFigure16({ seed: 5, trials: 20, ranges: RANGES });
    const b = runFigure16({ seed: 5, trials: 20, ranges: RANGES });
    expect(b).toEqual(a);
    const c = runFigure16({ seed: 6, trials: 20, ranges: RANGES });
    expect(c.rows[1].known).not.toEqual(a.rows[1].known);
    expect(a.rows.map((r) => r.trials)).toEqual([2, 20]); // 150–150 runs a tenth
    expect(formatFigure16(a)).toMatch(/150-300/);
  });

  it("per-trial seeds do not depend on the number of trials", () => {
    expect(trialSeeds(9, RANGES[1], 50).slice(0, 10)).toEqual(trialSeeds(9, RANGES[1], 10));
    const s = trialSeeds(9, RANGES[1], 1)[0];
    expect(runFigure16Trial(RANGES[1], s)).toEqual(runFigure16Trial(RANGES[1], s));
  });

  it("randomized timeouts (150–300 ms) have a far shorter tail than fixed ones (150–150 ms)", () => {
    const t = runFigure16({ seed: 1, trials: 40, ranges: RANGES });
    const [fixed, wide] = t.rows;
    expect(fixed.trials).toBe(4);
    // Fixed timeouts: every trial needs repeated rounds (split votes) and takes seconds.
    expect(fixed.splitVoteFraction).toBe(1);
    expect(fixed.known.min).toBeGreaterThan(1_000);
    // Randomized: mostly one round, and even the worst of 40 trials is well under a second.
    expect(wide.splitVoteFraction).toBeLessThan(0.25);
    expect(wide.capped).toBe(0);
    expect(wide.known.max).toBeLessThan(1_000);
    expect(wide.known.p90 * 3).toBeLessThan(fixed.known.median);
    // Never faster than physically possible: detection (≥ min − heartbeat) + one round trip.
    expect(wide.known.min).toBeGreaterThan(75);
  });
});
