// `raftsim replay`: rerun a seed and insist on the same trace hash (--expect-hash).
import type { Command } from "commander";
import { Exit } from "../exit-codes.js";
import { addSimOptions, simulate, summaryJson, summaryText, verdictExit, type SimCliOptions } from "../sim-options.js";

interface ReplayOptions extends SimCliOptions {
  expectHash?: string;
}

export function registerReplay(program: Command): void {
  addSimOptions(program.command("replay").description("rerun a seed exactly; with --expect-hash, fail loudly if the trace differs"))
    .option("--expect-hash <hex>", "the trace hash the original run printed (16 hex chars)")
    .action((opts: ReplayOptions) => {
      const r = simulate(opts);
      const want = opts.expectHash?.toLowerCase();
      const match = want === undefined || want === r.result.traceHash;
      if (opts.json) process.stdout.write(summaryJson(opts, r, { expectedHash: want ?? null, match }) + "\n");
      else process.stdout.write(summaryText(opts, r) + "\n");
      if (!match) {
        process.stderr.write(
          `\n!!! REPLAY MISMATCH: seed ${opts.seed} produced trace hash ${r.result.traceHash}, expected ${want}.\n` +
            `!!! The simulation is not deterministic, or the code/options changed since the original run.\n`,
        );
        process.exitCode = Exit.violation;
        return;
      }
      process.exitCode = verdictExit(r.result.verdict);
    });
}
