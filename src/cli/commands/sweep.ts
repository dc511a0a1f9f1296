// `raftsim sweep`: many seeds in parallel on worker threads. Seeds go out in small batches;
// results are collected by seed, so the summary never depends on --jobs or on which worker
// finished first. With --stop-on-first the sweep reports the lowest failing seed: batches
// below a known failure still run, batches above it are skipped.
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError, Option } from "commander";
import cliProgress from "cli-progress";
import Tinypool from "tinypool";
import type { BugName } from "../../impl/bugs.js";
import type { ClusterRunOptions } from "../../sim/cluster/config.js";
import { judge, scenarioBaseOptions, timeOverrideProblem, type Expectation } from "../../sim/scenario/index.js";
import { rerunLine } from "../../api/replay.js";
import { UsageError } from "../errors.js";
import { parseBug, parseSeedRangeOption, parseTime } from "../sim-options.js";
import { Exit, type ExitCode } from "../exit-codes.js";
import { expectationExit, loadScenarioForCli, type LoadedScenario } from "../scenario-file.js";
import type { SeedSummary, SweepTask } from "../sweep-worker.js";
import { runSeeds } from "../sweep-worker.js";

export interface SweepOptions {
  /** The seeds to run, ascending. */
  seeds: readonly number[];
  jobs: number;
  /** A scenario (loaded) and how --scenario named it; seeds failing its `expect` are failures. */
  scenario?: LoadedScenario;
  scenarioRef?: string;
  bug?: BugName;
  stopOnFirst: boolean;
  /** Every fault family on every seed (not the swarm's random subset). */
  everyFault?: boolean;
  timeUs: number;
  json: boolean;
  progress: boolean;
}

export interface SweepFailure {
  seed: number;
  verdict: SeedSummary["verdict"];
  message: string | null;
  replay: string;
}

export interface SweepReport {
  seeds: number;
  ran: number;
  verdicts: Record<SeedSummary["verdict"], number>;
  /** With a scenario: its name and expectation, and how many seeds met it. */
  scenario?: string;
  expect?: Expectation;
  matched?: number;
  mismatched?: number;
  failures: SweepFailure[];
  wallMs: number;
  seedsPerMinute: number;
  events: number;
  simulatedMs: number;
}

const BATCH = 10;

function replayOf(seed: number, o: SweepOptions): string {
  return rerunLine({ seed, timeUs: o.timeUs, scenarioRef: o.scenarioRef, bugs: o.bug ? [o.bug] : [], everyFault: o.everyFault ?? false });
}

export async function runSweep(o: SweepOptions): Promise<SweepReport> {
  const base: Omit<ClusterRunOptions, "seed"> =
    o.scenario !== undefined
      ? scenarioBaseOptions(o.scenario.scenario, { timeUs: o.timeUs, extraBugs: o.bug ? [o.bug] : [] })
      : { timeUs: o.timeUs, bugs: o.bug ? [o.bug] : [], everyFamily: o.everyFault };
  const expect: Expectation = o.scenario?.scenario.expect ?? "ok";
  const fails = (r: SeedSummary): boolean => !judge(expect, r.verdict).met;
  const batches: number[][] = [];
  for (let i = 0; i < o.seeds.length; i += BATCH) batches.push(o.seeds.slice(i, i + BATCH));
  const total = o.seeds.length;
  const bar = o.progress
    ? new cliProgress.SingleBar(
        { format: "sweep [{bar}] {value}/{total} seeds | {failures} failing | {rate} seeds/min | eta {eta_formatted}", stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(total, 0, { failures: 0, rate: 0 });
  const t0 = performance.now();
  const results: SeedSummary[] = [];
  let lowestFailure = Infinity;
  let failures = 0;
  const record = (rs: SeedSummary[]): void => {
    for (const r of rs) {
      results.push(r);
      if (fails(r)) {
        failures++;
        lowestFailure = Math.min(lowestFailure, r.seed);
      }
    }
    const rate = Math.round((results.length / Math.max(1, performance.now() - t0)) * 60_000);
    bar?.update(results.length, { failures, rate });
  };
  const skip = (b: number[]): boolean => o.stopOnFirst && b[0] > lowestFailure;

  if (o.jobs <= 1) {
    for (const b of batches) if (!skip(b)) record(runSeeds({ seeds: b, base }));
  } else {
    const pool = new Tinypool({ filename: fileURLToPath(new URL("../sweep-worker.js", import.meta.url)), minThreads: o.jobs, maxThreads: o.jobs });
    try {
      // Feed batches a few at a time, so --stop-on-first can skip what has not started yet.
      let nextBatch = 0;
      const lane = async (): Promise<void> => {
        while (nextBatch < batches.length) {
          const b = batches[nextBatch++];
          if (skip(b)) continue;
          const task: SweepTask = { seeds: b, base };
          record((await pool.run(task)) as SeedSummary[]);
        }
      };
      await Promise.all(Array.from({ length: o.jobs * 2 }, lane));
    } finally {
      await pool.destroy();
    }
  }
  bar?.stop();
  const wallMs = performance.now() - t0;
  results.sort((a, b) => a.seed - b.seed);
  const kept = o.stopOnFirst ? results.filter((r) => r.seed <= lowestFailure) : results;
  const verdicts = { ok: 0, violation: 0, liveness: 0, unknown: 0 };
  let events = 0;
  let simulatedUs = 0;
  for (const r of kept) {
    verdicts[r.verdict]++;
    events += r.events;
    simulatedUs += r.simulatedUs;
  }
  const failing = kept.filter(fails);
  return {
    seeds: total,
    ran: kept.length,
    verdicts,
    ...(o.scenario !== undefined ? { scenario: o.scenario.scenario.name, expect, matched: kept.length - failing.length, mismatched: failing.length } : {}),
    failures: (o.stopOnFirst ? failing.slice(0, 1) : failing).map((r) => ({
      seed: r.seed,
      verdict: r.verdict,
      message: o.scenario !== undefined && r.verdict === "ok" ? judge(expect, r.verdict).message : r.message,
      replay: replayOf(r.seed, o),
    })),
    wallMs: Math.round(wallMs),
    seedsPerMinute: Math.round((results.length / wallMs) * 60_000),
    events,
    simulatedMs: Math.round(simulatedUs / 1000),
  };
}

export function sweepExit(r: SweepReport): ExitCode {
  if (r.expect !== undefined && r.expect !== "ok") {
    // Judged against the scenario: the worst exit code among the seeds that missed it.
    let worst: ExitCode = Exit.ok;
    for (const f of r.failures) worst = Math.max(worst, expectationExit(r.expect, f.verdict)) as ExitCode;
    return worst;
  }
  if (r.verdicts.violation > 0) return Exit.violation;
  if (r.verdicts.liveness > 0) return Exit.liveness;
  if (r.verdicts.unknown > 0) return Exit.undecided;
  return Exit.ok;
}

function parsePositive(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

export function registerSweep(program: Command): void {
  program.addCommand(
    new Command("sweep")
      .description("run many seeds of the checked cluster in parallel and collect every failure with its replay command")
      .option("--seeds <A..B>", "seed range, inclusive, e.g. 1..1000 (required unless --scenario: default its seeds)", parseSeedRangeOption)
      .option("--scenario <name|file>", "sweep a scenario; a seed fails when its verdict is not the scenario's `expect`")
      .option("--jobs <n>", "worker threads", parsePositive, Math.max(1, availableParallelism()))
      .option("--bug <name>", "switch on a planted bug (see `raftsim bugs`)", parseBug)
      .option("--stop-on-first", "stop at the lowest failing seed")
      .option("--every-fault", "enable every fault family on every seed (default: a random subset per seed)")
      .option("--time <duration>", "simulated time per seed (default: the scenario's, else 10s)", parseTime)
      .option("--json", "print {seeds, failures: [{seed, verdict, replay}], wallMs, seedsPerMinute, ...} on stdout")
      .addOption(new Option("--no-progress", "no progress bar on stderr"))
      .action(async (opts: { seeds?: { from: number; to: number }; scenario?: string; jobs: number; bug?: BugName; stopOnFirst?: boolean; everyFault?: boolean; time?: number; json?: boolean; progress: boolean }) => {
        const scenario = opts.scenario !== undefined ? loadScenarioForCli(opts.scenario) : undefined;
        if (scenario?.scenario.experiment !== undefined)
          throw new UsageError(`scenario ${scenario.scenario.name} is an experiment (a measurement, not a verdict): run it with \`raftsim run --scenario ${opts.scenario}\``);
        let seeds: number[];
        if (opts.seeds !== undefined) {
          seeds = [];
          for (let x = opts.seeds.from; x <= opts.seeds.to; x++) seeds.push(x);
        } else if (scenario !== undefined) seeds = [...scenario.scenario.seeds].sort((a, b) => a - b);
        else throw new UsageError("required option '--seeds <A..B>' not specified (or give --scenario NAME to sweep its seeds)");
        const tooShort = scenario !== undefined && opts.time !== undefined ? timeOverrideProblem(scenario.scenario, opts.time) : null;
        if (tooShort !== null) throw new UsageError(tooShort);
        const o: SweepOptions = {
          seeds,
          scenario,
          scenarioRef: opts.scenario,
          jobs: opts.jobs,
          bug: opts.bug,
          stopOnFirst: opts.stopOnFirst ?? false,
          everyFault: opts.everyFault ?? false,
          timeUs: opts.time ?? scenario?.scenario.timeUs ?? 10_000_000,
          json: opts.json ?? false,
          progress: opts.progress && process.stderr.isTTY === true,
        };
        const r = await runSweep(o);
        if (o.json) process.stdout.write(JSON.stringify(r) + "\n");
        else {
          const v = r.verdicts;
          process.stdout.write(
            `swept ${r.scenario !== undefined ? `scenario ${r.scenario}, ` : ""}${r.ran} of ${r.seeds} seeds in ${(r.wallMs / 1000).toFixed(1)}s (${r.seedsPerMinute} seeds/min, ${o.jobs} jobs): ` +
              `${v.ok} ok, ${v.violation} violation, ${v.liveness} liveness, ${v.unknown} unknown\n`,
          );
          if (r.expect !== undefined)
            process.stdout.write(
              r.mismatched === 0
                ? `expect ${r.expect}: all ${r.matched} seeds as the scenario expects\n`
                : `expect ${r.expect}: ${r.matched} seeds as expected, ${r.mismatched} NOT (listed below)\n`,
            );
          for (const f of r.failures.slice(0, 20)) process.stdout.write(`  seed ${f.seed}: ${f.verdict}: ${f.message}\n    replay: ${f.replay}\n`);
          if (r.failures.length > 20) process.stdout.write(`  ... and ${r.failures.length - 20} more (use --json for all)\n`);
        }
        process.exitCode = sweepExit(r);
      }),
  );
}
