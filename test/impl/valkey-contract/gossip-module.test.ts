// gossip-module's own choices, beyond what the conformance suite asks of every module: revisions
// are tagged with their shard, malformed updates are refused, cluster commands say they are not
// built and shard commands name a wrong shard or node, a removed node refuses shard-log writes,
// FAIL spreads to every node, and a run is a function of its seed.
import { describe, expect, it } from "vitest";
import { ConformanceWorld, MS } from "../../../src/api/valkey-conformance/world.js";
import { gossipModule, GossipModule } from "../../../src/impl/valkey-contract/gossip-module/module.js";
import type { ClusterPlan, CommandResult, MetadataOp, UpdateResult } from "../../../src/impl/valkey-contract/contract.js";

const plan = (sizes: number[]): ClusterPlan => {
  let id = 0;
  return { shards: sizes.map((n, s) => ({ shardId: `s${s}`, members: Array.from({ length: n }, () => id++).map((nodeId) => ({ nodeId, address: `h${nodeId}` })) })) };
};

function ask(w: ConformanceWorld, node: number, ops: MetadataOp[]): UpdateResult {
  let got: UpdateResult | undefined;
  w.host(node).module.updateShardLog(ops, w.local(node), (r) => void (got = r));
  w.runUntil(() => got !== undefined, 2000 * MS);
  return got!;
}

function cmd(w: ConformanceWorld, node: number, call: (m: GossipModule, now: number, done: (r: CommandResult) => void) => void): CommandResult {
  let got: CommandResult | undefined;
  call(w.host(node).module as GossipModule, w.local(node), (r) => void (got = r));
  w.runUntil(() => got !== undefined, 1000 * MS);
  return got!;
}

describe("gossip-module", () => {
  it("tags revisions with their shard: one shard's revision never matches on another", () => {
    const w = new ConformanceWorld({ seed: 4, plan: plan([3, 3]), factory: gossipModule() });
    w.run(500 * MS);
    const a = ask(w, 0, [{ key: "k", value: "x", expectedRevision: null }]);
    const b = ask(w, 3, [{ key: "k", value: "y", expectedRevision: null }]);
    expect(a.kind).toBe("ok");
    expect(b.kind).toBe("ok");
    const foreign = a.kind === "ok" ? a.revisions[0]! : null;
    expect(ask(w, 3, [{ key: "k", value: "z", expectedRevision: foreign }]).kind).toBe("conflict");
    const own = b.kind === "ok" ? b.revisions[0]! : null;
    expect(ask(w, 3, [{ key: "k", value: "z", expectedRevision: own }]).kind).toBe("ok");
  });

  it("refuses malformed updates; cluster commands are not built; shard commands check the plan; a removed node refuses writes", () => {
    const w = new ConformanceWorld({ seed: 5, plan: plan([3]), factory: gossipModule() });
    w.run(500 * MS);
    expect(ask(w, 0, [])).toEqual({ kind: "rejected", reason: "no ops" });
    expect(ask(w, 0, [{ key: "a", value: "1", expectedRevision: null }, { key: "a", value: "2", expectedRevision: null }]).kind).toBe("rejected");
    expect(cmd(w, 0, (m, now, done) => m.joinCluster(9, "h9", "s0", now, done))).toMatchObject({ kind: "error", reason: expect.stringMatching(/not built/) });
    expect(cmd(w, 0, (m, now, done) => m.joinShard(9, "s0", now, done))).toMatchObject({ kind: "error", reason: expect.stringMatching(/not planned in shard s0/) });
    expect(cmd(w, 0, (m, now, done) => m.removeFromShard(1, "s7", now, done))).toMatchObject({ kind: "error", reason: expect.stringMatching(/no shard s7/) });
    expect(cmd(w, 0, (m, now, done) => m.removeFromShard(2, "s0", now, done))).toEqual({ kind: "ok" });
    expect(cmd(w, 0, (m, now, done) => m.removeFromShard(2, "s0", now, done))).toEqual({ kind: "ok" }); // in effect: a retry is ok
    w.run(w.now + 500 * MS);
    expect(ask(w, 2, [{ key: "b", value: "1", expectedRevision: null }])).toMatchObject({ kind: "rejected", reason: expect.stringMatching(/not a member/) });
    expect(ask(w, 0, [{ key: "b", value: "1", expectedRevision: null }]).kind).toBe("ok"); // the two left are a majority of two
  });

  it("a node cut from everyone is FAIL on every other node (majority of the cluster's nodes), and judges nobody FAIL itself", () => {
    const w = new ConformanceWorld({ seed: 6, plan: plan([3, 2]), factory: gossipModule() });
    w.run(1000 * MS);
    const others = [0, 1, 2, 3];
    w.partition([4], others);
    // Node 4 alone is no majority of 5: it comes to suspect everyone (PFAIL) but fails nobody.
    let failedByLoner = false;
    w.afterEvent = () => void (failedByLoner ||= others.some((n) => w.core(4).stateOf(n) === "FAIL"));
    expect(w.runUntil(() => others.every((n) => w.core(n).stateOf(4) === "FAIL"), 3000 * MS)).toBe(true);
    w.run(w.now + 2000 * MS);
    w.afterEvent = null;
    expect(failedByLoner).toBe(false);
    for (const n of others) expect(w.core(4).stateOf(n)).toBe("PFAIL");
    w.healAll();
    expect(w.runUntil(() => [0, 1, 2, 3, 4].every((n) => [0, 1, 2, 3, 4].every((m) => w.core(n).stateOf(m) !== "FAIL")), 3000 * MS)).toBe(true);
  });

  it("refuses options that break its own reasoning, naming the field", () => {
    const w = (o: Parameters<typeof gossipModule>[0]) => () => new ConformanceWorld({ seed: 1, plan: plan([3]), factory: gossipModule(o) });
    expect(w({ requestTimeoutUs: 2_000_000 })).toThrow(/requestTimeoutUs \(2000000\) must be under lockTimeoutUs/);
    expect(w({ pingEveryUs: 300_000 })).toThrow(/pingEveryUs .* must be under leaseUs\/2/);
    expect(w({ nodeTimeoutUs: 0 })).toThrow(/nodeTimeoutUs must be positive/);
    expect(w({ randomPeers: 1.5 })).toThrow(/randomPeers must be a non-negative integer/);
  });

  it("same seed, same run", () => {
    const trace = (): string => {
      const w = new ConformanceWorld({ seed: 11, plan: plan([3, 3]), factory: gossipModule() });
      w.run(300 * MS);
      ask(w, 1, [{ key: "k", value: "v", expectedRevision: null }]);
      w.crash(2);
      w.run(w.now + 2000 * MS);
      return JSON.stringify([w.now, ...w.nodes().map((n) => [w.core(n).membership, w.core(n).heartbeats.length, [...w.core(n).shardLog]])]);
    };
    expect(trace()).toBe(trace());
  });
});
