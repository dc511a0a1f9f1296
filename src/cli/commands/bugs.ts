// `raftsim bugs`: the planted bugs that `--bug NAME` switches on, per system.
import { Command } from "commander";
import { DEFAULT_SYSTEM, getSystem } from "../../api/systems.js";
import { parseSystem } from "../sim-options.js";

export function bugsCommand(): Command {
  return new Command("bugs")
    .description("list the planted bugs that --bug NAME can switch on")
    .option("--system <name>", `the system whose bugs to list (default ${DEFAULT_SYSTEM})`, parseSystem)
    .option("--json", "print [{system, name, description, breaks, detectingSeed}] as JSON")
    .action((o: { json?: boolean; system?: string }) => {
      const system = o.system ?? DEFAULT_SYSTEM;
      const bugs = getSystem(system).bugs;
      if (o.json) {
        process.stdout.write(JSON.stringify(bugs.map((b) => ({ system, ...b })), null, 2) + "\n");
        return;
      }
      if (bugs.length === 0) {
        process.stdout.write(`system ${o.system} has no planted bugs\n`);
        return;
      }
      const w = Math.max(...bugs.map((b) => b.name.length));
      for (const b of bugs) process.stdout.write(`${b.name.padEnd(w)}  ${b.description}\n${" ".repeat(w)}  caught by: ${b.breaks}${b.detectingSeed !== undefined ? `; found at seed ${b.detectingSeed}` : ""}\n`);
    });
}
