// `raftsim detectors`: the failure detectors, their parameters (defaults and sources) and the
// systems that run them (`--system S --detector NAME`).
import { Command } from "commander";
import { listDetectors } from "../../api/index.js";

export function detectorsCommand(): Command {
  return new Command("detectors")
    .description("list the failure detectors, their parameters and the systems that run them (--detector NAME)")
    .option("--json", "print [{name, description, kind, params: [{name, default, unit, doc, source}], systems: [{system, default}]}] as JSON")
    .action((o: { json?: boolean }) => {
      const all = listDetectors();
      if (o.json) {
        process.stdout.write(JSON.stringify(all, null, 2) + "\n");
        return;
      }
      const w = Math.max(...all.map((d) => d.name.length));
      const pad = " ".repeat(w + 2);
      for (const d of all) {
        process.stdout.write(`${d.name.padEnd(w)}  ${d.description}\n`);
        const sys = d.systems.length === 0 ? "none yet" : d.systems.map((s) => `${s.system}${s.default ? " (default)" : ""}`).join(", ");
        process.stdout.write(`${pad}${d.kind}; runs in: ${sys}\n`);
        for (const p of d.params) process.stdout.write(`${pad}  ${p.name} = ${p.default}: ${p.doc} [${p.source}]\n`);
      }
    });
}
