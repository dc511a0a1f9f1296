// prevote-rule.ts: which PreVote answers the checks take a precandidate to count (vote-lost-check
// and prevote-order-check read it). Cases the rule must accept and cases it must refuse, one per
// clause: the precandidate is in term 4, PreVote round 7 (it asks for term 5).
import { describe, expect, it } from "vitest";
import { precandidateCounts } from "../../../src/sim/systems/raft-metadata/prevote-rule.js";

const counts = (answer: { term: number; granted: boolean; round?: number }): boolean => precandidateCounts(4, 7, answer);

describe("precandidateCounts", () => {
  it("a grant of the current round for the term the round asks for (ours + 1) counts", () => {
    expect(counts({ term: 5, granted: true, round: 7 })).toBe(true);
  });

  it("a grant of an earlier round does not, though its term is the same (the late answer)", () => {
    expect(counts({ term: 5, granted: true, round: 6 })).toBe(false);
    expect(counts({ term: 5, granted: true, round: 1 })).toBe(false);
    expect(counts({ term: 5, granted: true })).toBe(false); // no round: not a PreVote answer of ours
  });

  it("a grant of our own term does not (a round from when our term was one lower), nor of another", () => {
    expect(counts({ term: 4, granted: true, round: 7 })).toBe(false);
    expect(counts({ term: 6, granted: true, round: 7 })).toBe(false);
    expect(counts({ term: 3, granted: true, round: 7 })).toBe(false);
  });

  it("a rejection of the current round in our term counts; of an earlier round, or of another term, not", () => {
    expect(counts({ term: 4, granted: false, round: 7 })).toBe(true);
    expect(counts({ term: 4, granted: false, round: 6 })).toBe(false);
    expect(counts({ term: 5, granted: false, round: 7 })).toBe(false);
    expect(counts({ term: 3, granted: false, round: 7 })).toBe(false);
  });
});
