// read-served and read-round (src/sim/systems/raft-metadata/read-round-check.ts): a leader
// releases a read in the step whose heartbeat answer completes its round's quorum, and sends the
// next round in the step that confirms the one in flight. On views built here (each rule must
// fail and must pass), on correct runs, and on a leader whose Progress never records an
// acknowledged round (patched here, in this process only).
import { describe, expect, it } from "vitest";
import { Progress } from "../../../src/impl/raft/progress.js";
import { simulate } from "../../../src/api/simulate.js";
import { loadScenarioRef } from "../../../src/api/scenarios.js";
import { ReadRoundCheck } from "../../../src/sim/systems/raft-metadata/read-round-check.js";
import type { AnyWorld } from "../../../src/sim/runner/system.js";
import { prototypePatcher, type Patchable } from "./patch-prototype.js";

const S = 1_000_000;
const patch = prototypePatcher(Progress.prototype);

/** The leader's Progress objects: none for itself and for node 3 (not a member). */
const prs: unknown[] = [undefined, {}, {}, undefined];

/** Node 0 leads term 2 of voters 0..2 (quorum 2), its read queue and round as given. */
function leaderWorld(reads: { seq: number; index: number }[], readSeq: number, commit = 5): AnyWorld {
  const raft = { role: () => "leader", term: () => 2, voters: () => [0, 1, 2], cfg: { quorum: 2 }, configIndex: () => 1, prs, reads, readHead: 0, readSeq, commitIndex: () => commit, termStart: 3, opts: { coalesceHeartbeats: true } };
  return { now: 5000, nodes: [{ raft }, null, null, null] } as unknown as AnyWorld;
}
const W = leaderWorld([], 0);
const ack = (seq: number, fenced = false) => ({ type: "hbResp", term: 2, seq, fenced });

describe("read rounds", () => {
  it("read-served: a read whose round a quorum acknowledged must be released in that step", () => {
    const c = new ReadRoundCheck(3);
    const w = leaderWorld([{ seq: 4, index: 5 }], 4);
    c.onDeliver(W, 1, 0, ack(3)); // an older round: not enough
    expect(c.afterEvent(w, 0)).toBeNull();
    c.onDeliver(W, 2, 0, ack(4, true)); // fenced: confirms nothing
    expect(c.afterEvent(w, 0)).toBeNull();
    c.onDeliver(W, 1, 0, ack(4)); // with the leader: a quorum of 2
    expect(c.afterEvent(w, 0)).toBe("read-served at node 0, t=5.000ms, term 2: the oldest pending read (round 4) is acknowledged by a quorum and its read index is known, but the leader did not release it in this step");
    // Released: nothing pending.
    c.onDeliver(W, 2, 0, ack(4));
    expect(c.afterEvent(leaderWorld([], 4), 0)).toBeNull();
    // A read without an index before the term's first commit (termStart 3 > commit 2) waits.
    c.onDeliver(W, 1, 0, ack(4));
    expect(c.afterEvent(leaderWorld([{ seq: 4, index: -1 }], 4, 2), 0)).toBeNull();
  });

  it("read-round: reads waiting for a round while the one in flight is confirmed", () => {
    const c = new ReadRoundCheck(3);
    // Round 6 in flight serves the read of seq 6 (not yet acknowledged); the read of seq 7 waits.
    const w = leaderWorld([{ seq: 6, index: 5 }, { seq: 7, index: 5 }], 6);
    c.onDeliver(W, 1, 0, ack(5));
    expect(c.afterEvent(w, 0)).toBeNull();
    // Only a step with a heartbeat answer obliges the leader.
    expect(c.afterEvent(leaderWorld([{ seq: 7, index: 5 }], 6), 0)).toBeNull();
    c.onDeliver(W, 1, 0, ack(6));
    expect(c.afterEvent(leaderWorld([{ seq: 7, index: 5 }], 6), 0)).toBe("read-round at node 0, t=5.000ms, term 2: reads wait for round 7, the round in flight (6) is acknowledged by a quorum, and the leader sent no new round in this step");
    // Sent: readSeq 7, round 7 not yet acknowledged.
    c.onDeliver(W, 2, 0, ack(6));
    expect(c.afterEvent(leaderWorld([{ seq: 7, index: 5 }], 7), 0)).toBeNull();
  });

  it("read-round: an answer from a server the leader no longer tracks obliges nothing", () => {
    // Node 3 was removed from the configuration (no Progress at the leader): the leader drops
    // its heartbeat answer unread, so it need not send the next round in that step.
    const c = new ReadRoundCheck(4);
    c.onDeliver(W, 1, 0, ack(6)); // confirms round 6 while no read waits for a later round
    expect(c.afterEvent(leaderWorld([], 6), 0)).toBeNull();
    c.onDeliver(W, 3, 0, ack(6));
    expect(c.afterEvent(leaderWorld([{ seq: 7, index: 5 }], 6), 0)).toBeNull();
    // The same answer from a member does oblige it.
    c.onDeliver(W, 2, 0, ack(6));
    expect(c.afterEvent(leaderWorld([{ seq: 7, index: 5 }], 6), 0)).toMatch(/^read-round at node 0/);
  });

  it("read-served: an answer of an earlier term obliges nothing and acknowledges nothing", () => {
    // Seed 33658: a promotion (a configuration change: not judged in its step) completed read
    // 140's quorum; the next answer to reach the term-3 leader was one of term 1, which Raft's
    // step drops unread — it was taken for the step that must release the read.
    const c = new ReadRoundCheck(3);
    c.onDeliver(W, 1, 0, ack(4)); // node 1's acknowledgement, judged in a step that owed nothing
    expect(c.afterEvent(leaderWorld([], 4), 0)).toBeNull();
    // Now read 4 is pending and node 1 with the leader confirm it (a quorum of 2).
    const promoted = leaderWorld([{ seq: 4, index: 5 }], 4);
    c.onDeliver(W, 2, 0, { type: "hbResp", term: 1, seq: 9, fenced: false });
    expect(c.afterEvent(promoted, 0)).toBeNull();
    // Nor does it overwrite node 2's acknowledgement of this term, or add one of its own.
    c.onDeliver(W, 2, 0, ack(4));
    expect(c.afterEvent(promoted, 0)).toMatch(/^read-served at node 0, t=5.000ms, term 2: the oldest pending read \(round 4\)/);
    const d = new ReadRoundCheck(3);
    d.onDeliver(W, 1, 0, { type: "hbResp", term: 1, seq: 9, fenced: false });
    d.onDeliver(W, 2, 0, { type: "hbResp", term: 3, seq: 9, fenced: false }); // deposes it
    expect(d.afterEvent(promoted, 0)).toBeNull();
    // A term-2 answer of an older round obliges the leader, yet confirms nothing without node 1.
    d.onDeliver(W, 2, 0, ack(3));
    expect(d.afterEvent(promoted, 0)).toBeNull();
  });

  it("passes seed 33658 at 10 s with assertions on and off (an earlier term's answer after a promotion confirmed a read: read-served's false alarm)", () => {
    // Found by the sweep 20001..50000 with assertions off; it failed with them on too.
    for (const sutAsserts of [true, false]) {
      const r = simulate({ seed: 33658, timeUs: 10 * S, sutAsserts }).result;
      expect(r.verdict, `asserts ${sutAsserts ? "on" : "off"}: ${r.message}`).toBe("ok");
    }
  });

  it("read-served: an answer counts only for the Progress it reached (a server added back starts afresh)", () => {
    const c = new ReadRoundCheck(3);
    c.onDeliver(W, 1, 0, ack(4));
    const old = prs[1];
    prs[1] = {}; // node 1 removed and added back: a new Progress that has seen no round
    try {
      c.onDeliver(W, 2, 0, ack(3));
      expect(c.afterEvent(leaderWorld([{ seq: 4, index: 5 }], 4), 0)).toBeNull();
      // Its next answer reaches the new Progress and counts.
      c.onDeliver(W, 1, 0, ack(4));
      expect(c.afterEvent(leaderWorld([{ seq: 4, index: 5 }], 4), 0)).toMatch(/^read-served at node 0/);
    } finally {
      prs[1] = old;
    }
  });

  it("passes correct runs", () => {
    // 264 and 900: a removed server's heartbeat answers reach the leader (membership changes
    // with the window faults); they once failed read-round.
    for (const seed of [264, 900]) {
      const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false }).result;
      expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
    }
    for (const seed of [1, 2, 3, 4]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("passes swarm seed 6656 (a learner promoted on its append answer completes the quorum; the commit moved in an earlier event)", () => {
    const r = simulate({ seed: 6656, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict, r.message ?? "").toBe("ok");
  });

  it("passes membership-churn seed 5 (an answer sent before the server was added back)", () => {
    const r = simulate({ scenario: loadScenarioRef("membership-churn").scenario, seed: 5, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict, r.message ?? "").toBe("ok");
  });

  it("fails a leader whose Progress never records an acknowledged round", () => {
    patch("reset", (orig) => function (this: Patchable, ...a: unknown[]) {
      orig.apply(this, a);
      Object.defineProperty(this, "ackedSeq", { configurable: true, get: () => 0, set: () => {} });
    });
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^read-served at node \d+, t=[\d.]+ms, term \d+: the oldest pending read \(round \d+\) is acknowledged by a quorum and its read index is known, but the leader did not release it in this step$/);
  });
});
