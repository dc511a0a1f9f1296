// `raftsim replay`: rerun a seed and insist on the same trace hash (--expect-hash).
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { Exit } from "../exit-codes.js";
import { addSimOptions, expectationMismatch, resolveSim, runExit, simulate, summaryJson, summaryText, type SimCliOptions } from "../sim-options.js";

interface ReplayOptions extends SimCliOptions {
  expectHash?: string;
}

export function registerReplay(program: Command): void {
  addSimOptions(program.command("replay").description("rerun a seed exactly; with --expect-hash, fail loudly if the trace differs"))
    .option("--expect-hash <hex>", "the trace hash the original run printed (16 hex chars)")
    .action((opts: ReplayOptions) => {
      const o = resolveSim(opts);
      if (o.scenario?.scenario.experiment !== undefined)
        throw new UsageError(`scenario ${o.scenario.scenario.name} is an experiment: it prints a table, it has no trace to replay (use \`raftsim run --scenario\`)`);
      const r = simulate(o);
      const want = opts.expectHash?.toLowerCase();
      const match = want === undefined || want === r.result.traceHash;
      if (o.json) process.stdout.write(summaryJson(o, r, { expectedHash: want ?? null, match }) + "\n");
      else process.stdout.write(summaryText(o, r) + "\n");
      if (!match) {
        process.stderr.write(
          `\n!!! REPLAY MISMATCH: seed ${o.seed} produced trace hash ${r.result.traceHash}, expected ${want}.\n` +
            `!!! The simulation is not deterministic, or the code/options changed since the original run.\n`,
        );
        process.exitCode = Exit.violation;
        return;
      }
      const mismatch = expectationMismatch(o, r.result.verdict);
      if (mismatch !== null) process.stderr.write(mismatch);
      process.exitCode = runExit(o, r.result.verdict);
    });
}
