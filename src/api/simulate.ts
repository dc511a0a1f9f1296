// One checked run of any registered system, timed on the wall clock (the host layer may read
// clocks; src/sim may not). What `raftsim run` and `raftsim replay` call.
import type { FaultAction } from "../sim/faults/kinds.js";
import { runSystem, type RunOptions, type RunResult } from "../sim/runner/run.js";
import type { System } from "../sim/runner/system.js";
import { scenarioRunOptions, type Scenario } from "../sim/scenario/index.js";
import { scenarioBlock } from "./scenarios.js";
import { DEFAULT_SYSTEM, getSystem, resolveBugs, resolveDetector } from "./systems.js";

export type { RunResult } from "../sim/runner/run.js";

export interface SimulateOptions {
  /** A registered system by name (default raft-metadata), or a System object of your own. */
  readonly system?: string | System;
  readonly seed: number;
  readonly timeUs: number;
  readonly bugs?: readonly string[];
  /** false: the system's own assertions are off, only the harness's checks judge (default true). */
  readonly sutAsserts?: boolean;
  readonly everyFamily?: boolean;
  readonly keepTrace?: boolean;
  /** A scenario; its seed is `seed`, `timeUs` overrides its time. It names its own system. */
  readonly scenario?: Scenario;
  /** An explicit fault schedule (virtual µs) instead of the swarm's; the runner appends a
   * heal-all at the start of the liveness window unless the schedule has one. */
  readonly faults?: readonly FaultAction[];
  /** Fault families the swarm may draw from (default: all the system's). */
  readonly families?: readonly string[];
  readonly servers?: number;
  readonly clients?: number;
  /** The detector family (systems with detectors: failover); becomes its options' `detector`. */
  readonly detector?: string;
  /** System options laid over the run's own (a shallow merge, after `detector`): a compare
   * variant's options (`--system-options`). */
  readonly systemOptions?: Readonly<Record<string, unknown>>;
  /** Pass-through for tests and debugging (see RunOptions.inspect). */
  readonly inspect?: RunOptions["inspect"];
  /** Instants (virtual µs) to snapshot every node at (RunResult.snapshots; `replay --at`). */
  readonly at?: readonly number[];
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
  const asked = typeof o.system === "object" ? o.system.name : o.system;
  if (o.scenario !== undefined && asked !== undefined && asked !== o.scenario.system) throw new ScenarioSystemError(o.scenario.name, o.scenario.system, asked);
  const name = o.scenario?.system ?? asked ?? DEFAULT_SYSTEM;
  const system = typeof o.system === "object" ? o.system : getSystem(name);
  const bugs = resolveBugs(system, o.bugs ?? []);
  const at: Partial<RunOptions> = o.at !== undefined ? { snapshotsAt: o.at } : {};
  const withDetector = (opts: unknown): unknown => {
    const d = o.detector === undefined ? opts : { ...(opts as object | undefined), detector: resolveDetector(system, o.detector) };
    return o.systemOptions === undefined ? d : { ...(d as object | undefined), ...o.systemOptions };
  };
  const hasOptions = o.detector !== undefined || o.systemOptions !== undefined;
  if (o.scenario !== undefined) {
    const s = scenarioRunOptions(o.scenario, scenarioBlock(o.scenario), o.seed, { timeUs: o.timeUs, extraBugs: bugs, keepTrace: o.keepTrace });
    return { system: name, options: { ...s, ...(hasOptions ? { options: withDetector(s.options) } : {}), inspect: o.inspect, ...at, ...(o.sutAsserts === false ? { sutAsserts: false } : {}) } };
  }
  const extra: Partial<RunOptions> = {
    ...at,
    ...(o.faults !== undefined ? { faults: o.faults } : {}),
    ...(o.families !== undefined ? { families: o.families } : {}),
    ...(o.servers !== undefined ? { servers: o.servers } : {}),
    ...(o.clients !== undefined ? { clients: o.clients } : {}),
    ...(o.sutAsserts === false ? { sutAsserts: false } : {}),
    ...(hasOptions ? { options: withDetector(undefined) } : {}),
  };
  return { system: name, options: { seed: o.seed, timeUs: o.timeUs, bugs, everyFamily: o.everyFamily, keepTrace: o.keepTrace, scenarioName: null, inspect: o.inspect, ...extra } };
}

/** One run of a system: the runner's full result (trace, history, ...) and its wall time. */
export function simulate(o: SimulateOptions): TimedRun {
  const { system, options } = runOptionsFor(o);
  const sys = typeof o.system === "object" ? o.system : getSystem(system);
  const t0 = process.hrtime.bigint();
  const result = runSystem(sys, options);
  return { result, wallMs: Number(process.hrtime.bigint() - t0) / 1e6 };
}
