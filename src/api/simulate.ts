// One checked run of any registered system, timed on the wall clock (the host layer may read
// clocks; src/sim may not). What `raftsim run` and `raftsim replay` call.
import { clusterRunOptions } from "../sim/systems/raft-metadata/run.js";
import { runSystem, type RunOptions, type RunResult } from "../sim/runner/run.js";
import { scenarioRunOptions, type Scenario } from "../sim/scenario/index.js";
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
  /** A scenario (raft-metadata's file format); its seed is `seed`, `timeUs` overrides its time. */
  readonly scenario?: Scenario;
  /** Pass-through for tests and debugging (see RunOptions.inspect). */
  readonly inspect?: RunOptions["inspect"];
}

export interface TimedRun {
  readonly result: RunResult;
  readonly wallMs: number;
}

export class ScenarioSystemError extends Error {
  constructor(system: string) {
    super(`scenario files describe raft-metadata runs today; --system ${system} cannot run one (run it without --scenario)`);
    this.name = "ScenarioSystemError";
  }
}

/** The generic runner's options for one run (plain data, so a sweep worker can rebuild it). */
export function runOptionsFor(o: SimulateOptions): { system: string; options: RunOptions } {
  const name = o.system ?? DEFAULT_SYSTEM;
  const system = getSystem(name);
  const bugs = resolveBugs(system, o.bugs ?? []);
  if (o.scenario !== undefined) {
    if (name !== "raft-metadata") throw new ScenarioSystemError(name);
    return { system: name, options: { ...clusterRunOptions(scenarioRunOptions(o.scenario, o.seed, { timeUs: o.timeUs, extraBugs: bugs as never, keepTrace: o.keepTrace })), inspect: o.inspect } };
  }
  return { system: name, options: { seed: o.seed, timeUs: o.timeUs, bugs, everyFamily: o.everyFamily, keepTrace: o.keepTrace, scenarioName: null, inspect: o.inspect } };
}

export function simulate(o: SimulateOptions): TimedRun {
  const { system, options } = runOptionsFor(o);
  const t0 = process.hrtime.bigint();
  const result = runSystem(getSystem(system), options);
  return { result, wallMs: Number(process.hrtime.bigint() - t0) / 1e6 };
}
