// `raftsim bugs`: the planted bugs that `--bug NAME` switches on, per system.
import { Command } from "commander";
import { DEFAULT_SYSTEM, getSystem } from "../../api/systems.js";
import { BUG_FINDS, BUG_FINDS_MAX_SEED } from "../../api/bug-finds.js";
import { parseSystem } from "../sim-options.js";

export function bugsCommand(): Command {
  return new Command("bugs")
    .description("list the planted bugs that --bug NAME can switch on")
    .option("--system <name>", `the system whose bugs to list (default ${DEFAULT_SYSTEM})`, parseSystem)
    .option("--json", "print [{system, name, description, breaks, detectingSeed, found: {assertsOn, assertsOff}}] as JSON; found gives the lowest seed of the default swarm that finds the bug and the check that does, with the system's own assertions on and off (null: not measured)")
    .action((o: { json?: boolean; system?: string }) => {
      const system = o.system ?? DEFAULT_SYSTEM;
      const bugs = getSystem(system).bugs;
      if (o.json) {
        const rows = bugs.map((b) => ({ system, ...b, found: BUG_FINDS[`${system}/${b.name}`] ?? null }));
        process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
        return;
      }
      if (bugs.length === 0) {
        process.stdout.write(`system ${o.system} has no planted bugs\n`);
        return;
      }
      const w = Math.max(...bugs.map((b) => b.name.length));
      for (const b of bugs) {
        const f = BUG_FINDS[`${system}/${b.name}`]?.assertsOff;
        const first = f === undefined ? "" : f.seed === null ? `; not found in seeds 1..${BUG_FINDS_MAX_SEED} of 10 s default runs with --sut-asserts off` : `; first found at seed ${f.seed} by ${f.check} with --sut-asserts off`;
        process.stdout.write(`${b.name.padEnd(w)}  ${b.description}\n${" ".repeat(w)}  caught by: ${b.breaks}${b.detectingSeed !== undefined ? `; found at seed ${b.detectingSeed}${b.detectingScenario !== undefined ? ` of scenario ${b.detectingScenario}` : ""}` : ""}${first}\n`);
      }
    });
}
