// `raftsim figure16`: the Raft paper's Figure 16 experiment (leader-crash → new leader, as a
// function of election-timeout randomness), printed as a table beside the paper's figures.
import { Command, InvalidArgumentError } from "commander";
import { FIGURE16_DEFAULTS, formatFigure16, runFigure16, type Figure16Row } from "../../api/index.js";
import { parseSeed } from "../sim-options.js";

function parseTrials(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new InvalidArgumentError("expected a positive integer");
  const n = Number(text);
  if (!(n >= 1 && n <= 1_000_000)) throw new InvalidArgumentError("must be in 1..1000000");
  return n;
}

function parseMs(text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 0 || n > 10_000) throw new InvalidArgumentError("expected a number in 0..10000");
  return n;
}

export interface Figure16CliRun {
  trials: number;
  seed: number;
  latencyUs: number;
  jitter: number;
  fsyncUs: number;
  json: boolean;
  progress: boolean;
}

/** Runs the experiment and prints it; shared by `raftsim figure16` and `raftsim run --scenario figure16`. */
export function printFigure16(o: Figure16CliRun): void {
  const t0 = performance.now();
  const table = runFigure16({
    trials: o.trials,
    seed: o.seed,
    latencyMedianUs: o.latencyUs,
    latencySigma: o.jitter,
    fsyncMedianUs: o.fsyncUs,
    onRange: o.progress ? (r: Figure16Row) => process.stderr.write(`figure16: ${r.range} ms done (${r.trials} trials)\n`) : undefined,
  });
  const wallMs = Math.round(performance.now() - t0);
  if (o.json) process.stdout.write(JSON.stringify({ ...table, wallMs }) + "\n");
  else process.stdout.write(`${formatFigure16(table)}\nwall ${(wallMs / 1000).toFixed(1)} s\n`);
}

export function registerFigure16(program: Command): void {
  program
    .command("figure16")
    .description("rerun the Raft paper's Figure 16 (time to elect a new leader after a leader crash) and print the table beside the paper's numbers")
    .option("--trials <n>", "trials per timeout range (the 150-150 ms range runs a tenth of them)", parseTrials, 1000)
    .option("--seed <n>", "root seed; each trial's seed is derived from it", parseSeed, 1)
    .option("--latency <ms>", "median one-way network latency, ms (the default is calibrated to the paper's figures)", parseMs, FIGURE16_DEFAULTS.latencyMedianUs / 1000)
    .option("--jitter <sigma>", "lognormal sigma of the latency (0 = constant)", parseMs, FIGURE16_DEFAULTS.latencySigma)
    .option("--fsync <ms>", "median fsync latency, ms (votes are answered once durable)", parseMs, FIGURE16_DEFAULTS.fsyncMedianUs / 1000)
    .option("--json", "print the table as one JSON object")
    .option("--no-progress", "no per-range progress on stderr")
    .action((o: { trials: number; seed: number; latency: number; jitter: number; fsync: number; json?: boolean; progress: boolean }) =>
      printFigure16({
        trials: o.trials,
        seed: o.seed,
        latencyUs: Math.round(o.latency * 1000),
        jitter: o.jitter,
        fsyncUs: Math.round(o.fsync * 1000),
        json: o.json ?? false,
        progress: o.progress && !o.json && process.stderr.isTTY === true,
      }),
    );
}
