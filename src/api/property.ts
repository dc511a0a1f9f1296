// simProperty: a property test of a system under fast-check. Each run draws a seed and a fault
// schedule (faults.schedule), runs the system on them with that explicit schedule (the runner
// appends the final heal-all, then the liveness phase runs), and fails when the verdict is not
// an accepted one (or the caller's own predicate says no). fast-check then shrinks the seed and
// the schedule — to fewer, shorter faults — and the error names the seed, the schedule (JSON)
// and the exact command that reruns the failing case.
//
//   import { test } from "vitest";
//   import { simProperty } from "raftsim";
//   test("my system survives crashes", () => simProperty({ system: mySystem, numRuns: 200 }));
import fc from "fast-check";
import type { FaultAction } from "../sim/faults/kinds.js";
import { livenessWindowUs } from "../sim/runner/liveness-window.js";
import type { System } from "../sim/runner/system.js";
import type { Verdict } from "../sim/runner/verdict.js";
import { formatDuration } from "../util/duration.js";
import { faultCount, schedule, type ScheduleFamily } from "./faults.js";
import { simulate, type Simulation } from "./library.js";
import { getSystem, isBuiltinSystem } from "./systems.js";

export interface SimPropertyOptions {
  /** A system by name (built in or registered) or a System object. */
  readonly system: string | System;
  /** Planted bugs to switch on. */
  readonly bugs?: readonly string[];
  /** Simulated time per run, ms (default 10 s): faults in the first part, then the liveness window. */
  readonly timeMs?: number;
  /** What faults.schedule draws (servers: the system's default). */
  readonly faults?: { readonly families?: readonly ScheduleFamily[]; readonly maxFaults?: number; readonly maxEpisodeMs?: number };
  /** Verdicts that pass (default ["ok"]). */
  readonly accept?: readonly Verdict[];
  /** Your own check of a run that got an accepted verdict: return false or throw to fail. */
  readonly check?: (run: Simulation) => boolean | void;
  /** fast-check parameters: runs (default 100), its seed and path to replay a case. */
  readonly numRuns?: number;
  readonly fcSeed?: number;
  readonly fcPath?: string;
}

export interface SimCase {
  readonly seed: number;
  readonly schedule: FaultAction[];
}

export interface SimPropertyReport {
  readonly failed: boolean;
  /** Runs fast-check made before it stopped (the failing one included). */
  readonly numRuns: number;
  readonly numShrinks: number;
  /** The shrunk failing case. */
  readonly counterexample: SimCase | null;
  /** Faults in the shrunk schedule (episodes started: crashes, partitions, ...). */
  readonly faults: number | null;
  /** The run of the shrunk case. */
  readonly run: Simulation | null;
  /** The whole report: seed, schedule, verdict, replay command, fast-check's seed and path. */
  readonly message: string;
}

class SimFailure extends Error {}

/** Runs the property and reports (never throws for a failing property). */
export function checkSimProperty(o: SimPropertyOptions): SimPropertyReport {
  const system = typeof o.system === "string" ? getSystem(o.system) : o.system;
  const timeUs = Math.round((o.timeMs ?? 10_000) * 1000);
  const healAtUs = timeUs - livenessWindowUs(timeUs);
  const accept = o.accept ?? ["ok"];
  const arb = fc.record({
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    schedule: schedule({ servers: system.defaults.servers, durationMs: healAtUs / 1000, ...o.faults }),
  });
  const runCase = (c: SimCase): Simulation => simulate({ system, seed: c.seed, timeUs, bugs: o.bugs ?? [], faults: c.schedule });
  const prop = fc.property(arb, (c) => {
    const run = runCase(c);
    if (!accept.includes(run.result.verdict)) throw new SimFailure(`verdict ${run.result.verdict}: ${run.result.message}`);
    if (o.check !== undefined && o.check(run) === false) throw new SimFailure("the check returned false");
  });
  const d = fc.check(prop, { numRuns: o.numRuns ?? 100, ...(o.fcSeed !== undefined ? { seed: o.fcSeed } : {}), ...(o.fcPath !== undefined ? { path: o.fcPath, endOnFailure: true } : {}) });
  if (!d.failed || d.counterexample === null) {
    return { failed: d.failed, numRuns: d.numRuns, numShrinks: d.numShrinks, counterexample: null, faults: null, run: null, message: d.failed ? `simProperty: fast-check failed without a counterexample (${String(d.errorInstance)})` : "ok" };
  }
  const c = d.counterexample[0] as SimCase;
  const run = runCase(c);
  const bugs = o.bugs ?? [];
  const name = system.name;
  const builtin = isBuiltinSystem(name) && typeof o.system === "string";
  const code = `replay({ system: ${builtin ? JSON.stringify(name) : `${name === "" ? "yourSystem" : JSON.stringify(name)} /* registerSystem(it) first, or pass the System object */`}, seed: ${c.seed}, timeUs: ${timeUs}, bugs: ${JSON.stringify(bugs)}, faults: ${JSON.stringify(c.schedule)}, expectHash: ${JSON.stringify(run.result.traceHash)} })`;
  const why = d.errorInstance instanceof Error ? d.errorInstance.message : String(d.errorInstance);
  const lines = [
    `simProperty: system ${name}${bugs.length > 0 ? ` (bugs: ${bugs.join(", ")})` : ""} failed after ${d.numRuns} run${d.numRuns === 1 ? "" : "s"} (shrunk ${d.numShrinks} time${d.numShrinks === 1 ? "" : "s"})`,
    `  ${why}`,
    `  seed:     ${c.seed}`,
    `  schedule: ${faultCount(c.schedule)} fault(s), ${formatDuration(timeUs)} run, final heal at ${formatDuration(healAtUs)}`,
    `            ${JSON.stringify(c.schedule)}`,
    `  replay:   ${builtin ? run.summary.replay : code}`,
    ...(builtin ? [`  in code:  ${code}`] : []),
    `  fast-check: { seed: ${d.seed}, path: ${JSON.stringify(d.counterexamplePath)}, endOnFailure: true } (simProperty options fcSeed/fcPath)`,
  ];
  return { failed: true, numRuns: d.numRuns, numShrinks: d.numShrinks, counterexample: c, faults: faultCount(c.schedule), run, message: lines.join("\n") };
}

/** Runs the property; throws an Error whose message is the failure report. */
export function simProperty(o: SimPropertyOptions): void {
  const r = checkSimProperty(o);
  if (r.failed) throw new Error(r.message);
}
