// One test per planted bug: the flag changes the behaviour exactly at its spot, and with the
// flag off the same scenario behaves correctly.
import { describe, expect, it } from "vitest";
import type { RaftBugName } from "../../../src/impl/raft/api.js";
import type { Msg } from "./harness.js";
import { Net, diskOf } from "./harness.js";

const vote = (term: number, from: number, lastIndex: number, lastTerm: number): Msg => ({
  type: "vote",
  term,
  from,
  pre: false,
  lastIndex,
  lastTerm,
  force: false,
  round: 0,
});

function both(f: (bugs: RaftBugName[]) => unknown, bug: RaftBugName): [unknown, unknown] {
  return [f([]), f([bug])];
}

describe("planted bugs", () => {
  it("commit-previous-term: commits an old-term entry held by a majority (Figure 8)", () => {
    const [ok, bad] = both((bugs) => {
      const disks = new Map([
        [1, diskOf([1, 2], 3)],
        [2, diskOf([1], 3)],
        [3, diskOf([1], 3)],
      ]);
      const net = new Net([1, 2, 3], { maxBatch: 1 }, bugs, 1, disks);
      net.drop = (s) => s.msg.type === "app" && (s.to === 3 || (s.msg.prevIndex >= 2 && net.raft(2).lastIndex() >= 2));
      net.elect(1);
      net.run(net.now + 500);
      return net.raft(1).commitIndex();
    }, "commit-previous-term");
    expect(ok).toBe(0);
    expect(bad).toBe(2);
  });

  it("vote-without-log-check: votes (and prevotes) for a less up-to-date candidate", () => {
    const [ok, bad] = both((bugs) => {
      const net = new Net([1, 2, 3], { checkQuorum: false }, bugs, 1, new Map([[2, diskOf([1, 2, 2], 2)]]));
      net.raft(2).onMessage(3, { type: "vote", term: 3, from: 3, pre: true, lastIndex: 1, lastTerm: 1, force: false, round: 1 }, net.now);
      net.raft(2).onMessage(1, vote(3, 1, 5, 1), net.now);
      net.syncAll();
      return [net.raft(2).votedFor(), net.queue.filter((s) => s.msg.type === "voteResp" && s.msg.granted).length];
    }, "vote-without-log-check");
    expect(ok).toEqual([-1, 0]);
    expect(bad).toEqual([1, 2]);
  });

  it("vote-not-persisted: replies before durable and votes twice in a term across a restart", () => {
    const [ok, bad] = both((bugs) => {
      const net = new Net([1, 2, 3], { preVote: false, checkQuorum: false }, bugs);
      net.autoSync = false;
      net.raft(2).onMessage(1, vote(1, 1, 0, 0), net.now);
      const before = net.queue.length;
      net.node(2).sync();
      net.node(2).restart();
      net.raft(2).onMessage(3, vote(1, 3, 0, 0), net.now);
      net.node(2).sync();
      const grants = net.queue.filter((s) => s.msg.type === "voteResp" && s.msg.granted).map((s) => s.to);
      return [before, grants];
    }, "vote-not-persisted");
    expect(ok).toEqual([0, [1]]);
    expect(bad).toEqual([1, [1, 3]]);
  });

  it("count-stale-vote: a grant from an earlier term counts towards the current election", () => {
    const [ok, bad] = both((bugs) => {
      const net = new Net([1, 2, 3], { preVote: false, checkQuorum: false }, bugs);
      net.fire(1);
      net.fire(1); // election timeout again: candidate in term 2
      net.syncAll();
      net.queue = [];
      expect(net.raft(1).term()).toBe(2);
      net.raft(1).onMessage(2, { type: "voteResp", term: 1, from: 2, pre: false, granted: true, fenced: false, round: 0 }, net.now);
      return net.raft(1).role();
    }, "count-stale-vote");
    expect(ok).toBe("candidate");
    expect(bad).toBe("leader");
  });

  it("append-keeps-conflicts: overwrites in place and keeps the stale suffix", () => {
    const [ok, bad] = both((bugs) => {
      const net = new Net([1, 2, 3], {}, bugs, 1, new Map([[2, diskOf([1, 1, 2, 2], 2)]]));
      net.raft(2).onMessage(1, { type: "app", term: 3, from: 1, prevIndex: 2, prevTerm: 1, entries: [{ index: 3, term: 3, data: "n" }], commit: 0, probe: 0 }, net.now);
      net.syncAll();
      // and a restart replays the same (buggy) shape from the WAL
      net.node(2).restart();
      return net.node(2).log();
    }, "append-keeps-conflicts");
    expect(ok).toEqual([1, 1, 3]);
    expect(bad).toEqual([1, 1, 3, 2]);
  });

  it("commit-index-decreases: a lower leaderCommit lowers the follower's commit index", () => {
    const [ok, bad] = both((bugs) => {
      const net = new Net([1, 2, 3], {}, bugs, 1, new Map([[2, diskOf([], 1)]]));
      const r = net.raft(2);
      r.onMessage(1, { type: "app", term: 1, from: 1, prevIndex: 0, prevTerm: 0, entries: [1, 1, 1].map((t, k) => ({ index: k + 1, term: t, data: "x" })), commit: 3, probe: 0 }, net.now);
      r.onMessage(1, { type: "hb", term: 1, from: 1, commit: 1, seq: 0 }, net.now);
      return r.commitIndex();
    }, "commit-index-decreases");
    expect(ok).toBe(3);
    expect(bad).toBe(1);
  });

  it("stale-local-read: a deposed leader that does not know it answers from its local commit", () => {
    const [ok, bad] = both((bugs) => {
      const net = new Net([1, 2, 3], { checkQuorum: false }, bugs);
      net.elect(1);
      net.run(net.now + 300);
      net.isolate(1);
      net.elect(2);
      net.raft(2).propose("new", net.now);
      net.run(net.now + 300);
      expect(net.raft(1).role()).toBe("leader"); // does not know yet
      net.raft(1).readIndex(5, net.now);
      net.fire(1);
      net.deliver();
      return net.node(1).ready;
    }, "stale-local-read");
    expect(ok).toEqual([]);
    expect(bad).toEqual([[5, 1]]);
  });

  it("read-before-term-commit: confirms a read before the leader's no-op commits", () => {
    const [ok, bad] = both((bugs) => {
      const disks = new Map([
        [1, diskOf([1], 1)],
        [2, diskOf([1], 1)],
        [3, diskOf([1], 1)],
      ]);
      const net = new Net([1, 2, 3], {}, bugs, 1, disks);
      net.drop = (s) => s.msg.type === "app";
      net.elect(1);
      net.raft(1).readIndex(4, net.now);
      net.run(net.now + 300);
      return net.node(1).ready;
    }, "read-before-term-commit");
    expect(ok).toEqual([]);
    expect(bad).toEqual([[4, 0]]); // index 1 may be committed already: the read can miss it
  });

  it("ack-before-durable: append ack goes out before the entries are fsynced", () => {
    const [ok, bad] = both((bugs) => {
      const net = new Net([1, 2, 3], {}, bugs, 1, new Map([[2, diskOf([], 1)]]));
      net.autoSync = false;
      net.raft(2).onMessage(1, { type: "app", term: 1, from: 1, prevIndex: 0, prevTerm: 0, entries: [{ index: 1, term: 1, data: "a" }], commit: 0, probe: 0 }, net.now);
      return net.queue.filter((s) => s.msg.type === "appResp" && s.msg.success).length;
    }, "ack-before-durable");
    expect(ok).toBe(0);
    expect(bad).toBe(1);
  });
});
