// coalesceHeartbeats (RaftOptions): fewer heartbeats per simulated second, same guarantees.
import { describe, expect, it } from "vitest";
import { Net, type Sent } from "./harness.js";

const hbs = (sent: readonly Sent[], from = 0): Sent[] => sent.slice(from).filter((s) => s.msg.type === "hb");

/** A 3-node cluster, leader 1 with its term's entry committed. */
function cluster(coalesce: boolean): Net {
  const net = new Net([1, 2, 3], { coalesceHeartbeats: coalesce });
  net.elect(1);
  net.run(net.now + 300);
  return net;
}

describe("coalesceHeartbeats", () => {
  it("a leader that appends continuously sends no periodic heartbeats; an idle one still does", () => {
    const counts: Record<string, number> = {};
    for (const coalesce of [false, true]) {
      const net = cluster(coalesce);
      const from = net.sent.length;
      // heartbeatUs 100: a proposal every 50 µs reaches every follower within each interval
      for (let k = 0; k < 40; k++) {
        net.raft(1).propose(`v${k}`, net.now);
        net.run(net.now + 50);
      }
      counts[String(coalesce)] = hbs(net.sent, from).length;
      expect(net.raft(1).role()).toBe("leader");
      expect(net.raft(2).commitIndex()).toBeGreaterThanOrEqual(40);
      // idle: heartbeats again, every interval
      const idle = net.sent.length;
      net.run(net.now + 1000);
      expect(hbs(net.sent, idle).length).toBeGreaterThanOrEqual(2 * 9);
    }
    expect(counts.false).toBeGreaterThanOrEqual(2 * 19); // 2 followers × every 100 µs
    expect(counts.true).toBe(0);
  });

  it("a follower kept busy with appends never times out, and CheckQuorum keeps the leader", () => {
    const net = cluster(true);
    for (let k = 0; k < 200; k++) {
      net.raft(1).propose(`v${k}`, net.now);
      net.run(net.now + 50);
    }
    expect(net.leaders()).toEqual([1]);
    expect(net.raft(2).term()).toBe(net.raft(1).term());
    expect(net.raft(3).leader()).toBe(1);
  });

  it("a new commit index is not pushed with empty appends; followers learn it within two heartbeat intervals", () => {
    for (const coalesce of [false, true]) {
      const net = cluster(coalesce);
      const from = net.sent.length;
      net.raft(1).propose("x", net.now);
      net.deliver();
      const c = net.raft(1).commitIndex();
      const empty = net.sent.slice(from).filter((s) => s.msg.type === "app" && s.msg.entries.length === 0).length;
      expect(empty).toBe(coalesce ? 0 : 2);
      expect(net.raft(2).commitIndex()).toBe(coalesce ? c - 1 : c);
      net.run(net.now + 200); // two heartbeat intervals
      expect(net.raft(2).commitIndex()).toBe(c);
      expect(net.raft(3).commitIndex()).toBe(c);
    }
  });

  it("a burst of ReadIndex reads costs one round for all reads registered while one is out (10 reads: 2 rounds, not 10)", () => {
    for (const coalesce of [false, true]) {
      const net = cluster(coalesce);
      const from = net.sent.length;
      for (let ctx = 1; ctx <= 10; ctx++) net.raft(1).readIndex(ctx, net.now);
      net.deliver();
      const burst = hbs(net.sent, from);
      expect(new Set(burst.map((s) => (s.msg as { seq: number }).seq)).size).toBe(coalesce ? 2 : 10);
      expect(burst.length).toBe(coalesce ? 4 : 20);
      net.fire(1); // releases confirmed reads
      expect(net.node(1).ready.map(([c]) => c)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    }
  });

  it("a read registered while a round is out waits for a later round: the one out does not confirm it", () => {
    const net = cluster(true);
    const r = net.raft(1);
    r.readIndex(1, net.now); // round S goes out
    const seqOut = (hbs(net.sent).at(-1)!.msg as { seq: number }).seq;
    r.readIndex(2, net.now); // rides round S+1, not yet sent
    net.drop = (s) => s.msg.type === "hb" && (s.msg as { seq: number }).seq > seqOut; // the next round is lost
    net.deliver();
    net.fire(1);
    expect(net.node(1).ready.map(([c]) => c)).toEqual([1]);
    net.drop = () => false;
    net.run(net.now + 300); // the heartbeat tick re-sends the round the read wants
    expect(net.node(1).ready.map(([c]) => c)).toEqual([1, 2]);
  });

  it("an isolated leader confirms no read and fails them on step-down", () => {
    const net = cluster(true);
    net.isolate(1);
    net.raft(1).readIndex(9, net.now);
    net.raft(1).readIndex(10, net.now);
    net.run(net.now + 3000);
    expect(net.node(1).ready).toEqual([]);
    expect(net.node(1).failed).toEqual([9, 10]);
  });
});
