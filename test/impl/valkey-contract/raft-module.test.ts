// raft-module's own choices, beyond what the conformance suite asks of every module: revisions
// are tagged with their shard, the module's internal keys and malformed updates are refused,
// membership commands say they are not built, gossip picks the same winner in any merge order,
// and a run is a function of its seed.
import { describe, expect, it } from "vitest";
import { ConformanceWorld, MS } from "../../../src/api/valkey-conformance/world.js";
import { raftModule } from "../../../src/impl/valkey-contract/raft-module/module.js";
import { GossipBus, type BusMessage } from "../../../src/impl/valkey-contract/raft-module/gossip-bus.js";
import type { ClusterPlan, GossipUpdate, MetadataOp, UpdateResult } from "../../../src/impl/valkey-contract/contract.js";

const plan = (sizes: number[]): ClusterPlan => {
  let id = 0;
  return { shards: sizes.map((n, s) => ({ shardId: `s${s}`, members: Array.from({ length: n }, () => id++).map((nodeId) => ({ nodeId, address: `h${nodeId}` })) })) };
};

function ask(w: ConformanceWorld, node: number, ops: MetadataOp[]): UpdateResult {
  for (let tries = 0; tries < 100; tries++) {
    let got: UpdateResult | undefined;
    w.host(node).module.updateShardLog(ops, w.local(node), (r) => void (got = r));
    w.runUntil(() => got !== undefined, 2000 * MS);
    if (got!.kind !== "rejected" || !/leader/.test(got!.reason)) return got!;
    w.run(w.now + 20 * MS);
  }
  throw new Error("no leader");
}

describe("raft-module", () => {
  it("tags revisions with their shard: one shard's revision never matches on another", () => {
    const w = new ConformanceWorld({ seed: 4, plan: plan([3, 3]), factory: raftModule() });
    w.run(1000 * MS);
    const a = ask(w, 0, [{ key: "k", value: "x", expectedRevision: null }]);
    const b = ask(w, 3, [{ key: "k", value: "y", expectedRevision: null }]);
    expect(a.kind).toBe("ok");
    expect(b.kind).toBe("ok");
    const foreign = a.kind === "ok" ? a.revisions[0]! : null;
    expect(ask(w, 3, [{ key: "k", value: "z", expectedRevision: foreign }]).kind).toBe("conflict");
    const own = b.kind === "ok" ? b.revisions[0]! : null;
    expect(ask(w, 3, [{ key: "k", value: "z", expectedRevision: own }]).kind).toBe("ok");
  });

  it("refuses malformed updates and its own key prefix; cluster commands say they are not built, shard commands name a wrong shard or node", () => {
    const w = new ConformanceWorld({ seed: 5, plan: plan([3]), factory: raftModule() });
    w.run(1000 * MS);
    expect(ask(w, 0, [])).toEqual({ kind: "rejected", reason: "no ops" });
    expect(ask(w, 0, [{ key: "\u0000alive/1", value: "x", expectedRevision: null }]).kind).toBe("rejected");
    expect(ask(w, 0, [{ key: "a", value: "1", expectedRevision: null }, { key: "a", value: "2", expectedRevision: null }]).kind).toBe("rejected");
    let res: unknown;
    w.host(0).module.joinCluster(9, "h9", "s0", w.local(0), (r) => void (res = r));
    expect(res).toMatchObject({ kind: "error", reason: expect.stringMatching(/not built/) });
    w.host(0).module.joinShard(9, "s0", w.local(0), (r) => void (res = r));
    expect(res).toMatchObject({ kind: "error", reason: expect.stringMatching(/not planned in shard s0/) });
    w.host(0).module.removeFromShard(1, "s7", w.local(0), (r) => void (res = r));
    expect(res).toMatchObject({ kind: "error", reason: expect.stringMatching(/not s7/) });
    // The alive keys are never shown to the Core.
    expect([...w.core(0).shardLog.keys()].some((k) => k.startsWith("\u0000"))).toBe(false);
    expect(w.host(0).module.readShardLog("\u0000alive/0")).toBeNull();
  });

  it("calls clusterDown when its lease runs out without a quorum, and heartbeats again once healed", () => {
    const w = new ConformanceWorld({ seed: 8, plan: plan([3]), factory: raftModule() });
    w.run(1000 * MS);
    expect(w.core(2).isOk(w.now)).toBe(true);
    const cut = w.now;
    w.partition([2], [0, 1]);
    w.run(cut + 600 * MS);
    const downs = w.core(2).downs.filter((t) => t > cut);
    expect(downs.length).toBe(1);
    expect(downs[0]!).toBeLessThanOrEqual(cut + 400 * MS + 1); // L after the last send before the cut
    expect(w.core(2).isOk(w.now)).toBe(false);
    w.healAll();
    w.run(w.now + 1000 * MS);
    expect(w.core(2).isOk(w.now)).toBe(true);
  });

  it("pushes membership with every planned node, shards in plan order, members by id", () => {
    const w = new ConformanceWorld({ seed: 6, plan: plan([2, 3]), factory: raftModule() });
    w.run(1500 * MS);
    const m = w.core(4).membership!;
    expect(m.shards.map((s) => s.shardId)).toEqual(["s0", "s1"]);
    expect(m.shards.map((s) => s.members.map((x) => x.nodeId))).toEqual([[0, 1], [2, 3, 4]]);
    expect(m.shards.flatMap((s) => s.members.map((x) => x.state))).toEqual(["OK", "OK", "OK", "OK", "OK"]);
  });

  it("gossip: the same winner whatever order the writes are merged in", () => {
    const writes: BusMessage[] = [];
    const buses = [1, 2, 3].map((id) => new GossipBus(id, () => {}));
    buses.forEach((b, i) => b.update("GLOBAL", [{ key: "route", value: `v${i}`, expectedRevision: null }], 0));
    for (const b of buses) writes.push(b.message(true));
    const orders = [[0, 1, 2], [2, 1, 0], [1, 2, 0]];
    const winners = orders.map((o) => {
      const seen: GossipUpdate[] = [];
      const x = new GossipBus(9, (u) => void seen.push(u));
      for (const i of o) x.merge(writes[i]!, true, 0);
      expect(seen.at(-1)?.value).toBe(x.read("GLOBAL", "route")?.value); // every winner notified
      return x.read("GLOBAL", "route")?.value;
    });
    expect(new Set(winners).size).toBe(1);
    expect(winners[0]).toBe("v2"); // equal counters: the highest node id wins
  });

  it("a run is a function of its seed", () => {
    const trace = (seed: number): string => {
      const w = new ConformanceWorld({ seed, plan: plan([3]), factory: raftModule() });
      w.run(800 * MS);
      ask(w, 1, [{ key: "a", value: "1", expectedRevision: null }]);
      w.crash(2);
      w.run(w.now + 300 * MS);
      w.restart(2);
      w.run(w.now + 800 * MS);
      return JSON.stringify([...w.history.values()].map((cores) => cores.map((c) => [c.heartbeats, c.downs, c.shardLogCalls.map((x) => [x.at, x.changes.map((ch) => [ch.key, ch.value])])])));
    };
    expect(trace(11)).toBe(trace(11));
    expect(trace(11)).not.toBe(trace(12));
  });
});
