// A scenario → the options of one cluster run, and a run's verdict against the expectation.
import type { BugName } from "../systems/raft-metadata/bugs.js";
import { livenessWindowUs, type ClusterRunOptions } from "../systems/raft-metadata/options.js";
import { usToDuration } from "./duration.js";
import type { ClusterVerdict } from "../systems/raft-metadata/run.js";
import type { Expectation, Scenario } from "./schema.js";

export interface ScenarioOverrides {
  /** Simulated time, µs (default: the scenario's). */
  readonly timeUs?: number;
  /** Planted bugs switched on in addition to the scenario's. */
  readonly extraBugs?: readonly BugName[];
  readonly keepTrace?: boolean;
}

/** Everything of a run but its seed: plain data, so it can go to a sweep worker as it is. */
export function scenarioBaseOptions(s: Scenario, o: ScenarioOverrides = {}): Omit<ClusterRunOptions, "seed"> {
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
    // Only the fields the scenario sets: the rest stay the harness defaults (timed schedule)
    // or are drawn from the seed (swarm). readMode / leaseDriftBoundPpm / maxDriftPpm are
    // passed through to RaftOptions untouched.
    raft: { ...s.raft },
    workload: {
      keys: s.workload.keys,
      mix: s.workload.mix,
      thinkMinUs: s.workload.thinkMinUs,
      thinkMaxUs: s.workload.thinkMaxUs,
      timeoutUs: s.workload.requestTimeoutUs,
      staleCasP: s.workload.staleCasP,
    },
    net: { ...s.net },
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

export function scenarioRunOptions(s: Scenario, seed: number, o: ScenarioOverrides = {}): ClusterRunOptions {
  return { ...scenarioBaseOptions(s, o), seed };
}

export interface Judgement {
  readonly met: boolean;
  /** "verdict violation, as the scenario expects" / "expected a violation, got ok". */
  readonly message: string;
}

const ARTICLE: Record<string, string> = { ok: "ok", violation: "a violation", liveness: "a liveness failure", unknown: "unknown" };

export function judge(expect: Expectation, verdict: ClusterVerdict): Judgement {
  if (verdict === expect) return { met: true, message: `verdict ${verdict}, as the scenario expects` };
  return { met: false, message: `expected ${expect === "ok" ? "verdict ok" : ARTICLE[expect]}, got ${verdict}` };
}
