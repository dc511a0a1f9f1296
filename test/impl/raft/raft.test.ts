// One test per rule of the Raft paper / dissertation, driven by the in-test harness.
import { describe, expect, it } from "vitest";
import type { AppendRequest } from "../../../src/impl/raft/messages.js";
import { Raft } from "../../../src/impl/raft/raft.js";
import { Net, diskOf, type Msg } from "./harness.js";

const app = (term: number, from: number, prevIndex: number, prevTerm: number, terms: number[], commit = 0): AppendRequest<string> => ({
  type: "app",
  term,
  from,
  prevIndex,
  prevTerm,
  entries: terms.map((t, k) => ({ index: prevIndex + 1 + k, term: t, data: `x${prevIndex + 1 + k}` })),
  commit,
  probe: 0,
});

describe("election", () => {
  it("elects a leader that appends a no-op and commits it", () => {
    const net = new Net([1, 2, 3]);
    net.elect(1);
    const r = net.raft(1);
    expect(r.term()).toBe(1);
    expect(r.entry(1)).toEqual({ index: 1, term: 1, data: null });
    net.run(net.now + 500);
    for (const id of [1, 2, 3]) {
      expect(net.raft(id).commitIndex()).toBe(1);
      expect(net.node(id).applied.map((e) => e.index)).toEqual([1]);
      expect(net.raft(id).leader()).toBe(1);
    }
  });

  it("single-voter cluster elects itself only after its vote is durable and commits", () => {
    const net = new Net([1]);
    net.autoSync = false;
    net.fire(1);
    expect(net.raft(1).role()).toBe("candidate");
    net.node(1).sync();
    expect(net.raft(1).role()).toBe("leader");
    expect(net.raft(1).commitIndex()).toBe(0);
    net.node(1).sync();
    expect(net.raft(1).commitIndex()).toBe(1);
  });

  it("rejects stale-term messages and tells the sender the newer term", () => {
    const net = new Net([1, 2, 3], {}, [], 1, new Map([[2, diskOf([1, 1], 5)]]));
    net.raft(2).onMessage(1, app(3, 1, 2, 1, [3]), net.now);
    expect(net.node(2).log()).toEqual([1, 1]);
    const resp = net.queue.find((s) => s.from === 2)!.msg;
    expect(resp).toMatchObject({ type: "appResp", term: 5, success: false });
    // vote request from a stale term is not granted
    net.queue = [];
    net.raft(2).onMessage(3, { type: "vote", term: 4, from: 3, pre: false, round: 0, lastIndex: 9, lastTerm: 4, force: false }, net.now);
    expect(net.raft(2).votedFor()).toBe(-1);
    expect(net.queue.filter((s) => s.msg.type === "voteResp" && s.msg.granted)).toHaveLength(0);
  });

  it("grants at most one vote per term, also across a restart from durable state", () => {
    const net = new Net([1, 2, 3], { preVote: false, checkQuorum: false });
    const req = (from: number): Msg => ({ type: "vote", term: 1, from, pre: false, round: 0, lastIndex: 0, lastTerm: 0, force: false });
    const r2 = () => net.raft(2);
    r2().onMessage(1, req(1), net.now);
    net.syncAll();
    expect(r2().votedFor()).toBe(1);
    r2().onMessage(3, req(3), net.now);
    net.node(2).sync();
    net.node(2).restart();
    expect(r2().term()).toBe(1);
    expect(r2().votedFor()).toBe(1);
    r2().onMessage(3, req(3), net.now);
    net.node(2).sync();
    const grants = net.queue.filter((s) => s.from === 2 && s.msg.type === "voteResp" && s.msg.granted);
    expect(grants.map((s) => s.to)).toEqual([1]);
    // re-granting the same candidate (a duplicated request) is allowed
    r2().onMessage(1, req(1), net.now);
    net.node(2).sync();
    expect(net.queue.filter((s) => s.from === 2 && s.msg.type === "voteResp" && s.msg.granted).map((s) => s.to)).toEqual([1, 1]);
  });

  it("does not vote for a less up-to-date log (lower last term, or same term shorter)", () => {
    const disks = new Map([[2, diskOf([1, 2, 2], 2)]]);
    const net = new Net([1, 2, 3], { preVote: false, checkQuorum: false }, [], 1, disks);
    const r2 = net.raft(2);
    r2.onMessage(1, { type: "vote", term: 3, from: 1, pre: false, round: 0, lastIndex: 5, lastTerm: 1, force: false }, net.now);
    r2.onMessage(3, { type: "vote", term: 3, from: 3, pre: false, round: 0, lastIndex: 2, lastTerm: 2, force: false }, net.now);
    net.syncAll();
    expect(r2.votedFor()).toBe(-1);
    r2.onMessage(3, { type: "vote", term: 3, from: 3, pre: false, round: 0, lastIndex: 3, lastTerm: 2, force: false }, net.now);
    net.syncAll();
    expect(r2.votedFor()).toBe(3);
  });

  it("a leader steps down when it sees a higher term", () => {
    const net = new Net([1, 2, 3]);
    net.elect(1);
    net.raft(1).onMessage(2, { type: "appResp", term: 7, from: 2, success: false, index: 0, hintIndex: 0, hintTerm: 0, fenced: false, probe: 0 }, net.now);
    expect(net.raft(1).role()).toBe("follower");
    expect(net.raft(1).term()).toBe(7);
    expect(net.raft(1).leader()).toBe(-1);
  });

  it("PreVote: a partitioned follower neither bumps its term nor disrupts the leader on rejoin", () => {
    const net = new Net([1, 2, 3]);
    net.elect(1);
    net.run(net.now + 300);
    net.isolate(3);
    net.run(net.now + 10_000);
    expect(net.raft(3).term()).toBe(1);
    expect(net.raft(3).role()).toBe("precandidate");
    net.heal();
    net.run(net.now + 3000);
    expect(net.leaders()).toEqual([1]);
    expect(net.raft(1).term()).toBe(1);
    expect(net.raft(3).leader()).toBe(1);
  });

  it("PreVote/lease: a follower that recently heard from the leader refuses prevotes", () => {
    const net = new Net([1, 2, 3], { checkQuorum: false });
    net.elect(1);
    net.raft(2).onMessage(3, { type: "vote", term: 2, from: 3, pre: true, round: 1, lastIndex: 1, lastTerm: 1, force: false }, net.now);
    const r = net.queue.find((s) => s.from === 2 && s.msg.type === "voteResp")!.msg;
    expect(r).toMatchObject({ granted: false, term: 1 });
  });

  it("CheckQuorum: an isolated leader steps down within an election timeout or two", () => {
    const net = new Net([1, 2, 3]);
    net.elect(1);
    net.run(net.now + 300);
    net.isolate(1);
    const t0 = net.now;
    net.run(t0 + 2100);
    expect(net.raft(1).role()).not.toBe("leader");
    expect(net.raft(1).term()).toBe(1); // and PreVote keeps it from bumping its term
    expect(net.leaders()).toHaveLength(1);
    expect(net.raft(net.leaders()[0]).term()).toBe(2);
  });
});

describe("durability", () => {
  it("a vote is not sent before term and vote are durable", () => {
    const net = new Net([1, 2, 3], { preVote: false, checkQuorum: false });
    net.autoSync = false;
    net.raft(2).onMessage(1, { type: "vote", term: 1, from: 1, pre: false, round: 0, lastIndex: 0, lastTerm: 0, force: false }, net.now);
    expect(net.queue.filter((s) => s.from === 2)).toHaveLength(0);
    net.node(2).sync();
    expect(net.queue.filter((s) => s.from === 2).map((s) => s.msg)).toEqual([{ type: "voteResp", term: 1, from: 2, pre: false, granted: true, fenced: false, round: 0 }]);
  });

  it("a candidate sends vote requests only after its own term/vote are durable", () => {
    const net = new Net([1, 2, 3], { preVote: false });
    net.autoSync = false;
    net.fire(1);
    expect(net.raft(1).role()).toBe("candidate");
    expect(net.queue).toHaveLength(0);
    net.node(1).sync();
    expect(net.queue.filter((s) => s.msg.type === "vote")).toHaveLength(2);
  });

  it("an append ack is not sent before the entries are durable", () => {
    const net = new Net([1, 2, 3], {}, [], 1, new Map([[2, diskOf([], 1)]]));
    net.autoSync = false;
    net.raft(2).onMessage(1, app(1, 1, 0, 0, [1, 1]), net.now);
    expect(net.queue.filter((s) => s.from === 2)).toHaveLength(0);
    expect(net.raft(2).durableIndex()).toBe(0);
    net.node(2).sync();
    expect(net.raft(2).durableIndex()).toBe(2);
    expect(net.queue.map((s) => s.msg)).toEqual([{ type: "appResp", term: 1, from: 2, success: true, index: 2, hintIndex: 0, hintTerm: 0, fenced: false, probe: 0 }]);
  });

  it("the leader counts its own log for commitment only up to its durable index", () => {
    const net = new Net([1, 2, 3]);
    net.elect(1);
    net.run(net.now + 200);
    net.autoSync = false;
    const p = net.raft(1).propose("a", net.now)!;
    net.deliver();
    net.node(2).sync(); // follower 2 durable; leader not yet: only 1 of 3 durable
    net.deliver();
    expect(net.raft(1).commitIndex()).toBe(p.index - 1);
    net.node(1).sync();
    net.deliver();
    expect(net.raft(1).commitIndex()).toBe(p.index);
  });

  it("recovery restores term, vote and log, honours truncation and corruptFrom", () => {
    const net = new Net([1, 2, 3]);
    const n = net.node(2);
    n.durable = [
      { kind: "hs", term: 2, vote: 3 },
      { kind: "entries", entries: [1, 1, 2, 2].map((t, k) => ({ index: k + 1, term: t, data: `a${k}` })) },
      { kind: "hs", term: 3, vote: -1 },
      { kind: "truncate", from: 3 },
      { kind: "entries", entries: [{ index: 3, term: 3, data: "b" }] },
      { kind: "hs", term: 4, vote: 1 },
      { kind: "entries", entries: [{ index: 4, term: 4, data: "c" }] }, // corrupt
    ];
    const r = new Raft<string>(2, n.opts, n.env, n, { records: n.durable, corruptFrom: 5 }, 0);
    expect(r.term()).toBe(3);
    expect(r.votedFor()).toBe(-1);
    expect([1, 2, 3].map((i) => r.entry(i)!.term)).toEqual([1, 1, 3]);
    expect(r.lastIndex()).toBe(3);
    expect(r.durableIndex()).toBe(3);
    expect(r.role()).toBe("follower");
    expect(r.commitIndex()).toBe(0);
    expect(r.appliedIndex()).toBe(0);
  });
});

describe("replication", () => {
  it("deletes a conflicting suffix (with a truncate record before the new entries)", () => {
    const net = new Net([1, 2, 3], {}, [], 1, new Map([[2, diskOf([1, 1, 2, 2], 2)]]));
    net.raft(2).onMessage(1, app(3, 1, 2, 1, [3]), net.now);
    net.syncAll();
    expect(net.node(2).log()).toEqual([1, 1, 3]);
    const kinds = net.node(2).durable.map((r) => r.kind);
    expect(kinds.slice(-2)).toEqual(["truncate", "entries"]);
    // a stale (reordered) older append must not truncate anything
    net.raft(2).onMessage(1, app(3, 1, 0, 0, [1]), net.now);
    expect(net.node(2).log()).toEqual([1, 1, 3]);
  });

  // Figure 7 of the Raft paper: the leader for term 8 repairs every follower shape.
  const leaderLog = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
  const shapes: Record<string, number[]> = {
    a: [1, 1, 1, 4, 4, 5, 5, 6, 6],
    b: [1, 1, 1, 4],
    c: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
    d: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
    e: [1, 1, 1, 4, 4, 4, 4],
    f: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
  };
  for (const [name, shape] of Object.entries(shapes)) {
    it(`Figure 7 (${name}): a term-8 leader makes the follower's log identical to its own`, () => {
      const disks = new Map([
        [1, diskOf(leaderLog, 7)],
        [2, diskOf(shape, Math.max(...shape))],
        [3, diskOf(leaderLog, 7)],
      ]);
      const net = new Net([1, 2, 3], { maxBatch: 3 }, [], 1, disks);
      net.elect(1);
      expect(net.raft(1).term()).toBe(8);
      net.run(net.now + 1000);
      expect(net.node(2).log()).toEqual([...leaderLog, 8]);
      expect(net.raft(2).commitIndex()).toBe(11);
      for (let i = 1; i <= 11; i++) expect(net.raft(2).entry(i)).toEqual(net.raft(1).entry(i));
    });
  }

  it("fast backtracking converges in few round trips", () => {
    const leader = [...Array<number>(5).fill(1), ...Array<number>(100).fill(3)];
    const follower = [...Array<number>(5).fill(1), ...Array<number>(100).fill(2)];
    const disks = new Map([
      [1, diskOf(leader, 3)],
      [2, diskOf(follower, 2)],
      [3, diskOf(leader, 3)],
    ]);
    const net = new Net([1, 2, 3], { maxBatch: 64 }, [], 1, disks);
    net.drop = (s) => s.to === 2 || s.from === 2;
    net.elect(1);
    net.drop = () => false;
    net.sent = [];
    net.run(net.now + 2000);
    const rejects = net.sent.filter((s) => s.from === 2 && s.msg.type === "appResp" && !s.msg.success);
    expect(rejects.length).toBeLessThanOrEqual(2);
    expect(net.node(2).log()).toEqual([...leader, 4]);
  });

  it("Figure 8: never commits a previous-term entry by counting replicas", () => {
    // Leader 1 holds (2, term 2) from an old term; followers only have index 1.
    const disks = new Map([
      [1, diskOf([1, 2], 3)],
      [2, diskOf([1], 3)],
      [3, diskOf([1], 3)],
    ]);
    const net = new Net([1, 2, 3], { maxBatch: 1 }, [], 1, disks);
    // Deliver vote traffic, but only appends to 2 that carry index 2, nothing to 3.
    net.drop = (s) => s.msg.type === "app" && (s.to === 3 || (s.msg.prevIndex >= 2 && net.raft(2).lastIndex() >= 2));
    net.elect(1);
    net.run(net.now + 500);
    expect(net.raft(2).lastIndex()).toBe(2);
    expect(net.raft(1).term()).toBe(4);
    expect(net.raft(1).commitIndex()).toBe(0); // index 2 is on a majority but from term 2
    net.drop = () => false;
    net.run(net.now + 500);
    expect(net.raft(1).commitIndex()).toBe(3); // committed together with the term-4 no-op
  });
});

describe("ReadIndex", () => {
  it("is not served before the leader's term entry commits, then after a quorum round", () => {
    const net = new Net([1, 2, 3]);
    net.drop = (s) => s.msg.type === "app"; // the no-op cannot replicate
    net.elect(1);
    const r = net.raft(1);
    expect(r.readIndex(7, net.now)).toBe(true);
    net.deliver();
    net.run(net.now + 300);
    expect(net.node(1).ready).toEqual([]);
    net.drop = () => false;
    net.run(net.now + 300);
    expect(net.node(1).ready).toEqual([[7, 1]]);
    expect(net.raft(2).readIndex(8, net.now)).toBe(false);
  });

  it("needs a quorum heartbeat round: an isolated leader never confirms, and fails reads on step-down", () => {
    const net = new Net([1, 2, 3]);
    net.elect(1);
    net.run(net.now + 300);
    net.isolate(1);
    net.raft(1).readIndex(9, net.now);
    net.run(net.now + 3000);
    expect(net.node(1).ready).toEqual([]);
    expect(net.node(1).failed).toEqual([9]);
  });

  it("a confirmed read returns the commit index at registration", () => {
    const net = new Net([1, 2, 3]);
    net.elect(1);
    net.run(net.now + 300);
    net.raft(1).propose("a", net.now);
    net.run(net.now + 300);
    net.raft(1).readIndex(1, net.now);
    expect(net.node(1).ready).toEqual([]); // never synchronously
    net.deliver();
    expect(net.node(1).ready).toEqual([[1, 2]]);
  });
});

describe("leadership transfer", () => {
  it("brings the target up to date, sends TimeoutNow, target wins; proposals refused meanwhile", () => {
    const net = new Net([1, 2, 3]);
    net.elect(1);
    net.run(net.now + 300);
    net.drop = (s) => s.to === 3 && s.msg.type === "app";
    net.raft(1).propose("a", net.now);
    net.deliver();
    net.drop = () => false;
    expect(net.raft(1).transferLeadership(3, net.now)).toBe(true);
    expect(net.raft(1).propose("b", net.now)).toBeNull();
    net.run(net.now + 500);
    expect(net.leaders()).toEqual([3]);
    expect(net.raft(3).term()).toBe(2);
    expect(net.raft(3).entry(2)!.data).toBe("a");
  });

  it("a target in its PreVote round when TimeoutNow comes campaigns at once (seed 1103 at 30 s)", () => {
    const net = new Net([1, 2, 3]);
    net.elect(1);
    net.run(net.now + 300);
    net.isolate(3);
    net.run(net.now + 10_000);
    expect(net.raft(3).role()).toBe("precandidate"); // still term 1, the leader's
    net.heal();
    net.queue.length = 0;
    // The leader sends TimeoutNow once (its target's log is its own): this is that one.
    net.raft(3).onMessage(1, { type: "timeoutNow", term: 1, from: 1 }, net.now);
    expect(net.raft(3).role()).toBe("candidate");
    expect(net.raft(3).term()).toBe(2);
    net.syncAll();
    expect(net.queue.filter((s) => s.from === 3 && s.msg.type === "vote").map((s) => s.msg)).toEqual([
      expect.objectContaining({ term: 2, pre: false, force: true }),
      expect.objectContaining({ term: 2, pre: false, force: true }),
    ]);
  });

  it("aborts after an election timeout when the target is unreachable", () => {
    const net = new Net([1, 2, 3]);
    net.elect(1);
    net.run(net.now + 300);
    net.drop = (s) => s.to === 3 || s.from === 3;
    expect(net.raft(1).transferLeadership(3, net.now)).toBe(true);
    expect(net.raft(1).propose("x", net.now)).toBeNull();
    net.run(net.now + 1100);
    expect(net.raft(1).role()).toBe("leader");
    expect(net.raft(1).propose("y", net.now)).not.toBeNull();
  });
});
