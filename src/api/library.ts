// simulate and replay as library users call them: one run, with the object `raftsim run --json`
// (`replay --json`) prints, next to the runner's full result.
import type { RunResult } from "../sim/runner/run.js";
import { replayLine } from "./replay.js";
import { runOptionsFor, simulate as timedRun, type SimulateOptions } from "./simulate.js";
import { runSummary, type RunSummary } from "./summary.js";

export interface SimulationOptions extends SimulateOptions {
  /** How the scenario was named (a name or a path), for the replay line. */
  readonly scenarioRef?: string;
}

export interface Simulation {
  /** What `raftsim run --json` prints for this run. */
  readonly summary: RunSummary;
  /** The runner's result: trace, history operations, the schedule that ran, system details. */
  readonly result: RunResult;
  readonly wallMs: number;
}

/** One run of a system on a seed: `raftsim run` as a function. */
export function simulate(o: SimulationOptions): Simulation {
  const { system, options } = runOptionsFor(o);
  const r = timedRun(o);
  const bugs = [...new Set([...(o.scenario?.bugs ?? []), ...(o.bugs ?? [])])];
  const replay = replayLine(
    { system, seed: o.seed, timeUs: o.timeUs, scenarioRef: o.scenarioRef, bugs: o.bugs ?? [], everyFault: o.everyFamily ?? false, ...(options.faults !== undefined && o.scenario === undefined ? { faults: options.faults } : {}) },
    r.result.traceHash,
  );
  const scenario = o.scenario === undefined ? undefined : { file: o.scenarioRef ?? o.scenario.name, expect: o.scenario.expect, expectationMet: o.scenario.expect === r.result.verdict };
  return { summary: runSummary(r, { bugs, replay, scenario }), result: r.result, wallMs: r.wallMs };
}

export interface ReplayOptions extends SimulationOptions {
  /** The trace hash the original run printed; the rerun must match it. */
  readonly expectHash?: string;
}

export interface Replay extends Simulation {
  /** True when no hash was asked for, or the rerun's trace hash is the one asked for. */
  readonly match: boolean;
}

/** Rerun a seed exactly (`raftsim replay` as a function): the summary carries expectedHash and
 * match, as `raftsim replay --json` prints them. */
export function replay(o: ReplayOptions): Replay {
  const s = simulate(o);
  const want = o.expectHash?.toLowerCase();
  const match = want === undefined || want === s.result.traceHash;
  return { ...s, summary: { ...s.summary, expectedHash: want ?? null, match }, match };
}
