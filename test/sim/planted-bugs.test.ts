// Each planted bug of every registered system is found by a fixed seed (found by `raftsim sweep
// --system S --bug NAME --stop-on-first`), and the same seed passes without the bug: the
// checkers catch the bug, not something else in that run. A bug may be caught by a liveness
// condition (the run does not converge after the heal) rather than a safety check.
import { describe, expect, it } from "vitest";
import { loadScenarioRef, scenarioBlock } from "../../src/api/scenarios.js";
import { runSystem, type RunOptions } from "../../src/sim/runner/run.js";
import { scenarioRunOptions } from "../../src/sim/scenario/index.js";
import { SYSTEMS } from "../../src/sim/systems/index.js";

describe("planted bugs", () => {
  it("every registered bug has a detecting seed", () => {
    for (const s of SYSTEMS) for (const b of s.bugs) expect(Number.isSafeInteger(b.detectingSeed), `${s.name}: ${b.name}`).toBe(true);
  });

  it("bug names are unique within a system", () => {
    for (const s of SYSTEMS) expect(new Set(s.bugs.map((b) => b.name)).size, s.name).toBe(s.bugs.length);
  });

  for (const system of SYSTEMS) {
    for (const bug of system.bugs) {
      it(`${system.name} ${bug.name}: seed ${bug.detectingSeed} finds it, and passes without it`, () => {
        const seed = bug.detectingSeed!;
        // A bug with a hunt scenario: that scenario's run (its options, families and time).
        let base: RunOptions = { seed, timeUs: 10_000_000 };
        if (bug.detectingScenario !== undefined) {
          const { scenario } = loadScenarioRef(bug.detectingScenario);
          base = { ...scenarioRunOptions(scenario, scenarioBlock(scenario), seed), bugs: [] };
        }
        const withBug = runSystem(system, { ...base, bugs: [bug.name] });
        // A liveness failure is a finding too (failover: a cluster that never converges, P-FD2).
        expect(["violation", "liveness"], withBug.message ?? "").toContain(withBug.verdict);
        const without = runSystem(system, base);
        expect(without.verdict, without.message ?? "").toBe("ok");
      });
    }
  }
});
