// `raftsim systems`: the registered systems under test (what --system NAME accepts).
import { Command } from "commander";
import { DEFAULT_SYSTEM, listSystems } from "../../api/systems.js";

export function systemsCommand(): Command {
  return new Command("systems")
    .description("list the systems under test that --system NAME accepts")
    .option("--json", "print [{name, description, bugs, families, faultKinds, targets, servers, clients, historyModel}] as JSON")
    .action((o: { json?: boolean }) => {
      const all = listSystems();
      if (o.json) {
        process.stdout.write(JSON.stringify(all, null, 2) + "\n");
        return;
      }
      const w = Math.max(...all.map((s) => s.name.length));
      for (const s of all) {
        process.stdout.write(`${s.name.padEnd(w)}  ${s.description}${s.name === DEFAULT_SYSTEM ? " (default)" : ""}\n`);
        const pad = " ".repeat(w + 2);
        process.stdout.write(`${pad}${s.servers} servers, ${s.clients} client(s); history: ${s.historyModel ?? "none"}; planted bugs: ${s.bugs.length}\n`);
        process.stdout.write(`${pad}fault families: ${s.families.join(", ")}${s.faultKinds.length > 0 ? `; own fault kinds: ${s.faultKinds.join(", ")}` : ""}\n`);
      }
    });
}
