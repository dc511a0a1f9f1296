// The failover system's QoS, availability and traffic measurements on hand-made timelines:
// each case has exact numbers worked out by hand (times in µs, results in ms).
import { describe, expect, it } from "vitest";
import { dist, PairQos, percentile, ShardAvailability, Traffic, valkeyWireBytes, WIRE } from "../../../src/sim/systems/failover/metrics.js";
import type { ValkeyMsg } from "../../../src/impl/failover/valkey/types.js";

const MS = 1000;
const S = 1_000_000;

describe("PairQos (Chen-Toueg-Aguilera per pair)", () => {
  it("no suspicion: P_A 1 on every pair, no mistakes, no T_MR or T_M", () => {
    const q = new PairQos(3);
    q.finish(10 * S);
    const r = q.result();
    expect(r.mistakes).toBe(0);
    expect(r.pa).toEqual({ pairs: 6, min: 1, p1: 1, p50: 1 });
    expect(r.tmrMs.n).toBe(0);
    expect(r.tmMs.n).toBe(0);
    expect(r.observedPairHours).toBeCloseTo((6 * 10) / 3600, 3);
  });

  it("two mistakes of p=0 about q=1: T_MR 4000 ms, T_M 1000 and 500 ms, P_A = 8.5/10", () => {
    const q = new PairQos(2);
    q.suspect(0, 1, true, 1 * S); // S-transition
    q.suspect(0, 1, true, 1.5 * S); // repeat (FAIL after PFAIL): ignored
    q.suspect(0, 1, false, 2 * S); // T: T_M = 1 s
    q.suspect(0, 1, true, 5 * S); // S: T_MR = 4 s
    q.suspect(0, 1, false, 5.5 * S); // T: T_M = 0.5 s
    q.finish(10 * S);
    const r = q.result();
    expect(r.mistakes).toBe(2);
    expect(r.strictMistakes).toBe(2);
    expect(r.censored).toBe(0);
    expect(r.tmrMs).toEqual({ n: 1, p50: 4000, p99: 4000, max: 4000 });
    expect(r.tmMs).toEqual({ n: 2, p50: 500, p99: 1000, max: 1000 });
    // Pair (0,1): suspected 1.5 s of 10 s; pair (1,0): always trusted.
    expect(r.pa.min).toBe(0.85);
    expect(r.pa.p50).toBe(0.85);
    expect(q.paPerPair().sort()).toEqual([0.85, 1]);
    // 2 mistakes over 20 s of pair time = 360 per pair-hour.
    expect(r.mistakesPerPairHour).toBe(360);
  });

  it("suspecting a crashed target is no mistake; the lag after its restart is left out of P_A", () => {
    const q = new PairQos(2);
    q.down(1, 2 * S); // q=1 crashes at 2 s
    q.suspect(0, 1, true, 5 * S); // detection: not a mistake
    q.restart(1, 6 * S); // back at 6 s, 0 still suspects it
    q.suspect(0, 1, false, 7 * S); // 0 trusts it again at 7 s: observed from here
    q.suspect(0, 1, true, 8 * S); // a real mistake
    q.suspect(0, 1, false, 8.25 * S);
    q.finish(10 * S);
    const r = q.result();
    expect(r.mistakes).toBe(1);
    expect(r.tmMs).toEqual({ n: 1, p50: 250, p99: 250, max: 250 });
    expect(r.tmrMs.n).toBe(0);
    // Pair (0,1): observed [0,2) trusted + [7,10) with 0.25 s suspected: 4.75 / 5.
    // Pair (1,0): observed [0,2) and [6,10) (1 restarts trusting everyone): 6 / 6.
    expect(q.paPerPair()).toEqual([0.95, 1]);
  });

  it("a mistake open when the target crashes or the run ends is censored (no T_M), and a crash breaks the T_MR chain", () => {
    const q = new PairQos(2);
    q.suspect(0, 1, true, 1 * S);
    q.down(1, 2 * S); // open mistake censored
    q.restart(1, 3 * S); // 0 still suspects 1: not observed until it trusts
    q.suspect(0, 1, false, 4 * S);
    q.suspect(0, 1, true, 6 * S); // second mistake: no T_MR sample (the chain broke at the crash)
    q.finish(7 * S); // open: censored
    const r = q.result();
    expect(r.mistakes).toBe(2);
    expect(r.censored).toBe(2);
    expect(r.tmMs.n).toBe(0);
    expect(r.tmrMs.n).toBe(0);
    // Pair (0,1): [0,2): 1 s trusted of 2; [4,7): 2 s of 3 -> 3/5.
    expect(q.paPerPair()[0]).toBe(0.6);
  });

  it("an observer that crashes loses its views; restarted, it observes at once", () => {
    const q = new PairQos(2);
    q.suspect(0, 1, true, 1 * S);
    q.down(0, 2 * S); // open mistake censored; 0's view of 1 is gone
    q.restart(0, 4 * S);
    q.suspect(0, 1, true, 5 * S); // a new S-transition from a fresh view: a mistake
    q.suspect(0, 1, false, 6 * S);
    q.finish(8 * S);
    const r = q.result();
    expect(r.mistakes).toBe(2);
    expect(r.censored).toBe(1);
    expect(r.tmMs).toEqual({ n: 1, p50: 1000, p99: 1000, max: 1000 });
    // (0,1): [0,2) 1 of 2 trusted, [4,8) 3 of 4 -> 4/6; (1,0): [0,2) and [4,8) all trusted.
    expect(q.paPerPair()).toEqual([4 / 6, 1]);
  });

  it("a mistake about a paused or cut-off target is excusable: counted, but not strict", () => {
    const q = new PairQos(2);
    q.suspect(0, 1, true, 1 * S, true);
    q.suspect(0, 1, false, 2 * S);
    q.suspect(0, 1, true, 3 * S);
    q.finish(4 * S);
    const r = q.result();
    expect(r.mistakes).toBe(2);
    expect(r.strictMistakes).toBe(1);
  });
});

describe("ShardAvailability", () => {
  it("counts from the first available instant; episodes and per-shard totals are exact", () => {
    const a = new ShardAvailability(2);
    a.set(0, false, 0); // before the shard was ever available: not an outage
    a.set(0, true, 1 * S);
    a.set(1, true, 1 * S);
    a.set(0, false, 3 * S);
    a.set(0, false, 3.5 * S); // still down: no new episode
    a.set(0, true, 4.5 * S); // 1.5 s
    a.set(0, false, 9 * S); // open at the end: 1 s
    a.finish(10 * S);
    const r = a.result();
    expect(r.perShardMs).toEqual([2500, 0]);
    expect(r.episodeMs).toEqual({ n: 2, p50: 1000, p99: 1500, max: 1500 });
    expect(r.shardMs).toEqual({ n: 2, p50: 0, p99: 2500, max: 2500 });
  });
});

describe("wire sizes and traffic", () => {
  const hdr = { currentEpoch: 1, configEpoch: 1, primaryOf: -1, offset: 0, slots: [] };
  it("follows Valkey's clusterMsg layout", () => {
    expect(valkeyWireBytes({ type: "ping", hdr, gossip: [{ node: 1, flags: 0 }, { node: 2, flags: 0 }, { node: 3, flags: 0 }] } as ValkeyMsg)).toBe(2256 + 3 * 104 + 48);
    expect(valkeyWireBytes({ type: "fail", hdr, node: 3 } as ValkeyMsg)).toBe(2296);
    expect(valkeyWireBytes({ type: "authAck", hdr } as ValkeyMsg)).toBe(2256);
    expect(valkeyWireBytes({ type: "update", hdr, node: 1, configEpoch: 2, slots: [] } as ValkeyMsg)).toBe(2256 + 2096);
    // *3\r\n $6\r\nAPPEND\r\n $1\r\na\r\n $3\r\nx1,\r\n
    expect(valkeyWireBytes({ type: "repl", from: 0, key: "a", token: "x1," } as ValkeyMsg)).toBe(4 + 12 + 7 + 9);
    expect(valkeyWireBytes({ type: "fd", m: { k: 1, seq: 1 } } as ValkeyMsg)).toBe(WIRE.fdMessage);
  });

  it("rates per node per second, control plane apart from replication", () => {
    const t = new Traffic(2);
    for (let i = 0; i < 10; i++) t.onSend(0, { type: "authAck", hdr } as ValkeyMsg);
    t.onSend(1, { type: "repl", from: 1, key: "a", token: "x1," } as ValkeyMsg);
    const r = t.result(2 * S);
    expect(r.msgsPerNodeS).toEqual({ n: 2, p50: 0.5, p99: 5, max: 5 });
    expect(r.controlMsgsPerNodeS).toEqual({ n: 2, p50: 0, p99: 5, max: 5 });
    expect(r.bytesPerNodeS.max).toBe(11280);
    expect(r.bytesPerNodeS.p50).toBe(16);
  });
});

describe("dist", () => {
  it("nearest-rank median and p99, max; µs to ms", () => {
    const xs = Array.from({ length: 100 }, (_, i) => (i + 1) * MS);
    expect(dist(xs, 1000)).toEqual({ n: 100, p50: 50, p99: 99, max: 100 });
    expect(dist([], 1000)).toEqual({ n: 0, p50: null, p99: null, max: null });
    expect(percentile([3, 1, 2], 50)).toBe(2);
  });
});
