// Generated schedules keep the liveness phase fault-free: a clock strobe (expanded into jumps
// when it starts, which heal-all does not cancel) is fitted to end before the final heal.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateSchedule, GENERIC_FAMILIES } from "../../../src/sim/faults/index.js";
import { Rng } from "../../../src/sim/kernel/rng.js";

describe("swarm: clock strobes", () => {
  it("every generated strobe's last jump comes before the heal", () => {
    let strobes = 0;
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1_000_000, max: 20_000_000 }), (seed, healAtUs) => {
        const g = generateSchedule(Rng.root(seed), { servers: 5, healAtUs, definitions: GENERIC_FAMILIES, families: ["clock"], everyFamily: true });
        for (const a of g.actions) {
          if (a.kind !== "clock-strobe") continue;
          strobes++;
          const f = a as { at: number; periodUs: number; durationUs: number };
          // apply.ts expands it into n jumps, periodUs apart, n = 2 * max(1, floor(d / 2p)).
          const n = 2 * Math.max(1, Math.floor(f.durationUs / (2 * f.periodUs)));
          expect(f.at + (n - 1) * f.periodUs, JSON.stringify(a)).toBeLessThan(healAtUs);
        }
      }),
      { numRuns: 300, seed: 7 },
    );
    expect(strobes).toBeGreaterThan(50); // the property saw strobes, including ones near the heal
  });
});
