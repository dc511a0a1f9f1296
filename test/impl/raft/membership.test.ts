// Membership changes (dissertation ch. 4): single-server changes through the log, learners that
// catch up before promotion, removing the leader, removed servers that do not disrupt, the
// configuration reverting with a truncated entry, and the two rules the planted bugs break.
import { describe, expect, it } from "vitest";
import type { RaftBugName } from "../../../src/impl/raft/api.js";
import { Net } from "./harness.js";

function settle(net: Net, us = 20_000): void {
  net.run(net.now + us);
}

/** A 3-voter cluster {1,2,3} with 1 leader whose no-op committed, plus spare 4 (and 5). */
function cluster(bugs: RaftBugName[] = [], spares = [4]): Net {
  const net = new Net([1, 2, 3], {}, bugs);
  for (const s of spares) net.addNode(s, []);
  net.elect(1);
  net.deliver();
  expect(net.raft(1).commitIndex()).toBe(1);
  return net;
}

describe("membership", () => {
  it("adds a server as a learner, which is promoted once it has caught up (a second change)", () => {
    const net = cluster();
    for (let i = 0; i < 20; i++) net.raft(1).propose(`x${i}`, net.now);
    net.deliver();
    const r = net.raft(1).proposeConfChange({ kind: "add-learner", node: 4 }, net.now);
    expect(typeof r).toBe("object");
    // The leader uses the new configuration at once (uncommitted).
    expect(net.raft(1).learners()).toEqual([4]);
    expect(net.raft(1).voters()).toEqual([1, 2, 3]);
    settle(net);
    // Learner caught up -> promoted by a second single-server change, committed.
    expect(net.raft(1).voters()).toEqual([1, 2, 3, 4]);
    expect(net.raft(1).learners()).toEqual([]);
    expect(net.raft(1).confChangePending()).toBe(false);
    for (const id of [2, 3, 4]) expect(net.raft(id).voters()).toEqual([1, 2, 3, 4]);
    expect(net.raft(4).lastIndex()).toBe(net.raft(1).lastIndex());
    const confEntries = [];
    for (let i = 1; i <= net.raft(1).lastIndex(); i++) if (net.raft(1).entry(i)?.conf) confEntries.push(net.raft(1).entry(i)!.conf);
    expect(confEntries).toEqual([{ voters: [1, 2, 3], learners: [4] }, { voters: [1, 2, 3, 4], learners: [] }]);
  });

  it("does not promote a learner that has not caught up", () => {
    const net = cluster();
    for (let i = 0; i < 40; i++) net.raft(1).propose(`x${i}`, net.now);
    net.deliver();
    net.drop = (s) => s.to === 4 && s.msg.type === "app" && s.msg.entries.length > 0 && s.msg.prevIndex >= 10;
    net.raft(1).proposeConfChange({ kind: "add-learner", node: 4 }, net.now);
    settle(net);
    expect(net.raft(4).lastIndex()).toBeLessThan(net.raft(1).lastIndex() - 16);
    expect(net.raft(1).learners()).toEqual([4]);
    net.drop = () => false;
    settle(net);
    expect(net.raft(1).voters()).toEqual([1, 2, 3, 4]);
  });

  it("allows one uncommitted change at a time", () => {
    const net = cluster([], [4, 5]);
    net.isolate(2);
    net.isolate(3); // nothing commits now
    expect(typeof net.raft(1).proposeConfChange({ kind: "add-learner", node: 4 }, net.now)).toBe("object");
    expect(net.raft(1).confChangePending()).toBe(true);
    expect(net.raft(1).proposeConfChange({ kind: "remove", node: 3 }, net.now)).toBe("a configuration change is pending");
    net.heal();
    net.deliver();
    expect(net.raft(1).confChangePending()).toBe(false);
    expect(typeof net.raft(1).proposeConfChange({ kind: "remove", node: 3 }, net.now)).toBe("object");
  });

  it("removes the leader: it keeps managing until the change commits, then steps down and hands over", () => {
    const net = cluster([], []);
    net.raft(1).propose("a", net.now);
    net.deliver();
    const r = net.raft(1).proposeConfChange({ kind: "remove", node: 1 }, net.now);
    expect(typeof r).toBe("object");
    const idx = (r as { index: number }).index;
    // Not yet committed: still leader, replicating, without counting itself.
    expect(net.raft(1).role()).toBe("leader");
    expect(net.raft(1).voters()).toEqual([2, 3]);
    net.deliver();
    expect(net.raft(1).commitIndex()).toBeGreaterThanOrEqual(idx);
    expect(net.raft(1).role()).toBe("follower");
    settle(net);
    const leaders = net.leaders();
    expect(leaders.length).toBe(1);
    expect([2, 3]).toContain(leaders[0]);
    // The removed server never campaigns again.
    const term = net.raft(1).term();
    const before = net.sent.length;
    settle(net, 50_000);
    expect(net.raft(1).role()).toBe("follower");
    expect(net.sent.slice(before).filter((s) => s.from === 1 && s.msg.type === "vote").length).toBe(0);
    expect(net.raft(leaders[0]).term()).toBeGreaterThanOrEqual(term);
  });

  it("a leader does not count itself once it removed itself", () => {
    const net = cluster([], []);
    net.isolate(2);
    net.isolate(3);
    net.raft(1).proposeConfChange({ kind: "remove", node: 1 }, net.now);
    net.raft(1).propose("b", net.now);
    net.deliver();
    // Config {2, 3} without any ack: nothing commits even though 1 holds everything durably.
    expect(net.raft(1).commitIndex()).toBe(1);
  });

  it("a removed server that missed its removal does not disrupt (PreVote + CheckQuorum)", () => {
    const net = cluster([], []);
    // 3 never hears of its removal.
    net.drop = (s) => s.to === 3;
    net.raft(1).proposeConfChange({ kind: "remove", node: 3 }, net.now);
    net.deliver();
    expect(net.raft(1).voters()).toEqual([1, 2]);
    expect(net.raft(3).voters()).toEqual([1, 2, 3]);
    const term = net.raft(1).term();
    net.drop = (s) => s.from === 1 && s.to === 3; // 3 can reach the others, hears nothing
    settle(net, 50_000);
    expect(net.raft(1).role()).toBe("leader");
    expect(net.raft(1).term()).toBe(term);
    expect(net.raft(2).term()).toBe(term);
    expect(net.sent.some((s) => s.from === 3 && s.msg.type === "vote")).toBe(true); // it tried
  });

  it("a server stops campaigning once it has the configuration that excludes it", () => {
    const net = cluster([], []);
    const idx = (net.raft(1).proposeConfChange({ kind: "remove", node: 3 }, net.now) as { index: number }).index;
    // 3 acknowledges the removal before it commits (2's first ack is lost), so the leader's
    // parting heartbeat tells it the removal is committed.
    let lost = false;
    net.drop = (s) => !lost && s.from === 2 && s.msg.type === "appResp" && (lost = true);
    net.deliver();
    net.drop = () => false;
    settle(net, 2_000);
    expect(net.raft(1).commitIndex()).toBeGreaterThanOrEqual(idx);
    expect(net.raft(3).commitIndex()).toBeGreaterThanOrEqual(idx);
    expect(net.raft(3).voters()).toEqual([1, 2]);
    net.node(1).up = false;
    net.node(2).up = false;
    const before = net.sent.length;
    settle(net, 50_000);
    expect(net.sent.slice(before).some((s) => s.from === 3 && s.msg.type === "vote")).toBe(false);
  });

  it("a truncated configuration entry reverts the configuration", () => {
    const net = new Net([1, 2, 3, 4, 5]);
    net.addNode(6, []);
    net.elect(1);
    net.deliver();
    net.isolate(1);
    net.raft(1).proposeConfChange({ kind: "add-learner", node: 6 }, net.now);
    // Only 2 gets the entry, then 1 is gone for good.
    const t = net.raft(1).term();
    net.raft(2).onMessage(1, { type: "app", term: t, from: 1, prevIndex: 1, prevTerm: t, entries: [net.raft(1).entry(2)!], commit: 1, probe: 0 }, net.now);
    expect(net.raft(2).learners()).toEqual([6]);
    expect(net.raft(2).configIndex()).toBe(2);
    net.node(1).up = false;
    net.heal();
    net.isolate(2);
    net.now += 5_000;
    net.elect(3); // with 4 and 5
    net.raft(3).propose("z", net.now);
    net.deliver();
    net.heal();
    settle(net);
    // 2's configuration entry was overwritten: its configuration reverts to the initial one.
    expect(net.raft(2).entry(2)?.conf).toBeUndefined();
    expect(net.raft(2).learners()).toEqual([]);
    expect(net.raft(2).voters()).toEqual([1, 2, 3, 4, 5]);
  });

  it("snapshots carry the configuration at their index, learners included", () => {
    const net = new Net([1, 2, 3], { snapshotEvery: 4, snapshotChunk: 2 });
    net.addNode(4, []);
    net.elect(1);
    net.deliver();
    net.isolate(2);
    net.raft(1).proposeConfChange({ kind: "add-learner", node: 4 }, net.now);
    net.deliver();
    // 4 catches up only from 1; keep it a learner by not letting it answer until compaction.
    for (let i = 0; i < 10; i++) net.raft(1).propose(`x${i}`, net.now);
    settle(net);
    const snap = net.raft(1).latestSnapshot();
    expect(snap).not.toBeNull();
    expect(snap!.voters.length + (snap!.learners?.length ?? 0)).toBeGreaterThanOrEqual(4);
    net.heal();
    settle(net);
    // 2 catches up via InstallSnapshot and has the same configuration as the leader.
    expect(net.raft(2).voters()).toEqual(net.raft(1).voters());
    expect(net.raft(2).learners()).toEqual(net.raft(1).learners());
  });

  it("a restarted server recovers its configuration from the log", () => {
    const net = cluster();
    net.raft(1).proposeConfChange({ kind: "add-learner", node: 4 }, net.now);
    settle(net);
    expect(net.raft(2).voters()).toEqual([1, 2, 3, 4]);
    net.node(2).restart();
    expect(net.raft(2).voters()).toEqual([1, 2, 3, 4]);
    net.node(4).restart();
    expect(net.raft(4).voters()).toEqual([1, 2, 3, 4]);
  });
});

describe("membership planted bugs", () => {
  it("membership-concurrent-changes: a second change while one is uncommitted", () => {
    const run = (bugs: RaftBugName[]) => {
      const net = cluster(bugs, []);
      net.isolate(2);
      net.isolate(3);
      net.raft(1).proposeConfChange({ kind: "remove", node: 3 }, net.now);
      return net.raft(1).proposeConfChange({ kind: "remove", node: 2 }, net.now);
    };
    expect(run([])).toBe("a configuration change is pending");
    expect(typeof run(["membership-concurrent-changes"])).toBe("object");
  });

  it("membership-before-term-commit: a change before the term's first commit", () => {
    const run = (bugs: RaftBugName[]) => {
      const net = new Net([1, 2, 3], {}, bugs);
      net.isolate(1);
      net.fire(1);
      net.heal();
      // Hand-deliver the prevote/vote round so that 1 wins without its no-op committing.
      net.drop = (s) => s.msg.type === "app" || s.msg.type === "hb";
      net.deliver();
      net.fire(1);
      net.deliver();
      expect(net.raft(1).role()).toBe("leader");
      expect(net.raft(1).commitIndex()).toBe(0);
      return net.raft(1).proposeConfChange({ kind: "remove", node: 3 }, net.now);
    };
    expect(run([])).toBe("no entry of this term committed yet");
    expect(typeof run(["membership-before-term-commit"])).toBe("object");
  });
});
