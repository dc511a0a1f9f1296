// A scenario → the options of one run of its system (the generic runner's RunOptions), and
// whether a --time override still fits its schedule.
import type { RunOptions } from "../runner/run.js";
import { livenessWindowUs } from "../runner/liveness-window.js";
import { usToDuration } from "../../util/duration.js";
import type { Scenario, ScenarioBlock } from "./schema.js";

export { judge, type Judgement } from "../runner/verdict.js";

export interface ScenarioOverrides {
  /** Simulated time, µs (default: the scenario's). */
  readonly timeUs?: number;
  /** Planted bugs switched on in addition to the scenario's. */
  readonly extraBugs?: readonly string[];
  readonly keepTrace?: boolean;
}

/** Everything of a run but its seed: plain data, so it can go to a sweep worker as it is. */
export function scenarioBaseOptions(s: Scenario, block: ScenarioBlock, o: ScenarioOverrides = {}): Omit<RunOptions, "seed"> {
  const bugs = [...s.bugs];
  for (const b of o.extraBugs ?? []) if (!bugs.includes(b)) bugs.push(b);
  return {
    timeUs: o.timeUs ?? s.timeUs,
    servers: s.servers,
    clients: s.clients,
    scenarioName: s.name,
    ...("swarm" in s.faults ? { families: s.faults.swarm } : { faults: s.faults.schedule }),
    bugs,
    keepTrace: o.keepTrace ?? false,
    net: { ...s.net },
    options: block.options(s),
  };
}

/** Why `timeUs` (a --time override) is too short for the scenario's schedule, or null. The file
 * itself was checked against its own `time` when it was loaded. */
export function timeOverrideProblem(s: Scenario, timeUs: number): string | null {
  if (!("schedule" in s.faults) || s.faults.schedule.length === 0) return null;
  const last = Math.max(...s.faults.schedule.map((a) => a.at));
  const explicitHeal = s.faults.schedule.some((a) => a.kind === "heal-all");
  const healAt = timeUs - livenessWindowUs(timeUs);
  if (last >= timeUs || (!explicitHeal && last >= healAt))
    return `--time ${usToDuration(timeUs)} is too short for scenario ${s.name}: its schedule runs to ${usToDuration(last)}, and the final heal would come at ${usToDuration(healAt)} (use at least its own time, ${usToDuration(s.timeUs)})`;
  return null;
}

export function scenarioRunOptions(s: Scenario, block: ScenarioBlock, seed: number, o: ScenarioOverrides = {}): RunOptions {
  return { ...scenarioBaseOptions(s, block, o), seed };
}
