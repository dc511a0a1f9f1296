// Membership at the cluster level: Engula's bootstrap / join / list flow, churn as a fault
// (interleaved with crashes, partitions and restores) with zero violations, and determinism.
import { describe, expect, it } from "vitest";
import { runCluster } from "../../../src/sim/systems/raft-metadata/run.js";
import type { FaultAction } from "../../../src/sim/faults/index.js";

describe("membership (cluster)", () => {
  it("bootstraps a universe on server 0 and joins four servers through non-leaders: 5 voters", () => {
    for (const seed of [1, 2, 3]) {
      const r = runCluster({ seed, timeUs: 4_000_000, faults: [], membership: { initialVoters: 5, bootstrap: true } });
      expect(r.verdict, r.message ?? "").toBe("ok");
      expect(r.members, `seed ${seed}`).not.toBeNull();
      expect([...r.members!.voters].sort()).toEqual([0, 1, 2, 3, 4]);
      expect(r.members!.learners).toEqual([]);
      // Servers 2..4 joined through server 1..3 (not the leader at the time): redirected.
      expect(r.joinRedirects).toBeGreaterThan(0);
    }
  });

  it("spares start outside the configuration and join when the operator says", () => {
    const faults: FaultAction[] = [
      { at: 1_000_000, kind: "member-add", node: 3, via: 1, tries: 20 },
      { at: 1_500_000, kind: "member-add", node: 4, via: 3, tries: 20 },
    ];
    const r = runCluster({ seed: 7, timeUs: 5_000_000, faults, membership: { initialVoters: 3, bootstrap: false } });
    expect(r.verdict, r.message ?? "").toBe("ok");
    expect([...r.members!.voters].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it("a spare that nobody adds stays out, and the cluster of the others is live", () => {
    const r = runCluster({ seed: 3, timeUs: 3_000_000, faults: [], membership: { initialVoters: 3, bootstrap: false } });
    expect(r.verdict, r.message ?? "").toBe("ok");
    expect([...r.members!.voters].sort()).toEqual([0, 1, 2]);
  });

  it("membership churn with crashes, partitions, restores and timed faults: zero violations", () => {
    for (let seed = 1; seed <= 16; seed++) {
      const r = runCluster({ seed, timeUs: 8_000_000, families: ["membership", "crash", "partition", "timed"], everyFamily: true });
      expect(r.families).toContain("membership");
      expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
    }
  });

  it("is deterministic: same seed, same trace hash", () => {
    const o = { seed: 5, timeUs: 4_000_000, families: ["membership", "crash"] as const, everyFamily: true };
    expect(runCluster({ ...o, families: [...o.families] }).traceHash).toBe(runCluster({ ...o, families: [...o.families] }).traceHash);
  });
});
