// commit-prompt (src/sim/systems/raft-metadata/commit-prompt-check.ts): in the step whose
// unfenced acknowledgement gives a leader a quorum for an entry of its term, the leader commits
// it (Figure 2). On views built here (the rule must fail and must pass), on correct runs, and on
// a leader broken on purpose that leaves some acknowledgements out of its commit rule.
import { describe, expect, it } from "vitest";
import { RoleCode } from "../../../src/impl/raft/api.js";
import { Raft } from "../../../src/impl/raft/raft.js";
import { prototypePatcher, type Patchable } from "./patch-prototype.js";
import { simulate } from "../../../src/api/simulate.js";
import { CommitPromptCheck } from "../../../src/sim/systems/raft-metadata/commit-prompt-check.js";
import { TOUCHED_ALL } from "../../../src/sim/kernel/world.js";
import type { AnyWorld } from "../../../src/sim/runner/system.js";

const S = 1_000_000;
const patchRaft = prototypePatcher(Raft.prototype);

/** Node 0 leads `term` over voters 0..2 (quorum 2); its log's terms by index. */
function leader(term: number, commit: number, durable: number, terms: number[], prs: unknown[], role = "leader") {
  return { role: () => role, term: () => term, commitIndex: () => commit, durable, prs, cfg: { ids: [0, 1, 2], quorum: 2 }, log: { termAt: (i: number) => terms[i] ?? -1 } };
}
const world = (raft: unknown): AnyWorld => ({ now: 9_000, nodes: [{ raft }, null, null] }) as unknown as AnyWorld;
/** A check that has seen node 0 become leader. */
function ledByZero(): CommitPromptCheck {
  const c = new CommitPromptCheck(3);
  c.roleNoted(0, RoleCode.leader);
  return c;
}

describe("commit-prompt", () => {
  const terms = [0, 1, 1, 2, 2, 2, 2];
  const ok = (index: number, fenced = false, term = 2) => ({ type: "appResp", term, index, success: true, fenced });
  const prs = [undefined, {}, {}];

  it("fails a leader whose commit index stays behind a quorum's acknowledgement of its term", () => {
    const c = ledByZero();
    c.answerDelivered(world(leader(2, 3, 5, terms, prs)), 1, 0, ok(5));
    expect(c.afterEvent(world(leader(2, 3, 5, terms, prs)), 0)).toBe(
      "commit-prompt at node 0, t=9.000ms, term 2: a quorum of its voters (2 of 3, itself by its durable index) acknowledged 5, an entry of its term, without the fenced flag, yet after the acknowledgement that completed it the leader's commit index is 3 (Figure 2: commitIndex = N once a majority's matchIndex >= N)",
    );
    // The leader counts itself by its durable index only: with 4 durable, 4 is owed.
    c.answerDelivered(world(leader(2, 3, 4, terms, prs)), 1, 0, ok(6));
    expect(c.afterEvent(world(leader(2, 3, 4, terms, prs)), 0)).toMatch(/acknowledged 4, an entry of its term/);
  });

  it("passes a leader that commits, and owes nothing for fenced, older-term, stale or refused answers", () => {
    const c = ledByZero();
    c.answerDelivered(world(leader(2, 3, 5, terms, prs)), 1, 0, ok(5));
    expect(c.afterEvent(world(leader(2, 5, 5, terms, prs)), 0)).toBeNull();
    // A fenced acknowledgement counts for nothing (fencing.ts).
    const d = ledByZero();
    d.answerDelivered(world(leader(2, 3, 5, terms, prs)), 1, 0, ok(5, true));
    expect(d.afterEvent(world(leader(2, 3, 5, terms, prs)), 0)).toBeNull();
    // An answer of an older term: the term rule drops it.
    d.answerDelivered(world(leader(2, 3, 5, terms, prs)), 1, 0, ok(5, false, 1));
    expect(d.afterEvent(world(leader(2, 3, 5, terms, prs)), 0)).toBeNull();
    // An entry of an older term is not committed by counting (Figure 8).
    const e = ledByZero();
    e.answerDelivered(world(leader(2, 1, 2, terms, prs)), 1, 0, ok(2));
    expect(e.afterEvent(world(leader(2, 1, 2, terms, prs)), 0)).toBeNull();
    // A repeated acknowledgement (not above the last one) may leave the rule unrun.
    const f = ledByZero();
    f.answerDelivered(world(leader(2, 5, 5, terms, prs)), 1, 0, ok(5));
    expect(f.afterEvent(world(leader(2, 5, 5, terms, prs)), 0)).toBeNull();
    f.answerDelivered(world(leader(2, 3, 6, terms, prs)), 1, 0, ok(5));
    expect(f.afterEvent(world(leader(2, 3, 6, terms, prs)), 0)).toBeNull();
    // After a rejection the follower's earlier acknowledgements count for nothing.
    f.answerDelivered(world(leader(2, 5, 6, terms, prs)), 2, 0, ok(6));
    expect(f.afterEvent(world(leader(2, 6, 6, terms, prs)), 0)).toBeNull();
    f.answerDelivered(world(leader(2, 6, 6, terms, prs)), 2, 0, { type: "appResp", term: 2, index: 4, success: false });
    f.answerDelivered(world(leader(2, 6, 6, terms, prs)), 1, 0, ok(6));
    expect(f.afterEvent(world(leader(2, 6, 6, terms, prs)), 0)).toBeNull();
  });

  it("judges only a leader's own step, with its configuration as the answer arrived", () => {
    const c = new CommitPromptCheck(3);
    c.answerDelivered(world(leader(2, 3, 5, terms, prs)), 1, 0, ok(5));
    expect(c.afterEvent(world(leader(2, 3, 5, terms, prs)), 0)).toBeNull(); // not noted leading
    c.roleNoted(0, RoleCode.leader);
    c.answerDelivered(world(leader(2, 3, 5, terms, prs)), 1, 0, ok(5));
    expect(c.afterEvent(world(leader(2, 3, 5, terms, prs)), TOUCHED_ALL)).toBeNull(); // a fault
    // Deposed in the step: owes nothing.
    c.answerDelivered(world(leader(2, 3, 6, terms, prs)), 1, 0, ok(6));
    expect(c.afterEvent(world(leader(3, 3, 6, terms, prs, "follower")), 0)).toBeNull();
    // A member the leader has no progress for is not counted (its answers are ignored).
    const d = ledByZero();
    d.answerDelivered(world(leader(2, 3, 5, terms, [undefined, undefined, {}])), 1, 0, ok(5));
    expect(d.afterEvent(world(leader(2, 3, 5, terms, [undefined, undefined, {}])), 0)).toBeNull();
  });

  it("passes correct runs", () => {
    for (const seed of [1, 2, 3, 62, 89]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("fails a leader that leaves every other acknowledgement out of its commit rule (swarm seed 1)", () => {
    // The leader reads every second success as fenced: it counts it toward nothing.
    let n = 0;
    patchRaft("onMessage", (orig) => function (this: Patchable, from: unknown, m: unknown, now: unknown) {
      const msg = m as { type: string; success?: boolean; fenced?: boolean };
      const drop = msg.type === "appResp" && msg.success === true && msg.fenced !== true && (n++ & 1) === 1;
      return orig.call(this, from, drop ? { ...msg, fenced: true } : msg, now);
    });
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^commit-prompt at node \d+, t=[\d.]+ms, term \d+: a quorum of its voters/);
  });
});
