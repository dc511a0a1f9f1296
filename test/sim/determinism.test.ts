import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { GENERIC_FAMILIES, generateSchedule, type FaultAction } from "../../src/sim/faults/index.js";
import { raftMetadata } from "../../src/sim/systems/raft-metadata/system.js";
import { Rng } from "../../src/sim/kernel/rng.js";
import { runSimulation } from "../../src/sim/systems/pingpong/run.js";

const TIME = 6_000_000; // 6 s simulated keeps the suite fast

describe("determinism", () => {
  it("any seed: two runs give the same trace hash", () => {
    fc.assert(fc.property(fc.nat({ max: 2 ** 32 - 1 }), (seed) => {
      const a = runSimulation({ seed, timeUs: TIME });
      const b = runSimulation({ seed, timeUs: TIME });
      expect(b.traceHash).toBe(a.traceHash);
      expect(b.stats).toEqual(a.stats);
      expect(a.verdict).toBe("ok");
    }), { numRuns: 25 });
  });

  it("any generated fault schedule (and any sub-schedule of it): two runs agree", () => {
    fc.assert(fc.property(fc.nat(), fc.nat(), fc.array(fc.boolean(), { maxLength: 64 }), (seed, schedSeed, keep) => {
      const g = generateSchedule(Rng.root(schedSeed), { servers: 5, healAtUs: 4_000_000, definitions: GENERIC_FAMILIES });
      const faults = g.actions.filter((_, i) => keep[i % Math.max(1, keep.length)] ?? true);
      const a = runSimulation({ seed, timeUs: TIME, faults, scenarioName: "prop" });
      const b = runSimulation({ seed, timeUs: TIME, faults, scenarioName: "prop" });
      expect(b.traceHash).toBe(a.traceHash);
      expect(a.verdict).not.toBe("violation");
    }), { numRuns: 25 });
  });

  it("different seeds give different hashes", () => {
    const hashes = new Set<string>();
    for (let s = 0; s < 20; s++) hashes.add(runSimulation({ seed: s, timeUs: 2_000_000 }).traceHash);
    expect(hashes.size).toBe(20);
  });
});

describe("nemesis", () => {
  it("generated schedules are sorted, in the fault window, and end with heal-all", () => {
    fc.assert(fc.property(fc.nat(), fc.integer({ min: 1, max: 7 }), (seed, n) => {
      const g = generateSchedule(Rng.root(seed), { servers: n, healAtUs: 20_000_000, definitions: raftMetadata.families });
      const acts = g.actions;
      expect(acts[acts.length - 1]).toEqual({ at: 20_000_000, kind: "heal-all" });
      for (let i = 1; i < acts.length; i++) expect(acts[i].at).toBeGreaterThanOrEqual(acts[i - 1].at);
      for (const a of acts.slice(0, -1)) {
        expect(a.at).toBeLessThan(20_000_000);
        if ("node" in a) expect((a.node as number) >= 0 && (a.node as number) < n).toBe(true);
      }
      expect(g.families.length).toBeGreaterThan(0);
      for (const f of g.families) expect(raftMetadata.families.map((d) => d.name)).toContain(f);
    }));
  });

  it("swarm: different seeds enable different fault families", () => {
    const sets = new Set<string>();
    for (let s = 0; s < 50; s++) sets.add(generateSchedule(Rng.root(s), { servers: 5, healAtUs: 1e7, definitions: raftMetadata.families }).families.join(","));
    expect(sets.size).toBeGreaterThan(10);
  });

  it("an explicit crash/restart scenario runs ok and gets a final heal-all appended", () => {
    // Sanity of the online checker: crash with a corrupting read loses synced data.
    const faults: FaultAction[] = [
      { at: 1_000_000, kind: "crash", node: 0 },
      { at: 1_100_000, kind: "restart", node: 0 },
    ];
    const ok = runSimulation({ seed: 1, timeUs: 3_000_000, faults, scenarioName: "crash" });
    expect(ok.verdict).toBe("ok");
    expect(ok.faults.at(-1)?.kind).toBe("heal-all");
  });
});
