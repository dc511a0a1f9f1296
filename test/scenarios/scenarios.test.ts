// CI for the shipped scenarios: every file in scenarios/ loads, validates, is named after its
// file, and meets its `expect` on a few of its seeds (the first two and the last).
import { describe, expect, it } from "vitest";
import { runFigure16 } from "../../src/sim/systems/raft-metadata/experiments/figure16.js";
import { loadScenarioRef, scenarioBlock, scenarioExperiment, shippedScenarioFiles } from "../../src/api/scenarios.js";
import { runSystem } from "../../src/sim/runner/run.js";
import { getSystem } from "../../src/sim/systems/index.js";
import { judge, scenarioRunOptions } from "../../src/sim/scenario/index.js";

const shipped = shippedScenarioFiles();

function ciSeeds(seeds: readonly number[]): number[] {
  return [...new Set([seeds[0], seeds[1] ?? seeds[0], seeds[seeds.length - 1]])];
}

describe("shipped scenarios", () => {
  it("there are at least 12, with names, descriptions and seeds", () => {
    expect(shipped.length).toBeGreaterThanOrEqual(12);
    for (const { name } of shipped) {
      const { scenario } = loadScenarioRef(name);
      expect(scenario.name).toBe(name);
      expect(scenario.description.length, name).toBeGreaterThan(20);
      expect(scenario.seeds.length, name).toBeGreaterThan(0);
    }
  });

  it("cover each expectation and the design-validation bugs", () => {
    const all = shipped.map((s) => loadScenarioRef(s.name).scenario);
    expect(all.some((s) => s.expect === "violation" && s.bugs.includes("stale-local-read"))).toBe(true);
    expect(all.some((s) => s.expect === "violation" && s.bugs.includes("no-session-dedup"))).toBe(true);
    expect(all.some((s) => "swarm" in s.faults)).toBe(true);
  });

  for (const { name } of shipped) {
    const { scenario } = loadScenarioRef(name);
    const e = scenarioExperiment(scenario);
    if (e !== undefined) {
      // A measurement: run it small and check the table is complete and sane.
      it(`${name}: experiment runs and fills its table`, () => {
        const t = runFigure16({ trials: 3, seed: e.seed, latencyMedianUs: e.latencyUs, latencySigma: e.jitter, fsyncMedianUs: e.fsyncUs });
        expect(t.rows.length).toBeGreaterThanOrEqual(10);
        for (const row of t.rows) expect(row.trials, row.range).toBeGreaterThan(0);
      });
      continue;
    }
    for (const seed of ciSeeds(scenario.seeds)) {
      it(`${name} seed ${seed}: ${scenario.expect}`, () => {
        const r = runSystem(getSystem(scenario.system), scenarioRunOptions(scenario, scenarioBlock(scenario), seed));
        const j = judge(scenario.expect, r.verdict);
        expect(j.met, `${j.message}${r.message ? ` (${r.message})` : ""} — replay: raftsim run --scenario ${name} --seed ${seed}`).toBe(true);
        expect(r.scenario).toBe(name);
        // A violation must come from a checker or the system under test, never from the
        // simulator rejecting the scenario's own input (src/sim assertions).
        if (r.verdict === "violation") expect(r.message ?? "").not.toMatch(/^AssertionError/);
      });
    }
  }
});
