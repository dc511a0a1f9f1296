// commit-current-term (src/sim/systems/raft-metadata/commit-term-check.ts): a leader moves its
// commit index only to an entry of its own term (Figure 8). On views built here (the rule must
// fail and must pass), on correct runs, and on the planted bug commit-previous-term (a leader
// that counts replicas of an older term's entry).
import { describe, expect, it } from "vitest";
import { RoleCode } from "../../../src/impl/raft/api.js";
import { Raft } from "../../../src/impl/raft/raft.js";
import { prototypePatcher, type Patchable } from "./patch-prototype.js";
import { simulate } from "../../../src/api/simulate.js";
import { CommitTermCheck } from "../../../src/sim/systems/raft-metadata/commit-term-check.js";
import { TOUCHED_ALL } from "../../../src/sim/kernel/world.js";
import type { AnyWorld } from "../../../src/sim/runner/system.js";

const S = 1_000_000;
const patchRaft = prototypePatcher(Raft.prototype);

/** Node 0 leads `term`; its log's terms by index (index 0 is term 0). */
function world(term: number, commit: number, terms: number[], role = "leader"): AnyWorld {
  const raft = { role: () => role, term: () => term, commit, commitIndex: () => commit, log: { termAt: (i: number) => terms[i] ?? -1 }, voters: () => [0, 1, 2], cfg: { ids: [0, 1, 2], quorum: 2 } };
  return { now: 9_000, nodes: [{ raft }, null] } as unknown as AnyWorld;
}

describe("commit-current-term and commit-unfenced-quorum", () => {
  const ok = (term: number, index: number, fenced = false) => ({ type: "appResp", term, index, success: true, fenced });
  const refused = { type: "appResp", term: 3, index: 0, success: false };
  /** A step of node 0: an answer is delivered to it in state `before`, it handles it, ending in `after`. */
  const step = (c: CommitTermCheck, before: AnyWorld, after: AnyWorld, ack: { type: string; term: number; index: number } = refused): string | null => {
    c.answerDelivered(before, 1, 0, ack);
    return c.afterEvent(after, 0);
  };
  const terms = [0, 1, 1, 2, 3, 3, 3];

  it("commit-current-term: fails a leader whose commit index moves to an older term's entry", () => {
    const c = new CommitTermCheck(3);
    c.roleNoted(0, RoleCode.leader);
    expect(step(c, world(3, 2, terms), world(3, 2, terms))).toBeNull(); // not moved
    expect(step(c, world(3, 2, terms), world(3, 3, terms), ok(3, 3))).toBe("commit-current-term at node 0, t=9.000ms, term 3: the leader moved its commit index from 2 to 3, an entry of term 2, not of its own term (Figure 8: only an entry of the leader's term is committed by counting replicas)");
    // An entry of its own term commits the older ones with it: fine.
    expect(step(c, world(3, 2, terms), world(3, 5, terms), ok(3, 5))).toBeNull();
  });

  it("commit-unfenced-quorum: the new commit index needs a quorum's unfenced acknowledgements in the term", () => {
    const c = new CommitTermCheck(3);
    c.roleNoted(0, RoleCode.leader);
    // Node 1 acknowledged 5 but flagged fenced: the leader alone is no quorum of 3.
    expect(step(c, world(3, 2, terms), world(3, 5, terms), ok(3, 5, true))).toBe("commit-unfenced-quorum at node 0, t=9.000ms, term 3: the leader moved its commit index from 2 to 5, but only 1 of its voters (itself included; quorum 2) acknowledged 5 or above in its term without the fenced flag");
    // An acknowledgement of an older term counts for nothing either; one of this term does.
    const d = new CommitTermCheck(3);
    d.roleNoted(0, RoleCode.leader);
    expect(step(d, world(3, 2, terms), world(3, 5, terms), ok(2, 6))).toMatch(/^commit-unfenced-quorum at node 0, .* only 1 of its voters/);
    expect(step(d, world(3, 2, terms), world(3, 6, terms), ok(3, 6))).toBeNull();
    // A finished snapshot (next -1) counts as an acknowledgement of its index; a chunk request does not.
    const e = new CommitTermCheck(3);
    e.roleNoted(0, RoleCode.leader);
    expect(step(e, world(3, 2, terms), world(3, 6, terms), { type: "snapResp", term: 3, index: 6, next: 2 } as never)).toMatch(/^commit-unfenced-quorum/);
    expect(step(e, world(3, 2, terms), world(3, 6, terms), { type: "snapResp", term: 3, index: 6, next: -1 } as never)).toBeNull();
  });

  it("judges only a leader's own moves within one step, not a fault's", () => {
    const c = new CommitTermCheck(3);
    // Not leading: a follower takes any committed index from its leader.
    expect(step(c, world(3, 2, terms, "follower"), world(3, 3, terms, "follower"))).toBeNull();
    c.roleNoted(0, RoleCode.leader);
    expect(c.afterEvent(world(3, 3, terms), 0)).toBeNull(); // no answer in this step: not judged
    c.answerDelivered(world(3, 2, terms), 1, 0, refused);
    expect(c.afterEvent(world(3, 3, terms), TOUCHED_ALL)).toBeNull(); // a fault: not judged
    // Deposed in the step (a higher term answered): not a leader's move.
    expect(step(c, world(3, 2, terms), world(4, 3, terms, "follower"))).toBeNull();
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

  it("fails a leader that counts a fenced node's acknowledgements (swarm seed 7: a restored node)", () => {
    // The leader reads every answer as unfenced (a copy without the flag): it counts a restored
    // node's acknowledgements toward commitment, as fencing.ts forbids.
    patchRaft("onMessage", (orig) => function (this: Patchable, from: unknown, m: unknown, now: unknown) {
      const msg = m as { type: string; fenced?: boolean };
      const plain = (msg.type === "appResp" || msg.type === "snapResp") && msg.fenced === true ? { ...msg, fenced: false } : msg;
      return orig.call(this, from, plain, now);
    });
    const r = simulate({ seed: 7, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^commit-unfenced-quorum at node \d+, t=[\d.]+ms, term \d+: the leader moved its commit index from \d+ to \d+, but only \d+ of its voters/);
  });
});
