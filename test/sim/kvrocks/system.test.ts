// The kvrocks-controller system end to end: calm runs on both engines, a sweep of the default
// swarm with every fix on (no violation), the compare contract, and checks that must fail.
import { describe, expect, it } from "vitest";
import { runSystem } from "../../../src/sim/runner/run.js";
import { getSystem } from "../../../src/sim/systems/index.js";

const sys = getSystem("kvrocks-controller");
const S = 1_000_000;

describe("kvrocks-controller", () => {
  for (const engine of ["embedded", "external"]) {
    it(`calm run (${engine}): ok, a leader acts, no failover, no split brain`, () => {
      const r = runSystem(sys, { seed: 1, timeUs: 30 * S, faults: [], options: { engine } });
      expect(r.verdict, r.message ?? "").toBe("ok");
      const k = r.details.kvrocks as Record<string, number>;
      expect(k.failovers).toBe(0);
      expect(k.splitBrainEvents).toBe(0);
      expect(k.dualWritableMs).toBe(0);
      expect(k.metadataOps).toBeGreaterThan(3);
      expect(k.clientOps).toBeGreaterThan(100);
    });
  }

  it("a killed master is failed over (embedded): the replica with the largest offset, version 2", () => {
    const r = runSystem(sys, { seed: 3, timeUs: 60 * S, faults: [{ at: 20 * S, kind: "crash", node: 3 }, { at: 50 * S, kind: "heal-all" }] });
    expect(r.verdict, r.message ?? "").toBe("ok");
    const k = r.details.kvrocks as Record<string, number>;
    expect(k.failovers).toBe(1);
    expect(k.failoverP50Ms).toBeGreaterThan(12_000);
    expect(k.failoverP50Ms).toBeLessThan(25_000);
  });

  it("sweep: 200 seeds of the default swarm with every fix on, 0 violations (embedded and external)", () => {
    const bad: string[] = [];
    for (let seed = 1; seed <= 200; seed++) {
      const engine = seed % 2 === 0 ? "embedded" : "external";
      const r = runSystem(sys, { seed, timeUs: 30 * S, options: { engine } });
      if (r.verdict !== "ok") bad.push(`${engine} seed ${seed}: ${r.verdict} ${r.message}`);
    }
    expect(bad).toEqual([]);
  }, 120_000);

  it("P-FO4 must fail: masters holding a longer lease than the controllers reckon with write beside their successor", () => {
    // The master of shard 0 is cut from every controller (not from the clients): it is failed
    // over after 5 misses; its lease (60 s here) outlives the controllers' 8 s arithmetic.
    const cut = [0, 1, 2].flatMap((c) => [{ at: 20 * S, kind: "cut-one-way", from: c, to: 3 }, { at: 20 * S, kind: "cut-one-way", from: 3, to: c }]);
    const r = runSystem(sys, { seed: 1, timeUs: 80 * S, faults: [...cut, { at: 70 * S, kind: "heal-all" }], options: { dataLeaseUs: 60 * S } });
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^P-FO4/);
    const ok = runSystem(sys, { seed: 1, timeUs: 80 * S, faults: [...cut, { at: 70 * S, kind: "heal-all" }] });
    expect(ok.verdict, ok.message ?? "").toBe("ok");
    expect((ok.details.kvrocks as Record<string, number>).failovers).toBe(1);
  });

  it("without the lease the same cut gives a measured dual-writable window, not a violation", () => {
    const cut = [0, 1, 2].flatMap((c) => [{ at: 20 * S, kind: "cut-one-way", from: c, to: 3 }, { at: 20 * S, kind: "cut-one-way", from: 3, to: c }]);
    const r = runSystem(sys, { seed: 1, timeUs: 80 * S, faults: [...cut, { at: 70 * S, kind: "heal-all" }], options: { fixes: ["votes", "quorumCheck", "demote", "casUpdate"] } });
    expect(r.verdict, r.message ?? "").toBe("ok");
    expect((r.details.kvrocks as Record<string, number>).dualWritableMs).toBeGreaterThan(1000);
  });

  it("is deterministic: the same seed gives the same trace hash (both engines)", () => {
    for (const engine of ["embedded", "external"]) {
      const a = runSystem(sys, { seed: 7, timeUs: 40 * S, options: { engine } });
      const b = runSystem(sys, { seed: 7, timeUs: 40 * S, options: { engine } });
      expect(a.traceHash).toBe(b.traceHash);
      expect(a.stats.events).toBe(b.stats.events);
    }
  });

  it("offers variants and compare columns", () => {
    expect(sys.variants!.map((v) => v.name)).toEqual(expect.arrayContaining(["embedded", "embedded-readindex", "external"]));
    const r = runSystem(sys, { seed: 2, timeUs: 30 * S, faults: [] });
    const m = sys.compareMetrics!(r.details);
    expect(Object.keys(m)).toEqual(expect.arrayContaining(["splitBrainEvents", "stalePushes", "failoverP50Ms", "unavailabilityMs", "metadataViolations", "lostAckedWrites"]));
    expect(m.splitBrainEvents).toBe(0);
  });

  it("clear errors for bad options", () => {
    expect(() => runSystem(sys, { seed: 1, timeUs: 10 * S, options: { engine: "zookeeper" } })).toThrow(/option engine: unknown engine "zookeeper"/);
    expect(() => runSystem(sys, { seed: 1, timeUs: 10 * S, options: { fixes: ["votes", "magic"] } })).toThrow(/option fixes: unknown fix "magic"/);
    expect(() => runSystem(sys, { seed: 1, timeUs: 10 * S, servers: 9 })).toThrow(/option servers/);
  });
});
