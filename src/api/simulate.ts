// One checked run of any registered system, timed on the wall clock (the host layer may read
// clocks; src/sim may not). What `raftsim run` and `raftsim replay` call.
import { runSystem, type RunOptions, type RunResult } from "../sim/runner/run.js";
import { scenarioRunOptions, type Scenario } from "../sim/scenario/index.js";
import { scenarioBlock } from "./scenarios.js";
import { DEFAULT_SYSTEM, getSystem, resolveBugs } from "./systems.js";

export type { RunResult } from "../sim/runner/run.js";

export interface SimulateOptions {
  /** A registered system (default raft-metadata). */
  readonly system?: string;
  readonly seed: number;
  readonly timeUs: number;
  readonly bugs?: readonly string[];
  readonly everyFamily?: boolean;
  readonly keepTrace?: boolean;
  /** A scenario; its seed is `seed`, `timeUs` overrides its time. It names its own system. */
  readonly scenario?: Scenario;
  /** Pass-through for tests and debugging (see RunOptions.inspect). */
  readonly inspect?: RunOptions["inspect"];
}

export interface TimedRun {
  readonly result: RunResult;
  readonly wallMs: number;
}

export class ScenarioSystemError extends Error {
  constructor(scenario: string, its: string, asked: string) {
    super(`scenario ${scenario} is a ${its} scenario; --system ${asked} does not match (leave --system out)`);
    this.name = "ScenarioSystemError";
  }
}

/** The generic runner's options for one run (plain data, so a sweep worker can rebuild it). */
export function runOptionsFor(o: SimulateOptions): { system: string; options: RunOptions } {
  if (o.scenario !== undefined && o.system !== undefined && o.system !== o.scenario.system) throw new ScenarioSystemError(o.scenario.name, o.scenario.system, o.system);
  const name = o.scenario?.system ?? o.system ?? DEFAULT_SYSTEM;
  const system = getSystem(name);
  const bugs = resolveBugs(system, o.bugs ?? []);
  if (o.scenario !== undefined) {
    return { system: name, options: { ...scenarioRunOptions(o.scenario, scenarioBlock(o.scenario), o.seed, { timeUs: o.timeUs, extraBugs: bugs, keepTrace: o.keepTrace }), inspect: o.inspect } };
  }
  return { system: name, options: { seed: o.seed, timeUs: o.timeUs, bugs, everyFamily: o.everyFamily, keepTrace: o.keepTrace, scenarioName: null, inspect: o.inspect } };
}

export function simulate(o: SimulateOptions): TimedRun {
  const { system, options } = runOptionsFor(o);
  const t0 = process.hrtime.bigint();
  const result = runSystem(getSystem(system), options);
  return { result, wallMs: Number(process.hrtime.bigint() - t0) / 1e6 };
}
