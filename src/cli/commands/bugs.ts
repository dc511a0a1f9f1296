// `raftsim bugs`: the planted bugs that `--bug NAME` switches on.
import { Command } from "commander";
import { BUGS } from "../../sim/systems/raft-metadata/bugs.js";

export function bugsCommand(): Command {
  return new Command("bugs")
    .description("list the planted bugs that --bug NAME can switch on")
    .option("--json", "print [{name, description, breaks}] as JSON")
    .action((o: { json?: boolean }) => {
      if (o.json) {
        process.stdout.write(JSON.stringify(BUGS, null, 2) + "\n");
        return;
      }
      const w = Math.max(...BUGS.map((b) => b.name.length));
      for (const b of BUGS) process.stdout.write(`${b.name.padEnd(w)}  ${b.description}\n${" ".repeat(w)}  caught by: ${b.breaks}\n`);
    });
}
