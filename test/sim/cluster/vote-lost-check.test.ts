// vote-lost-steps-down (src/sim/systems/raft-metadata/vote-lost-check.ts): a correct
// (pre)candidate that a quorum rejected returns to follower in that step; one whose tally never
// reports a lost election (patched here, in this process only) stays in its lost round and fails.
import { describe, expect, it } from "vitest";
import { VOTE_LOST, VOTE_PENDING, VoterSet } from "../../../src/impl/raft/quorum.js";
import { simulate } from "../../../src/api/simulate.js";
import { getSystem, runSystem } from "../../../src/api/index.js";
import { prototypePatcher } from "./patch-prototype.js";

const S = 1_000_000;
const patch = prototypePatcher(VoterSet.prototype);

describe("vote-lost-steps-down", () => {
  it("passes correct servers: swarm, every fault family, PreVote on and off", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}${everyFamily ? " every fault" : ""}: ${r.message}`).toBe("ok");
      }
    }
    for (const preVote of [true, false]) {
      const r = runSystem(getSystem("raft-metadata"), { seed: 2, timeUs: 10 * S, sutAsserts: false, options: { raft: { preVote } } });
      expect(r.verdict, `preVote ${preVote}: ${r.message}`).toBe("ok");
    }
  });

  it("a (pre)candidate whose tally never reports a lost election", () => {
    patch("voteResult", (orig) => function (this: VoterSet, ...a: unknown[]) {
      const res = orig.apply(this, a);
      return res === VOTE_LOST ? VOTE_PENDING : res;
    });
    // Seed 2: the first of the swarm in which a quorum rejects a campaign.
    const r = simulate({ seed: 2, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^vote-lost-steps-down at node \d+, t=[\d.]+ms, term \d+: \d+ of its \d+ voters \[[\d,]+\] rejected its (PreVote|election), a quorum, yet it is still (precandidate|candidate)$/);
  });
});
