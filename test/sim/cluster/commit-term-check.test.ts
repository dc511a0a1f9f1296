// commit-current-term (src/sim/systems/raft-metadata/commit-term-check.ts): a leader moves its
// commit index only to an entry of its own term (Figure 8). On views built here (the rule must
// fail and must pass), on correct runs, and on the planted bug commit-previous-term (a leader
// that counts replicas of an older term's entry).
import { describe, expect, it } from "vitest";
import { RoleCode } from "../../../src/impl/raft/api.js";
import { simulate } from "../../../src/api/simulate.js";
import { CommitTermCheck } from "../../../src/sim/systems/raft-metadata/commit-term-check.js";
import { TOUCHED_ALL } from "../../../src/sim/kernel/world.js";
import type { AnyWorld } from "../../../src/sim/runner/system.js";

const S = 1_000_000;

/** Node 0 leads `term`; its log's terms by index (index 0 is term 0). */
function world(term: number, commit: number, terms: number[], role = "leader"): AnyWorld {
  const raft = { role: () => role, term: () => term, commitIndex: () => commit, log: { termAt: (i: number) => terms[i] ?? -1 } };
  return { now: 9_000, nodes: [{ raft }, null] } as unknown as AnyWorld;
}

describe("commit-current-term", () => {
  /** An answer reached node 0 in this event: the step is judged. */
  const answered = (c: CommitTermCheck, w: AnyWorld): string | null => {
    c.answerDelivered(0);
    return c.afterEvent(w, 0);
  };

  it("fails a leader whose commit index moves to an older term's entry, passes one of its own", () => {
    const terms = [0, 1, 1, 2, 3, 3];
    const c = new CommitTermCheck(2);
    c.roleNoted(world(3, 2, terms), 0, RoleCode.leader); // commit 2 when it became leader
    expect(answered(c, world(3, 2, terms))).toBeNull(); // not moved
    expect(answered(c, world(3, 3, terms))).toBe("commit-current-term at node 0, t=9.000ms, term 3: the leader moved its commit index from 2 to 3, an entry of term 2, not of its own term (Figure 8: only an entry of the leader's term is committed by counting replicas)");
    // An entry of its own term commits the older ones with it: fine.
    const d = new CommitTermCheck(2);
    d.roleNoted(world(3, 2, terms), 0, RoleCode.leader);
    expect(answered(d, world(3, 5, terms))).toBeNull();
  });

  it("judges only a leader's steps with an answer, and starts afresh after a fault", () => {
    const terms = [0, 1, 1, 2, 3, 3];
    const c = new CommitTermCheck(2);
    // Not leading: a follower takes any committed index from its leader.
    expect(answered(c, world(3, 2, terms, "follower"))).toBeNull();
    expect(answered(c, world(3, 3, terms, "follower"))).toBeNull();
    c.roleNoted(world(3, 2, terms), 0, RoleCode.leader);
    expect(c.afterEvent(world(3, 3, terms), 0)).toBeNull(); // no answer in this step: not judged
    c.answerDelivered(0);
    expect(c.afterEvent(world(3, 2, terms), TOUCHED_ALL)).toBeNull(); // a fault: afresh
    expect(answered(c, world(3, 3, terms))).toBeNull(); // first seen again
    expect(answered(c, world(4, 4, terms))).toBeNull(); // a new term: first seen in it
    expect(answered(c, world(4, 5, [...terms, 4]))).toMatch(/^commit-current-term at node 0, .* from 4 to 5, an entry of term 3, not of its own term/);
  });

  it("passes correct runs", () => {
    for (const seed of [1, 2, 3, 4]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("finds the planted bug commit-previous-term at seed 2", () => {
    const r = simulate({ seed: 2, timeUs: 10 * S, sutAsserts: false, bugs: ["commit-previous-term"] }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^commit-current-term at node \d+, t=[\d.]+ms, term \d+: the leader moved its commit index from \d+ to \d+, an entry of term \d+, not of its own term/);
  });
});
