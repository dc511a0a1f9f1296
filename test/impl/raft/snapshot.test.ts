// Log compaction, restart from snapshot + WAL tail, InstallSnapshot in chunks, §7's "keep the
// entries after a matching last included entry", and fencing after a backup restore.
import { describe, expect, it } from "vitest";
import type { RaftBugName } from "../../../src/impl/raft/api.js";
import { RESTORED_FILE, SNAPSHOT_FILE, type RaftSnapshot } from "../../../src/impl/raft/snapshot.js";
import { Net, diskOf, type Msg, type Rec } from "./harness.js";

const vote = (term: number, from: number, lastIndex: number, lastTerm: number, pre = false): Msg => ({
  type: "vote", term, from, pre, lastIndex, lastTerm, force: false, round: pre ? 1 : 0,
});

/** Propose n commands, letting time pass between them (snapshots are taken from ticks). */
function proposeMany(net: Net, leader: number, n: number, tag = "v"): void {
  for (let i = 0; i < n; i++) {
    net.raft(leader).propose(`${tag}${i}`, net.now);
    net.deliver();
    net.run(net.now + 100);
  }
  net.run(net.now + 1000);
}

describe("snapshots", () => {
  it("compaction: snapshot at the applied index, log compacted, old WAL segments dropped", () => {
    const net = new Net([1, 2, 3], { snapshotEvery: 5, snapshotChunk: 2 });
    net.elect(1);
    proposeMany(net, 1, 23);
    for (const id of [1, 2, 3]) {
      const r = net.raft(id);
      expect(r.commitIndex()).toBe(24);
      expect(r.snapshotIndex()).toBeGreaterThanOrEqual(20);
      expect(r.firstIndex()).toBe(r.snapshotIndex() + 1);
      expect(r.entry(r.snapshotIndex())).toBeUndefined();
      const n = net.node(id);
      expect(n.drops.length).toBeGreaterThan(2);
      const file = n.dfiles.get(SNAPSHOT_FILE) as RaftSnapshot;
      expect(file.index).toBe(r.snapshotIndex());
      expect(file.voters).toEqual([1, 2, 3]);
      // The WAL holds only the segment since the last snapshot: it starts with its base.
      expect(n.durable[0]).toMatchObject({ kind: "hs", term: 1 });
      for (const rec of n.durable) if (rec.kind === "entries") for (const e of rec.entries) expect(e.index).toBeGreaterThan(file.index);
    }
  });

  it("restart from snapshot + WAL tail gives the same state", () => {
    const net = new Net([1, 2, 3], { snapshotEvery: 7, snapshotChunk: 3 });
    net.elect(1);
    proposeMany(net, 1, 30);
    for (let i = 0; i < 3; i++) net.raft(1).propose(`tail${i}`, net.now); // no tick: no new snapshot
    net.deliver();
    const n2 = net.node(2);
    const r2 = net.raft(2);
    const before = { term: r2.term(), vote: r2.votedFor(), last: r2.lastIndex(), snap: r2.snapshotIndex(), state: n2.state.slice() };
    const tail: (string | null)[] = [];
    for (let i = before.snap + 1; i <= before.last; i++) tail.push(r2.entry(i)!.data);
    expect(tail.length).toBeGreaterThan(0); // there is a WAL tail beyond the snapshot
    n2.restart();
    const r = net.raft(2);
    expect(r.snapshotIndex()).toBe(before.snap);
    expect(r.commitIndex()).toBe(before.snap);
    expect(n2.restored).toEqual([before.snap]);
    expect([r.term(), r.votedFor(), r.lastIndex()]).toEqual([before.term, before.vote, before.last]);
    for (let i = before.snap + 1; i <= before.last; i++) expect(r.entry(i)!.data).toBe(tail[i - before.snap - 1]);
    // Once the leader tells it the commit index, it applies the tail to the same state.
    net.run(net.now + 1000);
    expect(n2.state).toEqual(before.state);
    expect(n2.state).toEqual(net.node(1).state);
  });

  it("InstallSnapshot in chunks brings a lagging follower up to date", () => {
    const net = new Net([1, 2, 3], { snapshotEvery: 5, snapshotChunk: 2 });
    net.elect(1);
    net.isolate(3);
    proposeMany(net, 1, 25);
    expect(net.raft(1).snapshotIndex()).toBeGreaterThan(net.raft(3).lastIndex());
    net.heal();
    const sentBefore = net.sent.length;
    net.run(net.now + 3000);
    const chunks = net.sent.slice(sentBefore).filter((s) => s.to === 3 && s.msg.type === "snap").map((s) => s.msg as Extract<Msg, { type: "snap" }>);
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks[0].total).toBeGreaterThan(2);
    expect(chunks.map((c) => c.chunk).slice(0, chunks[0].total)).toEqual([...Array(chunks[0].total).keys()]);
    expect(net.raft(3).snapshotIndex()).toBeGreaterThanOrEqual(chunks[0].index);
    expect(net.node(3).restored.length).toBeGreaterThan(0);
    expect(net.raft(3).commitIndex()).toBe(net.raft(1).commitIndex());
    expect(net.node(3).state).toEqual(net.node(1).state);
    // ... and it survives a restart from what it installed.
    net.node(3).restart();
    net.run(net.now + 1000);
    expect(net.node(3).state).toEqual(net.node(1).state);
  });

  it("lost chunks are re-sent (heartbeat responses re-trigger the outstanding chunk)", () => {
    const net = new Net([1, 2, 3], { snapshotEvery: 5, snapshotChunk: 1 });
    net.elect(1);
    net.isolate(3);
    proposeMany(net, 1, 12);
    net.heal();
    let dropped = 0;
    net.drop = (s) => s.msg.type === "snap" && s.msg.chunk === 1 && dropped++ < 3;
    net.run(net.now + 5000);
    expect(dropped).toBe(4);
    expect(net.node(3).state).toEqual(net.node(1).state);
  });

  const snapMsg = (index: number, snapTerm: number, term = 2): Msg => ({
    type: "snap", term, from: 1, index, snapTerm, voters: [1, 2, 3], chunk: 0, total: 1, data: { n: 0 },
  });

  function installOnFollowerAhead(bugs: RaftBugName[]): { last: number; first: number; durable: number } {
    const net = new Net([1, 2, 3], { snapshotEvery: 0 }, bugs, 1, new Map([[2, diskOf([1, 1, 1, 1, 1], 1)]]));
    net.raft(2).onMessage(1, snapMsg(3, 1), net.now);
    net.syncAll();
    const r = net.raft(2);
    return { last: r.lastIndex(), first: r.firstIndex(), durable: r.durableIndex() };
  }

  it("§7: a follower whose log has the snapshot's last entry keeps the entries after it", () => {
    expect(installOnFollowerAhead([])).toEqual({ last: 5, first: 4, durable: 5 });
  });

  it("a follower whose entry at the snapshot index conflicts discards its whole log", () => {
    const net = new Net([1, 2, 3], {}, [], 1, new Map([[2, diskOf([1, 1, 1, 1, 1], 1)]]));
    net.raft(2).onMessage(1, snapMsg(3, 2, 3), net.now);
    net.syncAll();
    expect([net.raft(2).lastIndex(), net.raft(2).commitIndex(), net.raft(2).snapshotTerm()]).toEqual([3, 3, 2]);
  });

  it("a snapshot not newer than the commit index is not installed (delayed duplicate)", () => {
    const net = new Net([1, 2, 3], { snapshotEvery: 5 });
    net.elect(1);
    proposeMany(net, 1, 12);
    const r3 = net.raft(3);
    const restored = net.node(3).restored.length;
    net.raft(3).onMessage(1, snapMsg(2, 2, r3.term()), net.now);
    expect(net.node(3).restored.length).toBe(restored);
    expect(r3.commitIndex()).toBe(13);
  });
});

describe("fencing after a backup restore", () => {
  const marker = (fenceTerm: number) => ({ kind: "restored", fenceTerm });

  /** Three nodes on term `term`; node 2 restored with a marker for fenceTerm. */
  function fencedNet(fenceTerm: number, bugs: RaftBugName[] = [], term = 1): Net {
    const net = new Net([1, 2, 3], { checkQuorum: false }, bugs, 1, new Map([[1, diskOf([1], term)], [2, diskOf([1], 1)], [3, diskOf([1], term)]]));
    net.node(2).dfiles.set(RESTORED_FILE, marker(fenceTerm));
    net.node(2).restart();
    return net;
  }

  it("a fenced node grants no vote or prevote, in terms <= fenceTerm or above, and never campaigns", () => {
    const net = fencedNet(5);
    const r = net.raft(2);
    expect(r.fenced()).toBe(true);
    for (const term of [3, 5, 6, 9]) {
      r.onMessage(3, vote(term, 3, 10, 1, true), net.now);
      r.onMessage(3, vote(term, 3, 10, 1), net.now);
    }
    net.syncAll();
    const resps = net.queue.filter((s) => s.from === 2 && s.msg.type === "voteResp").map((s) => s.msg as Extract<Msg, { type: "voteResp" }>);
    expect(resps.length).toBe(8);
    expect(resps.every((m) => !m.granted && m.fenced)).toBe(true);
    expect(r.votedFor()).toBe(-1);
    net.queue = [];
    for (let k = 0; k < 5; k++) net.fire(2);
    expect(r.role()).toBe("follower");
    expect(net.queue.filter((s) => s.from === 2).length).toBe(0);
  });

  it("its acknowledgements count toward nothing while fenced", () => {
    const net = fencedNet(10);
    net.isolate(3);
    net.fire(1);
    net.run(net.now + 3000);
    expect(net.raft(1).role()).not.toBe("leader"); // 2 refuses: no quorum without 3
    net.heal();
    net.run(net.now + 20_000);
    const l = net.leaders()[0];
    expect(l === 1 || l === 3).toBe(true);
    expect(net.raft(l).term()).toBeLessThanOrEqual(10); // a leader of a term <= fenceTerm
    expect(net.raft(2).fenced()).toBe(true);
    const other = l === 1 ? 3 : 1;
    net.isolate(other);
    const commit = net.raft(l).commitIndex();
    net.raft(l).propose("x", net.now);
    net.run(net.now + 500);
    expect(net.raft(2).lastIndex()).toBe(commit + 1); // 2 holds it and acknowledged it ...
    expect(net.sent.some((s) => s.from === 2 && s.msg.type === "appResp" && s.msg.success && s.msg.fenced && s.msg.index === commit + 1)).toBe(true);
    expect(net.raft(l).commitIndex()).toBe(commit); // ... but a fenced ack does not commit it
    net.heal();
    net.run(net.now + 500);
    expect(net.raft(l).commitIndex()).toBe(commit + 1);
    expect(net.raft(2).fenced()).toBe(true); // caught up, but with a leader of a term <= fenceTerm
  });

  it("it unfences once its commit index reaches an entry of a term above fenceTerm", () => {
    const net = fencedNet(3, [], 3);
    expect(net.raft(2).fenced()).toBe(true);
    net.elect(1); // term 4 > fenceTerm, elected with 3's vote
    expect(net.raft(1).term()).toBe(4);
    net.run(net.now + 500);
    expect(net.raft(2).commitIndex()).toBe(2);
    expect(net.raft(2).fenced()).toBe(false);
    expect(net.node(2).dfiles.has(RESTORED_FILE)).toBe(false); // the marker is gone, durably
    net.raft(2).onMessage(3, vote(5, 3, 2, 4), net.now);
    net.syncAll();
    expect(net.queue.some((s) => s.from === 2 && s.msg.type === "voteResp" && s.msg.granted)).toBe(true);
  });

  it("restore-unfenced (planted): the restored node ignores the marker and votes at once", () => {
    for (const [bugs, granted] of [[[], false], [["restore-unfenced"], true]] as const) {
      const net = fencedNet(5, [...bugs]);
      expect(net.raft(2).fenced()).toBe(!granted);
      net.raft(2).onMessage(3, vote(4, 3, 10, 1), net.now);
      net.syncAll();
      const resp = net.queue.find((s) => s.from === 2 && s.msg.type === "voteResp")!.msg as Extract<Msg, { type: "voteResp" }>;
      expect(resp.granted).toBe(granted);
    }
  });
});

describe("snapshot-install-drops-newer (planted)", () => {
  it("discards the matching entries after the snapshot", () => {
    const run = (bugs: RaftBugName[]) => {
      const net = new Net([1, 2, 3], {}, bugs, 1, new Map([[2, diskOf([1, 1, 1, 1, 1], 1)]]));
      net.raft(2).onMessage(1, { type: "snap", term: 2, from: 1, index: 3, snapTerm: 1, voters: [1, 2, 3], chunk: 0, total: 1, data: { n: 0 } }, net.now);
      net.syncAll();
      return net.raft(2).lastIndex();
    };
    expect(run([])).toBe(5);
    expect(run(["snapshot-install-drops-newer"])).toBe(3);
  });
});

// Records are plain data: the WAL type is what the harness stores.
export type _Rec = Rec;
