// `raftsim run`: one simulation, a summary (or --json), exit code from the verdict — or, with
// --scenario, from the verdict judged against the scenario's `expect`.
import type { Command } from "commander";
import { addSimOptions, expectationMismatch, resolveSim, runExit, simulate, summaryJson, summaryText, type SimCliOptions } from "../sim-options.js";

export function registerRun(program: Command): void {
  addSimOptions(program.command("run").description("run one simulation with a generated fault schedule, or a scenario (--scenario NAME|FILE)"))
    .action((opts: SimCliOptions) => {
      const o = resolveSim(opts);
      const r = simulate(o);
      process.stdout.write((o.json ? summaryJson(o, r) : summaryText(o, r)) + "\n");
      const mismatch = expectationMismatch(o, r.result.verdict);
      if (mismatch !== null) process.stderr.write(mismatch);
      process.exitCode = runExit(o, r.result.verdict);
    });
  // `raftsim scenarios` is registered here so that main.ts needs no change; it belongs with
}
