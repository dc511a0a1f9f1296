// Scenarios on the command line: loading errors as CLI errors (bad file → InputError, exit 65;
// unknown name → UsageError, exit 64, listing the available names), the exit code of a judged
// run, and the `raftsim scenarios` command. Files and names: src/api/scenarios.ts.
import { Command } from "commander";
import type { Verdict as ClusterVerdict } from "../api/index.js";
import { judge, loadScenarioRef, ScenarioError, scenarioExperiment, shippedScenarioFiles, UnknownScenarioError, usToDuration, type Expectation, type LoadedScenario, type Scenario } from "../api/scenarios.js";
import { InputError, UsageError } from "./errors.js";
import { Exit, type ExitCode } from "./exit-codes.js";
import { parseSystem } from "./system-option.js";

export function loadScenarioForCli(ref: string): LoadedScenario {
  try {
    return loadScenarioRef(ref);
  } catch (e) {
    if (e instanceof ScenarioError) throw new InputError(e.where, e.problem);
    if (e instanceof UnknownScenarioError) throw new UsageError(e.message);
    throw e;
  }
}

/** Exit code of a run judged against its scenario: 0 when the verdict is the expected one;
 * otherwise the verdict's own code, and for an unexpected ok the code of what was expected
 * (expected a violation, got ok → 1; expected a liveness failure, got ok → 2). */
export function expectationExit(expect: Expectation, verdict: ClusterVerdict): ExitCode {
  if (judge(expect, verdict).met) return Exit.ok;
  if (verdict === "violation") return Exit.violation;
  if (verdict === "liveness") return Exit.liveness;
  if (verdict === "unknown") return Exit.undecided;
  return expect === "liveness" ? Exit.liveness : Exit.violation;
}

/** "1..20" for a contiguous run of seeds, else a list ("1, 4, 9..12"). */
export function formatSeeds(seeds: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < seeds.length; ) {
    let j = i;
    while (j + 1 < seeds.length && seeds[j + 1] === seeds[j] + 1) j++;
    parts.push(j === i ? String(seeds[i]) : `${seeds[i]}..${seeds[j]}`);
    i = j + 1;
  }
  return parts.join(", ");
}

function faultsSummary(s: Scenario): string {
  return "swarm" in s.faults ? `swarm [${s.faults.swarm.join(", ")}]` : `schedule of ${s.faults.schedule.length} action(s)`;
}

export function scenariosCommand(): Command {
  return new Command("scenarios")
    .description("list the shipped scenarios (scenarios/*.yaml): name, description, expectation, seeds")
    .option("--system <name>", "only the scenarios of this system (see `raftsim systems`)", parseSystem)
    .option("--json", "print [{name, description, system, expect, seeds, time, faults, bugs, file}] as JSON")
    .action((o: { json?: boolean; system?: string }) => {
      const all = shippedScenarioFiles()
        .map((f) => loadScenarioForCli(f.name))
        .filter((x) => o.system === undefined || x.scenario.system === o.system);
      if (o.json) {
        const rows = all.map(({ scenario: s, file }) => ({
          name: s.name,
          description: s.description,
          system: s.system,
          ...(scenarioExperiment(s) !== undefined ? { experiment: scenarioExperiment(s)!.kind } : {}),
          expect: scenarioExperiment(s) !== undefined ? null : s.expect,
          seeds: formatSeeds(s.seeds),
          time: usToDuration(s.timeUs),
          faults: "swarm" in s.faults ? { swarm: s.faults.swarm } : { schedule: s.faults.schedule.length },
          bugs: s.bugs,
          file,
        }));
        process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
        return;
      }
      const w = Math.max(0, ...all.map((x) => x.scenario.name.length));
      for (const { scenario: s } of all) {
        const e = scenarioExperiment(s);
        if (e !== undefined) {
          // A measurement: no verdict, seeds or faults to show.
          process.stdout.write(`${s.name.padEnd(w)}  experiment ${e.kind} (${e.trials} trials per range; run it with \`raftsim run --scenario ${s.name}\`)\n`);
          if (s.description) process.stdout.write(`${" ".repeat(w)}  ${s.description.trim().replace(/\s+/g, " ")}\n`);
          continue;
        }
        process.stdout.write(`${s.name.padEnd(w)}  expect ${s.expect.padEnd(9)} seeds ${formatSeeds(s.seeds).padEnd(8)} ${usToDuration(s.timeUs).padEnd(4)} ${faultsSummary(s)}${s.bugs.length ? `, bugs [${s.bugs.join(", ")}]` : ""}\n`);
        if (s.description) process.stdout.write(`${" ".repeat(w)}  ${s.description.trim().replace(/\s+/g, " ")}\n`);
      }
    });
}
