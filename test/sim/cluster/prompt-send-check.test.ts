// leader-announce, probe-after-reject and pipeline-on-match (src/sim/systems/raft-metadata/prompt-send-check.ts):
// a correct leader sends its AppendEntries in the step that obliges it; a leader whose probe is
// held back until the next heartbeat answer (Progress patched here, in this process only) does
// not, and fails the rule for that step.
import { describe, expect, it } from "vitest";
import { Progress } from "../../../src/impl/raft/progress.js";
import { simulate } from "../../../src/api/simulate.js";
import { prototypePatcher, type Patchable } from "./patch-prototype.js";

const S = 1_000_000;
const patch = prototypePatcher(Progress.prototype);

describe("prompt sends", () => {
  it("pass correct leaders", () => {
    for (const seed of [1, 2, 3, 4]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("leader-announce: a new leader that marks every follower as already probed", () => {
    patch("reset", (orig) => function (this: Patchable, ...a: unknown[]) {
      orig.apply(this, a);
      (this as { probeSent: boolean }).probeSent = true;
    });
    const r = simulate({ seed: 1, timeUs: 5 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^leader-announce at node \d+, t=[\d.]+ms, term \d+: elected, but sent member \d+ no AppendEntries in the same step$/);
  });

  it("probe-after-reject: a leader that backs off to probing but holds the probe back", () => {
    patch("becomeProbe", (orig) => function (this: Patchable, ...a: unknown[]) {
      orig.apply(this, a);
      (this as { probeSent: boolean }).probeSent = true;
    });
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^probe-after-reject at node \d+, t=[\d.]+ms: follower \d+ rejected an append, and the leader sent it no new probe/);
  });

  it("pipeline-on-match: a leader that never leaves probing (becomeReplicate keeps probing)", () => {
    patch("becomeReplicate", (orig) => function (this: Patchable, ...a: unknown[]) {
      orig.apply(this, a);
      (this as { replicate: boolean }).replicate = false;
    });
    // Seed 29: maxInflight above 1 (seeds with maxInflight 1 pipeline one append either way);
    // on most seeds append-budget sees the probing leader's empty appends first (10, 16, 29, 35
    // of 1..40 are this check's).
    const r = simulate({ seed: 29, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^pipeline-on-match at node \d+, t=[\d.]+ms, term \d+: follower \d+ matched, ending probing, and lacks at least \d+ batches, but the leader sent it 1 non-empty append\(s\) in that step/);
  });
});
