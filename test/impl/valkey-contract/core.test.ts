// The Valkey-like Core (src/impl/valkey-contract/core) against a scripted module: it uses only the
// contract, so a fake module that records the Core's calls and answers them by hand shows what
// the Core does — bootstrap, no writes without a TTL, the failover CAS with the revisions read,
// the lease wait, the FENCED marker and its revert.
import { describe, expect, it } from "vitest";
import { Core, type CoreEnv } from "../../../src/impl/valkey-contract/core/core.js";
import { DEFAULT_CORE_OPTIONS, K, type CoreOptions, type CoreRep, type DataMsg } from "../../../src/impl/valkey-contract/core/types.js";
import { mintRevision, type ClusterPlan, type ClusteringModule, type Done, type MetadataOp, type UpdateResult } from "../../../src/impl/valkey-contract/contract.js";

const plan: ClusterPlan = { shards: [{ shardId: "s0", members: [0, 1, 2].map((n) => ({ nodeId: n, address: `a${n}` })) }] };
const rev = (i: number) => mintRevision({ k: "s", s: 0, i });

function harness(id: number, opts: Partial<CoreOptions> = {}) {
  const calls: { ops: readonly MetadataOp[]; done: Done<UpdateResult> }[] = [];
  const replies: CoreRep[] = [];
  const sent: { to: number; msg: DataMsg }[] = [];
  const notes: number[] = [];
  const env: CoreEnv = {
    rng: { int: (lo) => lo, float: () => 0 },
    sendData: (to, msg) => sent.push({ to, msg }),
    persist: () => 1,
    reply: (_c, r) => replies.push(r),
    note: (c) => notes.push(c),
  };
  const core = new Core(env, { id, plan, slots: 48, opts: { ...DEFAULT_CORE_OPTIONS, ...opts } }, null, 0);
  const module = {
    updateShardLog: (ops: readonly MetadataOp[], _now: number, done: Done<UpdateResult>) => calls.push({ ops, done }),
    updateGossip: (_s: unknown, _o: unknown, now: number, done: Done<UpdateResult>) => done({ kind: "ok", revisions: [rev(1)] }, now),
  } as unknown as ClusteringModule;
  core.module = module;
  return { core, calls, replies, sent, notes };
}

describe("valkey Core", () => {
  it("bootstraps its shard (the plan's first member, once OK) with one atomic insert", () => {
    const { core, calls } = harness(0);
    core.step(0);
    expect(calls).toHaveLength(0); // no TTL yet: not OK, no metadata writes
    core.clusterHeartbeat(400_000, 1_000);
    core.step(1_000);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.ops.map((o) => [o.key, o.value, o.expectedRevision])).toEqual([[K.primary, "0", null], [K.epoch, "1", null], [K.slots, "0-47", null]]);
  });

  it("accepts writes only as the shard log's primary, with a valid TTL, after the majority's data", () => {
    const { core, calls, sent, replies } = harness(0);
    core.clusterHeartbeat(400_000, 0);
    core.step(0);
    calls[0]!.done({ kind: "ok", revisions: [rev(2), rev(2), rev(2)] }, 10);
    core.notifyShardLogUpdate([{ key: K.primary, value: "0", revision: rev(2) }, { key: K.epoch, value: "1", revision: rev(2) }], 10);
    core.step(10);
    expect(sent.filter((s) => s.msg.type === "probe").map((s) => s.to)).toEqual([1, 2]);
    expect(core.writable(10)).toBe(false);
    core.onData(1, { type: "probeRep", e: 1, de: 0, offset: 0 }, 20);
    core.step(20);
    expect(core.writable(20)).toBe(true);
    expect(core.writable(400_001)).toBe(false); // the TTL ran out
    core.onClient(9, { type: "append", id: 1, key: "a", token: "x,", wait: true }, 30);
    expect(replies).toEqual([]); // WAIT: not before a majority holds it durably
    core.onPersisted(1);
    core.onData(2, { type: "ack", de: 1, offset: 1 }, 40);
    expect(replies).toEqual([{ type: "ok", id: 1 }]);
  });

  it("fails over a FAILed primary by CAS with the revisions it read, then waits 2L before serving", () => {
    const { core, calls, notes } = harness(1, { rankDelayUs: 0 });
    core.notifyShardLogUpdate([{ key: K.primary, value: "0", revision: rev(2) }, { key: K.epoch, value: "1", revision: rev(2) }], 0);
    core.clusterHeartbeat(400_000, 0);
    core.updateMembership({ shards: [{ shardId: "s0", members: [{ nodeId: 0, address: "a0", state: "FAIL" }, { nodeId: 1, address: "a1", state: "OK" }, { nodeId: 2, address: "a2", state: "OK" }] }] });
    core.step(100);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.ops).toEqual([{ key: K.primary, value: "1", expectedRevision: rev(2) }, { key: K.epoch, value: "2", expectedRevision: rev(2) }]);
    calls[0]!.done({ kind: "ok", revisions: [rev(9), rev(9)] }, 200);
    core.notifyShardLogUpdate([{ key: K.primary, value: "1", revision: rev(9) }, { key: K.epoch, value: "2", revision: rev(9) }], 200);
    core.clusterHeartbeat(400_000, 200);
    core.step(200);
    expect(core.phase).toBe("wait");
    expect(notes).toContain(1); // takeover
    core.clusterHeartbeat(400_000, 1_000_000);
    core.step(1_000_001); // 2L = 800 ms after the CAS: the probe of the majority's data
    expect(core.phase).toBe("probe");
  });

  it("a conflicting CAS is counted and retried; it does not take over", () => {
    const { core, calls, notes } = harness(1, { rankDelayUs: 0 });
    core.notifyShardLogUpdate([{ key: K.primary, value: "0", revision: rev(2) }, { key: K.epoch, value: "1", revision: rev(2) }], 0);
    core.clusterHeartbeat(400_000, 0);
    core.updateMembership({ shards: [{ shardId: "s0", members: [{ nodeId: 0, address: "a0", state: "FAIL" }] }] });
    core.step(100);
    calls[0]!.done({ kind: "conflict", failed: 0, current: rev(5) }, 150);
    expect(notes).toContain(3);
    expect(core.ownedEpoch).toBe(0);
  });

  it("manual failover: FENCED first, reverted by CAS on timeout", () => {
    const { core, calls, replies } = harness(1);
    core.notifyShardLogUpdate([{ key: K.primary, value: "0", revision: rev(2) }, { key: K.epoch, value: "1", revision: rev(2) }], 0);
    core.clusterHeartbeat(5_000_000, 0);
    core.onClient(9, { type: "failover", id: 7, force: false }, 10);
    expect(replies).toEqual([{ type: "ok", id: 7 }]);
    expect(calls[0]!.ops).toEqual([{ key: K.fenced, value: "1", expectedRevision: null }]);
    calls[0]!.done({ kind: "ok", revisions: [rev(4)] }, 20);
    core.notifyShardLogUpdate([{ key: K.fenced, value: "1", revision: rev(4) }], 20);
    core.step(30);
    expect(calls).toHaveLength(1); // waiting for the primary's final offset
    core.step(1_000_021); // manualTimeoutUs (1 s) passed
    expect(calls[1]!.ops).toEqual([{ key: K.fenced, value: null, expectedRevision: rev(4) }]);
  });

  it("a primary that sees FENCED stops accepting writes", () => {
    const { core, calls } = harness(0);
    core.clusterHeartbeat(400_000, 0);
    core.step(0);
    calls[0]!.done({ kind: "ok", revisions: [rev(2), rev(2), rev(2)] }, 10);
    core.notifyShardLogUpdate([{ key: K.primary, value: "0", revision: rev(2) }, { key: K.epoch, value: "1", revision: rev(2) }], 10);
    core.step(10);
    core.onData(1, { type: "probeRep", e: 1, de: 0, offset: 0 }, 20);
    core.step(20);
    expect(core.writable(30)).toBe(true);
    core.notifyShardLogUpdate([{ key: K.fenced, value: "1", revision: rev(5) }], 30);
    expect(core.writable(30)).toBe(false);
  });
});
