// leader-answers-prevote and leader-transfers-on-catch-up
// (src/sim/systems/raft-metadata/leader-answers-check.ts): a leader answers the PreVotes it does
// not ignore under the CheckQuorum lease, and sends TimeoutNow when its transfer target
// acknowledges its last entry. On views built here, on correct runs, and on leaders broken on
// purpose.
import { describe, expect, it } from "vitest";
import { Raft } from "../../../src/impl/raft/raft.js";
import { callRewritingSends, prototypePatcher, type Patchable } from "./patch-prototype.js";
import { simulate } from "../../../src/api/simulate.js";
import { LeaderAnswersCheck } from "../../../src/sim/systems/raft-metadata/leader-answers-check.js";
import { TOUCHED_ALL } from "../../../src/sim/kernel/world.js";
import type { AnyWorld } from "../../../src/sim/runner/system.js";

const S = 1_000_000;
const patchRaft = prototypePatcher(Raft.prototype);

function node0(o: { role?: string; term?: number; checkQuorum?: boolean; target?: number; match?: number; last?: number }): AnyWorld {
  const raft = {
    role: () => o.role ?? "leader",
    term: () => o.term ?? 3,
    opts: { checkQuorum: o.checkQuorum ?? false },
    transferTarget: () => o.target ?? -1,
    prs: [undefined, { match: o.match ?? 0 }, { match: 0 }],
    log: { lastIndex: () => o.last ?? 10 },
  };
  return { now: 9_000, nodes: [{ raft }, null, null] } as unknown as AnyWorld;
}

describe("leader-answers-prevote", () => {
  const prevote = (term: number) => ({ type: "vote", term, pre: true });
  const answer = { type: "voteResp", term: 3, pre: true, granted: false };

  it("fails a leader that leaves a PreVote unanswered in the step, passes one that answers", () => {
    const c = new LeaderAnswersCheck(3);
    c.deliveredVote(node0({}), 1, 0, prevote(3));
    expect(c.afterEvent(node0({}), 0)).toBe("leader-answers-prevote at node 0, t=9.000ms: it led when node 1's PreVote reached it and sent no answer in that step (a leader rejects every PreVote it does not ignore under the CheckQuorum lease; §9.6, etcd)");
    c.deliveredVote(node0({}), 1, 0, prevote(3));
    c.sentVoteResp(0, 1, answer);
    expect(c.afterEvent(node0({}), 0)).toBeNull();
    // Without CheckQuorum a higher-term PreVote is answered too.
    c.deliveredVote(node0({}), 2, 0, prevote(4));
    expect(c.afterEvent(node0({}), 0)).toMatch(/^leader-answers-prevote at node 0, .*node 2's PreVote/);
  });

  it("owes nothing for the lease's ignored PreVotes, real votes, non-leaders and faults", () => {
    const c = new LeaderAnswersCheck(3);
    c.deliveredVote(node0({ checkQuorum: true }), 1, 0, prevote(4)); // the CheckQuorum lease
    c.deliveredVote(node0({}), 1, 0, { type: "vote", term: 3, pre: false }); // a RequestVote (answered once durable)
    c.deliveredVote(node0({ role: "follower" }), 1, 0, prevote(3));
    expect(c.afterEvent(node0({}), 0)).toBeNull();
    c.deliveredVote(node0({ checkQuorum: true }), 1, 0, prevote(3)); // its own term: answered
    expect(c.afterEvent(node0({}), TOUCHED_ALL)).toBeNull();
  });

  it("passes correct runs", () => {
    for (const seed of [1, 2, 3, 5]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("fails a leader that drops the PreVotes of its own term (swarm seed 3)", () => {
    patchRaft("onMessage", (orig) => function (this: Patchable, from: unknown, m: unknown, now: unknown) {
      const msg = m as { type: string; pre?: boolean; term: number };
      if (msg.type === "vote" && msg.pre === true && (this as unknown as Raft<unknown>).role() === "leader" && msg.term <= (this as unknown as Raft<unknown>).term()) return;
      return orig.call(this, from, m, now);
    });
    const r = simulate({ seed: 3, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^leader-answers-prevote at node \d+, t=[\d.]+ms: it led when node \d+'s PreVote reached it/);
  });
});

describe("leader-transfers-on-catch-up", () => {
  const ack = (index: number) => ({ type: "appResp", term: 3, index, success: true });

  it("fails a transferring leader that sends no TimeoutNow when its target acknowledges its last entry", () => {
    const c = new LeaderAnswersCheck(3);
    c.deliveredAppendAnswer(node0({ target: 1, match: 8 }), 1, 0, ack(10));
    expect(c.afterEvent(node0({ target: 1 }), 0)).toBe("leader-transfers-on-catch-up at node 0, t=9.000ms, term 3: transferring leadership to node 1, it heard it acknowledge its last entry 10 and sent it no TimeoutNow in that step (dissertation §3.10; etcd stepLeader)");
    c.deliveredAppendAnswer(node0({ target: 1, match: 8 }), 1, 0, ack(10));
    c.sentTimeoutNow(0, 1);
    expect(c.afterEvent(node0({ target: 1 }), 0)).toBeNull();
  });

  it("owes nothing for another sender, a stale or partial acknowledgement, or a transfer that ended", () => {
    const c = new LeaderAnswersCheck(3);
    c.deliveredAppendAnswer(node0({ target: 2, match: 8 }), 1, 0, ack(10)); // not the target
    c.deliveredAppendAnswer(node0({ target: 1, match: 10 }), 1, 0, ack(10)); // not above match: stale
    c.deliveredAppendAnswer(node0({ target: 1, match: 8 }), 1, 0, ack(9)); // not the last entry
    c.deliveredAppendAnswer(node0({ target: 1, match: 8 }), 1, 0, { type: "appResp", term: 2, index: 10, success: true }); // older term
    expect(c.afterEvent(node0({ target: 1 }), 0)).toBeNull();
    c.deliveredAppendAnswer(node0({ target: 1, match: 8 }), 1, 0, ack(10));
    expect(c.afterEvent(node0({ target: -1 }), 0)).toBeNull(); // the transfer ended within the step
  });

  it("fails a leader that sends no TimeoutNow when its target catches up late (swarm seed 3)", () => {
    // While it handles an append answer the leader sends no TimeoutNow (it still sends one when
    // the transfer is requested with the target already caught up).
    patchRaft("onMessage", (orig) => function (this: Patchable, from: unknown, m: unknown, now: unknown) {
      if ((m as { type: string }).type !== "appResp") return orig.call(this, from, m, now);
      return callRewritingSends(this, orig, [from, m, now], (msg) => (msg.type === "timeoutNow" ? undefined : msg));
    });
    const r = simulate({ seed: 3, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^leader-transfers-on-catch-up at node \d+, t=[\d.]+ms, term \d+: transferring leadership to node \d+/);
  });
});

describe("leader-sends-requested-chunk", () => {
  /** Node 0 leads term 3, snapshot at 20; node 1's progress as given. */
  const view = (pr: { snapIndex: number; replicate: boolean; next: number }): AnyWorld =>
    ({ now: 9_000, nodes: [{ raft: { role: () => "leader", term: () => 3, prs: [undefined, pr, undefined], log: { snapshotIndex: () => 20 } } }, null, null] }) as unknown as AnyWorld;
  const sending = { snapIndex: 20, replicate: false, next: 5 };
  const ask = (next: number, index = 20) => ({ type: "snapResp", term: 3, index, next });
  const chunk = (c: number, index = 20) => ({ index, chunk: c, total: 4 });

  it("fails a leader that sends no chunk, or the wrong one, for a current request; passes the right one", () => {
    const c = new LeaderAnswersCheck(3);
    c.deliveredSnapshotAnswer(view(sending), 1, 0, ask(2));
    expect(c.afterEvent(view(sending), 0)).toBe("leader-sends-requested-chunk at node 0, t=9.000ms: node 1 asked for chunk 2 of the snapshot at 20 the leader is sending it, and the leader sent no such chunk (nor a newer snapshot) in that step (ours: replication.ts's chunked InstallSnapshot, one chunk in flight)");
    c.deliveredSnapshotAnswer(view(sending), 1, 0, ask(2));
    c.sentChunk(0, 1, chunk(1));
    expect(c.afterEvent(view(sending), 0)).toMatch(/^leader-sends-requested-chunk/);
    c.deliveredSnapshotAnswer(view(sending), 1, 0, ask(2));
    c.sentChunk(0, 1, chunk(2));
    expect(c.afterEvent(view(sending), 0)).toBeNull();
    // Past the last chunk: chunk 0 again; a newer snapshot: any chunk of it.
    c.deliveredSnapshotAnswer(view(sending), 1, 0, ask(4));
    c.sentChunk(0, 1, chunk(0));
    expect(c.afterEvent(view(sending), 0)).toBeNull();
    c.deliveredSnapshotAnswer(view(sending), 1, 0, ask(2));
    c.sentChunk(0, 1, chunk(0, 30));
    expect(c.afterEvent(view(sending), 0)).toBeNull();
  });

  it("owes nothing for a stale request, a done, or a follower that no longer needs the snapshot", () => {
    const c = new LeaderAnswersCheck(3);
    c.deliveredSnapshotAnswer(view(sending), 1, 0, ask(2, 15)); // another transfer's
    c.deliveredSnapshotAnswer(view({ ...sending, replicate: true }), 1, 0, ask(2));
    c.deliveredSnapshotAnswer(view({ ...sending, next: 21 }), 1, 0, ask(2));
    c.deliveredSnapshotAnswer(view(sending), 1, 0, ask(-1)); // done
    expect(c.afterEvent(view(sending), 0)).toBeNull();
  });

  it("fails a leader that answers a chunk request with nothing (swarm seed 1)", () => {
    patchRaft("onMessage", (orig) => function (this: Patchable, from: unknown, m: unknown, now: unknown) {
      const msg = m as { type: string; next?: number };
      if (msg.type !== "snapResp" || msg.next! < 0) return orig.call(this, from, m, now);
      return callRewritingSends(this, orig, [from, m, now], (out) => (out.type === "snap" ? undefined : out));
    });
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^leader-sends-requested-chunk at node \d+, t=[\d.]+ms: node \d+ asked for chunk \d+/);
  });
});
