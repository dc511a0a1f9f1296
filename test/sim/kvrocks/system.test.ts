// The kvrocks-controller system: a calm run per engine, and a small sweep of the default swarm
// with every fix on.
import { describe, expect, it } from "vitest";
import { runSystem } from "../../../src/sim/runner/run.js";
import { getSystem } from "../../../src/sim/systems/index.js";

const sys = getSystem("kvrocks-controller");

describe("kvrocks-controller", () => {
  for (const engine of ["embedded", "external"]) {
    it(`calm run (${engine}): ok, a leader acts, no failover`, () => {
      const r = runSystem(sys, { seed: 1, timeUs: 30_000_000, faults: [], options: { engine } });
      expect(r.verdict, r.message ?? "").toBe("ok");
      const k = r.details.kvrocks as Record<string, number>;
      expect(k.failovers).toBe(0);
      expect(k.metadataOps).toBeGreaterThan(3);
      expect(k.clientOps).toBeGreaterThan(100);
    });
  }
});
