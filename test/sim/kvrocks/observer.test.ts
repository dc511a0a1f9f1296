// The kvrocks-controller observer's checks on hand-made inputs: each must fail where it should
// and pass where it should (the system tests and planted bugs exercise them in runs).
import { describe, expect, it } from "vitest";
import { KvObserver } from "../../../src/sim/systems/kvrocks-controller/observer.js";
import { ALL_FIXES, KN, encodeTopology, initialTopology, type Layout, type Topology } from "../../../src/impl/kvrocks/types.js";
import { DEFAULT_TIMING } from "../../../src/impl/kvrocks/types.js";
import { CheckFailure } from "../../../src/sim/runner/system.js";

const L: Layout = { controllers: 3, shards: 2, replicas: 2, slots: 16 };
const STORE = 9;

function fake() {
  let value: string | null = null;
  const w = {
    now: 1_000_000,
    nodes: Array.from({ length: 10 }, (_, i) => (i === STORE ? { topologyValue: () => value } : { committedValue: () => value })),
    status: new Uint8Array(10),
    net: { isCut: () => false, anyCut: false },
    localNow: () => 0,
  };
  return { w, commit: (t: Topology) => (value = encodeTopology(t)) };
}

function observer(engine: "embedded" | "external", quorumCheck = true) {
  const o = new KvObserver(L, engine, { ...ALL_FIXES, quorumCheck }, DEFAULT_TIMING, []);
  const f = fake();
  o.attach(f.w as never);
  return { o, ...f };
}

const v1 = initialTopology(L);
const v2: Topology = { version: 2, shards: [{ master: 4, replicas: [5, 3] }, v1.shards[1]!] };

describe("kvrocks-controller observer", () => {
  it("P-KC2: a push of a committed topology passes; of an uncommitted one fails", () => {
    const { o, commit } = observer("external");
    commit(v1);
    o.onNote(STORE, KN.committed, 1, 1);
    expect(() => o.onSend(0, 3, { type: "topo", epoch: 1, topo: v1 })).not.toThrow();
    expect(() => o.onSend(0, 3, { type: "topo", epoch: 1, topo: v2 })).toThrow(/P-KC2: controller 0 pushed topology version 2/);
  });

  it("P-KC2: committed versions must strictly increase with the revision", () => {
    const { o, commit } = observer("external");
    commit(v1);
    o.onNote(STORE, KN.committed, 1, 1);
    commit(v2);
    o.onNote(STORE, KN.committed, 2, 5);
    commit({ ...v2, shards: [{ master: 5, replicas: [3, 4] }, v1.shards[1]!] });
    expect(() => o.onNote(STORE, KN.committed, 2, 6)).toThrow(CheckFailure);
  });

  it("P-KC1: acting after a higher epoch was elected fails (external), is counted without the quorum check", () => {
    const { o, w } = observer("external");
    o.onSend(1, 3, { type: "grant", epoch: 3, sentAt: 0 });
    o.onNote(2, KN.leading, 7, 1);
    w.now += 1;
    expect(() => o.onSend(1, 3, { type: "grant", epoch: 3, sentAt: 0 })).toThrow(/P-KC1: controller 1 acted \(grant to 3\) with epoch 3/);
    expect(() => o.onSend(2, 3, { type: "grant", epoch: 7, sentAt: 0 })).not.toThrow();
    const off = observer("external", false);
    off.o.onNote(2, KN.leading, 7, 1);
    off.o.onSend(1, 3, { type: "probe", seq: 1, epoch: 3 });
    expect(off.o.splitBrain).toBe(1);
    // A peer's probe (epoch -1, for its vote) is not acting.
    off.o.onSend(0, 3, { type: "probe", seq: 2, epoch: -1 });
    expect(off.o.splitBrain).toBe(1);
  });

  it("P-KC1 (embedded): only a successor that started acting counts", () => {
    const { o } = observer("embedded");
    o.onNote(2, KN.leading, 7, 1);
    expect(() => o.onSend(1, 3, { type: "grant", epoch: 3, sentAt: 0 })).not.toThrow();
    o.onNote(2, KN.acting, 7, 1);
    expect(() => o.onSend(1, 3, { type: "grant", epoch: 3, sentAt: 0 })).toThrow(/P-KC1/);
  });
});
