// `raftsim run`: one simulation, a summary (or --json), exit code from the verdict.
import type { Command } from "commander";
import { addSimOptions, simulate, summaryJson, summaryText, verdictExit, type SimCliOptions } from "../sim-options.js";

export function registerRun(program: Command): void {
  addSimOptions(program.command("run").description("run one simulation with a generated (or given) fault schedule"))
    .action((opts: SimCliOptions) => {
      const r = simulate(opts);
      process.stdout.write((opts.json ? summaryJson(opts, r) : summaryText(opts, r)) + "\n");
      process.exitCode = verdictExit(r.result.verdict);
    });
}
