// `raftsim run`: one simulation, a summary (or --json), exit code from the verdict — or, with
// --scenario, from the verdict judged against the scenario's `expect`.
import type { Command } from "commander";
import { printFigure16 } from "./figure16.js";
import { UsageError } from "../errors.js";
import { scenarioExperiment } from "../../api/scenarios.js";
import { addSimOptions, expectationMismatch, resolveSim, runExit, simulate, summaryJson, summaryText, type SimCliOptions } from "../sim-options.js";

export function registerRun(program: Command): void {
  addSimOptions(program.command("run").description("run one simulation with a generated fault schedule, or a scenario (--scenario NAME|FILE)"))
    .action((opts: SimCliOptions) => {
      const o = resolveSim(opts);
      const e = o.scenario === null ? undefined : scenarioExperiment(o.scenario.scenario);
      if (e !== undefined && (o.report !== undefined || o.trace !== undefined))
        throw new UsageError(`scenario ${o.scenario!.scenario.name} is an experiment: it prints a table and keeps no trace to ${o.report !== undefined ? "draw (--report)" : "write (--trace)"}`);
      if (e !== undefined) {
        // A measurement scenario: its table is the result; there is no verdict to judge.
        printFigure16({ ...e, json: o.json ?? false, progress: !o.json && process.stderr.isTTY === true });
        return;
      }
      const r = simulate(o);
      process.stdout.write((o.json ? summaryJson(o, r) : summaryText(o, r)) + "\n");
      const mismatch = expectationMismatch(o, r.result.verdict);
      if (mismatch !== null) process.stderr.write(mismatch);
      process.exitCode = runExit(o, r.result.verdict);
    });
}
