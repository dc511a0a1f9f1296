// The runs of the mutation sweep (`npm run mutation`, stryker.config.mjs): which seeds, which
// scenarios, and the one judgement of each run. Every run has the system's own assertions off
// (`sutAsserts: false`), so a mutant is killed by the harness — an invariant observer, an end
// check, the linearizability check, the liveness window — or by the run crashing or hanging
// (a TypeError, the event budget), never by an assertion inside the code under test.
//
// Knobs (environment): MUTATION_SEEDS (default 200) swarm seeds 1..N of the default swarm;
// MUTATION_EVERY_FAULT (default N/4) seeds 1..M with every fault family on; MUTATION_SCENARIO_SEEDS
// (default 3) the first K seeds of every shipped raft-metadata scenario that expects ok and
// plants no bug; MUTATION_TIME_S (default 10) simulated seconds per swarm seed;
// MUTATION_ONLINE_CHECKS (default all) raft-metadata's onlineChecks for every run: `starting`
// or `none` measure what the score would be with only the checks raft-metadata had when issue
// 12 began, or with the history check alone (what the sweep-speed bar's like-for-like reading
// would keep; bench/speed-bar.ts measures their speed); MUTATION_REGRESSION (default 1; 0: none)
// the long sweeps' seeds (docs/long-sweeps.md), each in the mode it failed in: states the
// 200-seed sweep seldom reaches (a follower restored from a backup that lost acknowledged
// entries, a voter-alone leader with its disk stalled, pipelines one entry wide), where a rule
// was wrong once or a bug hid.
import { loadScenarioFile, shippedScenarioFiles, scenarioExperiment } from "../../src/api/scenarios.js";
import { simulate } from "../../src/api/simulate.js";
import type { RunResult } from "../../src/sim/runner/run.js";

export interface MutationCase {
  /** The test's name. Bracketed: Stryker selects tests by an unanchored name pattern, so no
   * name may be a substring of another. */
  readonly name: string;
  readonly run: () => RunResult;
}

const intEnv = (name: string, dflt: number): number => {
  const v = process.env[name];
  if (v === undefined || v === "") return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${v}`);
  return n;
};

export interface MutationPlan {
  readonly seeds: number;
  readonly everyFault: number;
  readonly scenarioSeeds: number;
  readonly timeUs: number;
  /** Run the long sweeps' regression seeds too (REGRESSION_SEEDS). */
  readonly regression?: boolean;
  /** raft-metadata's onlineChecks for every run (undefined: the system's default, all). */
  readonly onlineChecks?: "all" | "starting" | "none";
}

export function mutationPlan(): MutationPlan {
  const seeds = intEnv("MUTATION_SEEDS", 200);
  return {
    seeds,
    everyFault: intEnv("MUTATION_EVERY_FAULT", Math.floor(seeds / 4)),
    scenarioSeeds: intEnv("MUTATION_SCENARIO_SEEDS", 3),
    timeUs: intEnv("MUTATION_TIME_S", 10) * 1_000_000,
    regression: intEnv("MUTATION_REGRESSION", 1) > 0,
    ...onlineChecksEnv(),
  };
}

function onlineChecksEnv(): { onlineChecks?: "all" | "starting" | "none" } {
  const v = process.env.MUTATION_ONLINE_CHECKS;
  if (v === undefined || v === "" || v === "all") return {};
  if (v !== "starting" && v !== "none") throw new Error(`MUTATION_ONLINE_CHECKS must be all, starting or none, got ${v}`);
  return { onlineChecks: v };
}

const pad = (n: number): string => String(n).padStart(4, "0");

/** The seeds the long sweeps found failing (docs/long-sweeps.md), all fixed since, each with the
 * fault mode it failed in; 10 s runs. Two were bugs in the code under test (45483: the server's
 * apply channel clock; 61628: the leader's lost-entry probing), the rest rules or the harness
 * wrong in a rare state: a mutant that brings back a bug there, or breaks what the fixed rule
 * now leans on, is judged on the state that exposed it. */
export const REGRESSION_TIME_US = 10_000_000;

export const REGRESSION_SEEDS: readonly { readonly seed: number; readonly everyFault: boolean }[] = [
  ...[2411, 5821, 33658, 45483, 47817, 61628].map((seed) => ({ seed, everyFault: false })),
  ...[5201, 6450, 16351, 25609, 26030, 28320, 31640, 33318].map((seed) => ({ seed, everyFault: true })),
];

export function mutationCases(plan: MutationPlan = mutationPlan()): MutationCase[] {
  const cases: MutationCase[] = [];
  const systemOptions = plan.onlineChecks === undefined ? {} : { systemOptions: { onlineChecks: plan.onlineChecks } };
  for (let seed = 1; seed <= plan.seeds; seed++) {
    cases.push({ name: `[swarm ${pad(seed)}]`, run: () => simulate({ seed, timeUs: plan.timeUs, sutAsserts: false, ...systemOptions }).result });
  }
  for (let seed = 1; seed <= plan.everyFault; seed++) {
    cases.push({ name: `[every-fault ${pad(seed)}]`, run: () => simulate({ seed, timeUs: plan.timeUs, everyFamily: true, sutAsserts: false, ...systemOptions }).result });
  }
  if (plan.regression === true) {
    for (const { seed, everyFault } of REGRESSION_SEEDS) {
      // Always 10 s, the length they failed at (MUTATION_TIME_S moves the other runs only): a
      // seed's fault schedule is drawn for its run's length, so another length may not reach the state.
      cases.push({ name: `[regression ${everyFault ? "every-fault" : "swarm"} ${seed}]`, run: () => simulate({ seed, timeUs: REGRESSION_TIME_US, ...(everyFault ? { everyFamily: true } : {}), sutAsserts: false, ...systemOptions }).result });
    }
  }
  if (plan.scenarioSeeds > 0) {
    for (const { name, file } of shippedScenarioFiles()) {
      const scenario = loadScenarioFile(file);
      // Only scenarios that say the correct system passes: one that expects a violation does so
      // because of a planted bug or a broken assumption, and a mutant that hides it would count
      // as a kill that says nothing about the harness.
      if (scenario.system !== "raft-metadata" || scenario.expect !== "ok" || scenario.bugs.length > 0) continue;
      if (scenarioExperiment(scenario) !== undefined) continue;
      for (const seed of scenario.seeds.slice(0, plan.scenarioSeeds)) {
        cases.push({ name: `[scenario ${name} ${seed}]`, run: () => simulate({ scenario, seed, timeUs: scenario.timeUs, sutAsserts: false, ...systemOptions }).result });
      }
    }
  }
  return cases;
}

/** null: the run passed; otherwise why the mutant is killed. */
export function verdictProblem(r: RunResult): string | null {
  return r.verdict === "ok" ? null : `${r.verdict}: ${r.message ?? ""}`;
}
