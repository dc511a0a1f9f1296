// A precandidate tells an answer to its current PreVote round from a late answer to an earlier
// round by the round number every PreVote carries and every answer echoes (messages.ts
// VoteRequest.round, RaftState.preRound). Rounds at the same term ask for the same term, so
// before, a grant of round 1 delivered during round 2 was counted in round 2's tally (swarm seed
// 166 of an older build): the precandidate could win a PreVote quorum it did not have (the voter
// may have heard from a leader since) and bump the term for nothing. Nor does a precandidate count
// a grant of its own term (a round from when its term was one lower).
import { describe, expect, it } from "vitest";
import type { VoteRequest, VoteResponse } from "../../../src/impl/raft/messages.js";
import { Net, diskOf, type Sent } from "./harness.js";

/** Five voters; node 1's election timer fires: its PreVote round starts. Returns the requests. */
function preCampaign(net: Net): Sent[] {
  net.fire(1);
  expect(net.raft(1).role()).toBe("precandidate");
  const reqs = net.queue.filter((s) => s.from === 1 && s.msg.type === "vote");
  net.queue = [];
  return reqs;
}

/** Deliver `req` to its receiver and take its answer off the queue (not delivered). */
function answer(net: Net, req: Sent): VoteResponse {
  net.raft(req.to).onMessage(req.from, req.msg, net.now);
  const out = net.queue.filter((s) => s.from === req.to && s.to === req.from && s.msg.type === "voteResp");
  expect(out).toHaveLength(1);
  net.queue = net.queue.filter((s) => !out.includes(s));
  return out[0]!.msg as VoteResponse;
}

describe("PreVote rounds: a late answer to an earlier round is not counted", () => {
  it("a precandidate numbers its rounds and the voter echoes the round, granted or not", () => {
    const net = new Net([1, 2, 3, 4, 5]);
    const r1 = preCampaign(net);
    // The numbers start at the node's clock reading when it started (0 here), plus one.
    expect(r1.map((s) => (s.msg as VoteRequest).round)).toEqual([1, 1, 1, 1]);
    expect(r1.every((s) => (s.msg as VoteRequest).term === 1)).toBe(true);
    const g = answer(net, r1[0]!);
    expect(g).toMatchObject({ pre: true, granted: true, term: 1, round: 1 });
    const r2 = preCampaign(net); // round 1 timed out: round 2, same term
    expect(net.raft(1).term()).toBe(0);
    expect(r2.map((s) => (s.msg as VoteRequest).round)).toEqual([2, 2, 2, 2]);
    expect(r2.every((s) => (s.msg as VoteRequest).term === 1)).toBe(true);
    // A rejection echoes it too: node 5 has moved to term 3 (a stale PreVote: raft.ts step) ...
    net.raft(5).onMessage(4, { type: "voteResp", term: 3, from: 4, pre: false, granted: false, fenced: false, round: 0 }, net.now);
    expect(net.raft(5).term()).toBe(3);
    expect(answer(net, r2[3]!)).toMatchObject({ pre: true, granted: false, term: 3, round: 2 });
    // ... and node 4's log is ahead of node 1's (handleVote's rejection).
    net.raft(4).onMessage(3, { type: "app", term: 1, from: 3, prevIndex: 0, prevTerm: 0, entries: [{ index: 1, term: 1, data: "x" }], commit: 0, probe: 1 }, net.now);
    net.queue = [];
    net.now += 5000; // past node 4's leader lease
    expect(answer(net, r2[2]!)).toMatchObject({ pre: true, granted: false, term: 1, round: 2 });
  });

  it("a grant of round 1 delivered in round 2 does not count; the current round's grants do", () => {
    const net = new Net([1, 2, 3, 4, 5]);
    const r1 = preCampaign(net);
    const late = answer(net, r1[0]!); // node 2's grant of round 1, held by the network
    const r2 = preCampaign(net); // round 1 timed out (its other requests lost): round 2
    const pre = net.raft(1);
    pre.onMessage(2, late, net.now);
    pre.onMessage(3, answer(net, r2[1]!), net.now); // node 3's grant of round 2
    // Counted, the late grant would make a quorum (1, 2, 3 of 5) and a real election of term 1.
    expect(pre.role()).toBe("precandidate");
    expect(pre.term()).toBe(0);
    expect(net.queue.filter((s) => s.from === 1 && s.msg.type === "vote")).toHaveLength(0);
    pre.onMessage(4, answer(net, r2[2]!), net.now); // node 4's grant of round 2: a quorum
    expect(pre.role()).toBe("candidate");
    expect(pre.term()).toBe(1);
  });

  it("a late rejection of round 1 does not count against round 2 either", () => {
    const net = new Net([1, 2, 3]);
    const pre = net.raft(1);
    preCampaign(net);
    preCampaign(net);
    const reject = (from: number, round: number): VoteResponse => ({ type: "voteResp", term: 0, from, pre: true, granted: false, fenced: false, round });
    pre.onMessage(2, reject(2, 1), net.now);
    pre.onMessage(3, reject(3, 1), net.now);
    expect(pre.role()).toBe("precandidate");
    pre.onMessage(2, reject(2, 2), net.now);
    pre.onMessage(3, reject(3, 2), net.now);
    expect(pre.role()).toBe("follower"); // a quorum rejected round 2: lost
  });

  it("a grant carries the term the round asks for (ours + 1): a grant of our own term is not counted", () => {
    const net = new Net([1, 2, 3], {}, [], 1, new Map([[1, diskOf([], 1)]]));
    const pre = net.raft(1);
    preCampaign(net);
    expect(pre.term()).toBe(1);
    const grant = (term: number, round: number): VoteResponse => ({ type: "voteResp", term, from: 2, pre: true, granted: true, fenced: false, round });
    // Of term 1, ours: a grant from a round when our term was 0 (it reaches stepCandidate through
    // step's same-term branch), here with the current round's number.
    pre.onMessage(2, grant(1, 1), net.now);
    expect(pre.role()).toBe("precandidate");
    pre.onMessage(2, grant(2, 1), net.now);
    expect(pre.role()).toBe("candidate");
    expect(pre.term()).toBe(2);
  });

  it("a restarted node does not take its earlier rounds' numbers: a late grant from before the crash is not counted", () => {
    const net = new Net([1, 2, 3, 4, 5]);
    const r1 = preCampaign(net);
    const late = answer(net, r1[0]!); // node 2's grant of the round before the crash
    net.now += 3000;
    net.node(1).restart(); // its term (0) is durable: the restarted node asks for term 1 again
    const r2 = preCampaign(net);
    const pre = net.raft(1);
    expect((r2[0]!.msg as VoteRequest).round).not.toBe(late.round);
    pre.onMessage(2, late, net.now);
    pre.onMessage(3, answer(net, r2[1]!), net.now);
    expect(pre.role()).toBe("precandidate");
    pre.onMessage(4, answer(net, r2[2]!), net.now);
    expect(pre.role()).toBe("candidate");
  });

  it("real votes carry round 0 and are counted as before", () => {
    const net = new Net([1, 2, 3], { preVote: false });
    net.fire(1);
    expect(net.raft(1).role()).toBe("candidate");
    net.deliver();
    expect(net.raft(1).role()).toBe("leader");
    const votes = net.sent.filter((s) => s.msg.type === "vote" || s.msg.type === "voteResp").map((s) => (s.msg as VoteRequest | VoteResponse).round);
    expect(votes.length).toBeGreaterThan(0);
    expect(votes.every((r) => r === 0)).toBe(true);
  });
});
