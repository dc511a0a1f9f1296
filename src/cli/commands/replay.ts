// `raftsim replay`: rerun a seed and insist on the same trace hash (--expect-hash).
import { InvalidArgumentError, type Command } from "commander";
import { UsageError } from "../errors.js";
import { Exit } from "../exit-codes.js";
import { formatDuration } from "../../util/duration.js";
import { collectInstants, formatSnapshots, snapshotsJson } from "../snapshot-table.js";
import { addSimOptions, expectationMismatch, resolveSim, runExit, simulate, summaryJson, summaryText, type SimCliOptions } from "../sim-options.js";

interface ReplayOptions extends SimCliOptions {
  expectHash?: string;
  at?: number[];
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
    .option("--at <instants>", "print every node's state at these instants of simulated time (the state after every event at or before each; role, term, log, commit, ... as the system reports them): a duration, a comma list (2s,3.25s), repeatable; within 0..--time", collectInstants)
    .action((opts: ReplayOptions) => {
      const o = resolveSim(opts);
      if (o.scenario?.scenario.experiment !== undefined)
        throw new UsageError(`scenario ${o.scenario.scenario.name} is an experiment: it prints a table, it has no trace to replay (use \`raftsim run --scenario\`)`);
      for (const t of opts.at ?? []) {
        if (t > o.time) throw new UsageError(`--at ${formatDuration(t)} is after the end of the run (--time ${formatDuration(o.time)}): an instant must be within 0..${formatDuration(o.time)}`);
      }
      const at = opts.at === undefined ? undefined : [...new Set(opts.at)].sort((x, y) => x - y);
      const r = simulate(o, at);
      const snaps = at === undefined ? {} : { at: snapshotsJson(r.result.snapshots ?? []) };
      const want = opts.expectHash?.toLowerCase();
      const match = want === undefined || want === r.result.traceHash;
      if (o.json) process.stdout.write(summaryJson(o, r, { expectedHash: want ?? null, match, ...snaps }) + "\n");
      else {
        process.stdout.write(summaryText(o, r) + "\n");
        if (at !== undefined) process.stdout.write("\n" + formatSnapshots(r.result.snapshots ?? []) + "\n");
      }
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
