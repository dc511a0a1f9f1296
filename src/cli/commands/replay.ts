// `raftsim replay`: rerun a seed and insist on the same trace hash (--expect-hash).
import { InvalidArgumentError, type Command } from "commander";
import { UsageError } from "../errors.js";
import { Exit } from "../exit-codes.js";
import { addSimOptions, expectationMismatch, resolveSim, runExit, simulate, summaryJson, summaryText, type SimCliOptions } from "../sim-options.js";

interface ReplayOptions extends SimCliOptions {
  expectHash?: string;
}

/** --expect-hash: the 16 hex characters a run prints as its trace hash (checked before the run). */
export function parseTraceHash(text: string): string {
  const h = text.trim();
  if (!/^[0-9a-fA-F]{16}$/.test(h)) throw new InvalidArgumentError(`expected a trace hash of 16 hex characters (as \`raftsim run\` prints it), found ${h.length > 24 ? `${h.slice(0, 23)}…` : h === "" ? "nothing" : h} (${h.length} characters)`);
  return h.toLowerCase();
}

export function registerReplay(program: Command): void {
  addSimOptions(program.command("replay").description("rerun a seed exactly; with --expect-hash, fail loudly if the trace differs"))
    .option("--expect-hash <hex>", "the trace hash the original run printed (16 hex chars)", parseTraceHash)
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
