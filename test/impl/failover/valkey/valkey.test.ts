// Unit tests of the Valkey node's parts: the replicated store (stream order, gaps, full sync,
// AOF recovery), the cluster view (failure reports and their 2T purge, voting primaries), and
// the node's vote: one per epoch, durable before the ACK leaves.
import { describe, expect, it } from "vitest";
import { ReplicatedKv } from "../../../../src/impl/failover/valkey/kv.js";
import { ValkeyNode } from "../../../../src/impl/failover/valkey/node.js";
import { DEFAULT_VALKEY_OPTIONS, VALKEY_TEST_SETTINGS, type Header, type KvRep, type Topology, type ValkeyMsg, type ValkeyRecord } from "../../../../src/impl/failover/valkey/types.js";
import { ClusterView } from "../../../../src/impl/failover/valkey/view.js";
import type { NodeEnv } from "../../../../src/impl/node.js";

const topo: Topology = { servers: 6, slots: 4, initialOwner: [0, 0, 3, 3], initialPrimaryOf: [-1, 0, 0, -1, 3, 3] };

describe("ReplicatedKv", () => {
  it("applies a reordered stream in offset order and reports gaps", () => {
    const kv = new ReplicatedKv();
    expect(kv.receive(1, "k", "b,").gap).toBe(true);
    const r = kv.receive(0, "k", "a,");
    expect(r.applied.map((x) => x.t === "w" && x.token)).toEqual(["a,", "b,"]);
    expect(r.gap).toBe(false);
    expect(kv.get("k")).toBe("a,b,");
    expect(kv.receive(0, "k", "a,").applied).toEqual([]); // a duplicate
  });

  it("recovers from its AOF, full syncs included", () => {
    const kv = new ReplicatedKv();
    const recs = [kv.apply("x", "1,"), kv.load(5, [["y", "9,"]]), kv.apply("y", "2,")];
    const back = ReplicatedKv.recover(recs);
    expect(back.offset).toBe(6);
    expect(back.get("y")).toBe("9,2,");
    expect(back.get("x")).toBe("");
  });
});

describe("ClusterView", () => {
  it("counts only fresh reports and purges the rest", () => {
    const v = new ClusterView(topo);
    v.addReport(1, 0, 0);
    v.addReport(1, 3, 5_000);
    expect(v.countReports(1, 6_000, 2_000)).toBe(1);
    expect(v.hasReport(1, 0)).toBe(false);
    expect(v.size()).toBe(2);
    expect(v.isVotingPrimary(1)).toBe(false);
  });
});

class FakeEnv implements NodeEnv<ValkeyMsg, ValkeyRecord, KvRep> {
  sent: { to: number; msg: ValkeyMsg }[] = [];
  persisted: { records: readonly ValkeyRecord[]; sync: boolean }[] = [];
  private token = 0;
  readonly rng = { int: (lo: number) => lo, float: () => 0 };
  constructor(readonly id: number) {}
  send(to: number, msg: ValkeyMsg): void { this.sent.push({ to, msg }); }
  persist(records: readonly ValkeyRecord[], sync: boolean): number { this.persisted.push({ records, sync }); return ++this.token; }
  writeFile(): void {}
  renameFile(): void {}
  deleteFile(): void {}
  syncFile(): number { return ++this.token; }
  rotateWal(): number { return 0; }
  dropWalBefore(): void {}
  reply(): void {}
  wakeAt(): void {}
  note(): void {}
}

describe("ValkeyNode vote", () => {
  const opts = { ...DEFAULT_VALKEY_OPTIONS, ...VALKEY_TEST_SETTINGS };
  const req = (epoch: number): ValkeyMsg => ({ type: "authReq", hdr: { currentEpoch: epoch, configEpoch: 0, primaryOf: 0, offset: 0, slots: [0, 1] } satisfies Header });

  it("votes once per epoch, and only after lastVoteEpoch is fsynced", () => {
    const env = new FakeEnv(3);
    const n = new ValkeyNode(env, topo, opts, null, 1_000_000);
    n.view.fail[0] = 1; // the requester's primary is FAIL here
    n.onMessage(1, req(1), 1_100_000);
    expect(n.lastVoteEpoch).toBe(1);
    const save = env.persisted.at(-1)!;
    expect(save.sync).toBe(true);
    expect(save.records[0]).toMatchObject({ t: "conf", lastVoteEpoch: 1 });
    expect(env.sent.filter((s) => s.msg.type === "authAck")).toEqual([]);
    n.onPersisted(env.persisted.length, 1_200_000);
    expect(env.sent.filter((s) => s.msg.type === "authAck").map((s) => s.to)).toEqual([1]);
    n.onMessage(2, req(1), 1_300_000); // the sibling, same epoch: refused
    n.onPersisted(env.persisted.length + 5, 1_400_000);
    expect(env.sent.filter((s) => s.msg.type === "authAck").map((s) => s.to)).toEqual([1]);
  });

  it("remembers its vote across a restart", () => {
    const env = new FakeEnv(3);
    const n = new ValkeyNode(env, topo, opts, null, 1_000_000);
    n.view.fail[0] = 1;
    n.onMessage(1, req(1), 1_100_000);
    const records = env.persisted.flatMap((p) => p.records);
    const env2 = new FakeEnv(3);
    const m = new ValkeyNode(env2, topo, opts, { records, corruptFrom: records.length }, 2_000_000);
    m.view.fail[0] = 1;
    m.onMessage(2, req(1), 2_100_000);
    m.onPersisted(100, 2_200_000);
    expect(m.lastVoteEpoch).toBe(1);
    expect(env2.sent.filter((s) => s.msg.type === "authAck")).toEqual([]);
  });
});
