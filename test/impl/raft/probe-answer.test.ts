// A leader tells the answer to its newest probe from a late answer to an older append by the
// probe number every append carries and every answer echoes (messages.ts AppendRequest.probe).
// Before, a late rejection at or below the follower's acknowledged index, answering an append
// sent before the follower caught up, was taken for the follower having lost data: the leader
// lowered match and backed off below what the follower held (seeds 1426 and 1909 at 30 s,
// probe-bound). A rejection answering the newest probe still lowers match (a real loss).
import { describe, expect, it } from "vitest";
import type { AppendResponse } from "../../../src/impl/raft/messages.js";
import { diskOf, Net, type Msg } from "./harness.js";

/** Leader 1 with follower 2 caught up (replicate state, match = the leader's last index). */
function caughtUp(): { net: Net; match: number } {
  const net = new Net([1, 2, 3]);
  net.elect(1);
  for (const d of ["a", "b", "c"]) net.raft(1).propose(d, net.now);
  net.deliver();
  const pr = net.raft(1).prs[2]!;
  expect(pr.replicate).toBe(true);
  expect(pr.match).toBe(net.raft(1).lastIndex());
  return { net, match: pr.match };
}

const reject = (net: Net, index: number, probe: number): AppendResponse => ({
  type: "appResp", term: net.raft(1).term(), from: 2, success: false, index, hintIndex: index - 1, hintTerm: 0, fenced: false, probe,
});

const appendsTo2 = (net: Net): Msg[] => net.queue.filter((s) => s.from === 1 && s.to === 2 && s.msg.type === "app").map((s) => s.msg);

describe("probe numbers: a late rejection is not a lost entry", () => {
  it("every append carries a probe number (1, 2, ... while probing; -1 pipelined) and its answers echo it", () => {
    const { net } = caughtUp();
    const sent = net.sent.filter((s) => s.from === 1 && s.to === 2 && s.msg.type === "app").map((s) => (s.msg as { probe: number }).probe);
    // The first append of a new leader is a probe; once it is acknowledged the leader pipelines.
    expect(sent[0]).toBe(1);
    expect(sent.slice(1).every((p) => p === -1)).toBe(true);
    const answers = net.sent.filter((s) => s.from === 2 && s.to === 1 && s.msg.type === "appResp").map((s) => (s.msg as AppendResponse).probe);
    expect(answers[0]).toBe(1);
    expect(answers.slice(1).every((p) => p === -1)).toBe(true);
  });

  it("a probing leader ignores a rejection at its match that answers an older append", () => {
    const { net, match } = caughtUp();
    const leader = net.raft(1);
    const pr = leader.prs[2]!;
    pr.becomeProbe(match + 1);
    leader.propose("d", net.now); // sends the probe (prevIndex = match)
    const probes = pr.probes;
    expect(appendsTo2(net).map((m) => (m as { probe: number }).probe)).toEqual([probes]);
    net.queue = [];
    leader.onMessage(2, reject(net, match, -1), net.now); // a pipelined append's late answer
    leader.onMessage(2, reject(net, match, probes - 1), net.now); // an older probe's
    expect(pr.match).toBe(match);
    expect(appendsTo2(net)).toHaveLength(0);
  });

  it("a rejection at its match answering the newest probe still lowers match (the follower lost the entry)", () => {
    const { net, match } = caughtUp();
    const leader = net.raft(1);
    const pr = leader.prs[2]!;
    pr.becomeProbe(match + 1);
    leader.propose("d", net.now);
    net.queue = [];
    leader.onMessage(2, reject(net, match, pr.probes), net.now);
    expect(pr.match).toBe(match - 1);
    const resent = appendsTo2(net);
    expect(resent).toHaveLength(1);
    expect((resent[0] as { prevIndex: number }).prevIndex).toBe(match - 1);
  });

  it("a lost entry's rejection with a term hint skips the follower's whole conflicting term, not one entry (seed 61628)", () => {
    // Every log [1, 1, 2, 3, 3, 3, 4, 4]; leader 1 elected, follower 2 caught up past them.
    const terms = [1, 1, 2, 3, 3, 3, 4, 4];
    const disk = (): ReturnType<typeof diskOf> => diskOf(terms, 4);
    const net = new Net([1, 2, 3], {}, [], 1, new Map([[1, disk()], [2, disk()], [3, disk()]]));
    net.elect(1);
    net.raft(1).propose("a", net.now);
    net.deliver();
    const leader = net.raft(1);
    const pr = leader.prs[2]!;
    const match = pr.match;
    expect(match).toBe(leader.lastIndex());
    pr.becomeProbe(match + 1);
    leader.propose("b", net.now);
    net.queue = [];
    // Follower 2 was restored from a backup: it now holds term 1 from index 2 up to match (its
    // first entry of that term above its commit index is 2), so it rejects the newest probe.
    const hinted: AppendResponse = { ...reject(net, match, pr.probes), hintIndex: 2, hintTerm: 1 };
    leader.onMessage(2, hinted, net.now);
    // The leader's last entry of term 1 is index 2: the next probe is there, in one step,
    // not at match - 1 (before: match fell only to match - 1, and the term skip stops at match).
    expect(pr.match).toBeLessThanOrEqual(2);
    const resent = appendsTo2(net);
    expect(resent).toHaveLength(1);
    expect((resent[0] as { prevIndex: number }).prevIndex).toBe(2);
  });
});
