// probe-bound (src/sim/systems/raft-metadata/probe-bound-check.ts): a leader using the conflict
// hint finds a follower's match in at most D_F + D_L + 2 rejected probes; one that ignores the
// hint and steps back one entry per rejection (Figure 2's plain rule; Progress patched here, in
// this process only) takes one per entry and fails.
import { describe, expect, it } from "vitest";
import { Progress } from "../../../src/impl/raft/progress.js";
import { simulate } from "../../../src/api/simulate.js";
import { probeBudget } from "../../../src/sim/systems/raft-metadata/probe-bound-check.js";
import { prototypePatcher, type Patchable } from "./patch-prototype.js";

const S = 1_000_000;
const patch = prototypePatcher(Progress.prototype);

/** A log view from its terms (index 1..), optionally compacted up to `snap`. */
function log(terms: number[], snap = 0): Parameters<typeof probeBudget>[0] {
  return {
    lastIndex: () => terms.length,
    snapshotIndex: () => snap,
    snapshotTerm: () => (snap === 0 ? 0 : terms[snap - 1]),
    entry: (i: number) => (i > snap && i <= terms.length ? { term: terms[i - 1] } : undefined),
  };
}

describe("probe-bound", () => {
  it("the budget counts the distinct terms of both logs past their common prefix", () => {
    // Same log: nothing to disagree on.
    expect(probeBudget(log([1, 1, 2]), log([1, 1, 2]))).toEqual({ budget: 2, common: 3 });
    // Follower shorter, matching: the leader's one term past it.
    expect(probeBudget(log([1, 1, 2, 2, 2]), log([1, 1]))).toEqual({ budget: 3, common: 2 });
    // A deposed leader's suffix of terms 2 and 3 against the new leader's term 4.
    expect(probeBudget(log([1, 1, 4, 4]), log([1, 1, 2, 2, 2, 3, 3]))).toEqual({ budget: 2 + 2 + 1, common: 2 });
    // Below either snapshot the logs are committed, hence the same.
    expect(probeBudget(log([1, 1, 1, 5, 5], 3), log([1, 1, 1, 2, 2, 2]))).toEqual({ budget: 2 + 1 + 1, common: 3 });
  });

  it("passes correct leaders", () => {
    for (const seed of [1, 2, 3, 7]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      }
    }
  });

  // Seed 61628 (10 s): follower 2, restored from a backup, rejected the newest probe at an index
  // it had acknowledged (hint: its term 16 from index 73); the leader lowered match only to the
  // rejected index - 1, and its term skip neither looks nor jumps below match, so it stepped
  // back one entry per rejection from 94 (13 rejections, budget 12). It now lowers match below
  // the hint (step-leader.ts) and reaches index 77 in one step.
  for (const sutAsserts of [true, false]) {
    it(`seed 61628 at 10 s is ok: a lost entry's term hint is used whole (assertions ${sutAsserts ? "on" : "off"})`, () => {
      const r = simulate({ seed: 61628, timeUs: 10 * S, sutAsserts }).result;
      expect(r.verdict, `${r.message ?? ""} — replay: raftsim run --seed 61628 --time 10s`).toBe("ok");
    });
  }

  it("fails a leader that ignores the hint and steps back one entry per rejection", () => {
    patch("becomeProbe", (orig) => function (this: Patchable, ...a: unknown[]) {
      const self = this as { next: number; match: number; replicate: boolean };
      const next = a[0] as number;
      // Figure 2's plain rule while probing: the rejected probe was at next - 1, so decrement
      // nextIndex by one (never below match + 1) instead of jumping to the hint. (Leaving a
      // pipeline, and going to a snapshot, keep the hint: only the steps after it are plain.)
      orig.apply(this, [!self.replicate && next < self.next - 1 ? Math.max(self.match + 1, self.next - 1) : next]);
    });
    const found: number[] = [];
    for (const seed of [1, 2, 3, 5, 7]) {
      const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false }).result;
      if (r.verdict === "violation") {
        expect(r.message).toMatch(/^probe-bound at node \d+, t=[\d.]+ms, term \d+: follower \d+ rejected \d+ probes in one episode \(the last at index \d+\), more than the \d+ that the terms of the two logs past their common prefix \(index \d+\) allow with the conflict hint$/);
        found.push(seed);
      }
    }
    expect(found.length).toBeGreaterThanOrEqual(3);
  });
});
