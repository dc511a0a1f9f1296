// `raftsim sweep`: the flags, a progress bar on stderr, the printed report and the exit code.
// The engine (batches, worker threads, stop-on-first, the report) is src/api/sweep.ts.
import { availableParallelism } from "node:os";
import { Command, InvalidArgumentError, Option } from "commander";
import cliProgress from "cli-progress";
import { metricsTable } from "../metrics-table.js";
import { timeOverrideProblem } from "../../api/scenarios.js";
import { planJobs, seedCount, sweep, SWEEP_BATCH, tuneJitForSweep, type SeedSet, type SweepOptions, type SweepReport } from "../../api/sweep.js";
import { checkBugs, checkDetector, checkSystemOptions, withFastFlag, parseOnOff, parseSeedRangeOption, parseSystem, parseSystemOptions, parseTime, systemFor } from "../sim-options.js";
import { DEFAULT_SYSTEM } from "../../api/systems.js";
import { Exit, type ExitCode } from "../exit-codes.js";
import { expectationExit, loadScenarioForCli } from "../scenario-file.js";
import { writeFileSync } from "node:fs";
import { junitXml, parseShard, shardSeeds, type Shard } from "../../api/shard.js";
import { saveFailure } from "../../api/corpus.js";
import { MaterialiseError, NotFailingError } from "../../api/shrink.js";
import { runOptionsFor, simulate, type SimulateOptions } from "../../api/simulate.js";
import { describeIoError, IoError, UsageError } from "../errors.js";
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { writeReport } from "../../api/report/index.js";

/** --reports DIR: created now (with its parents), so a bad path fails before the sweep. */
function prepareReportsDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new IoError(dir, `--reports: cannot create the directory: ${code === "EEXIST" || code === "ENOTDIR" ? "a file of that name is in the way" : describeIoError(e)}`);
  }
}

function parseShardOption(text: string): Shard {
  try {
    return parseShard(text);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

/** A violation wins; then a seed whose run threw (an internal error, 70); then the rest. */
export function sweepExit(r: SweepReport): ExitCode {
  if (r.expect !== undefined && r.expect !== "ok") {
    // Judged against the scenario: the worst exit code among the seeds that missed it.
    let worst: ExitCode = Exit.ok;
    for (const f of r.failures) if (f.verdict !== null) worst = Math.max(worst, expectationExit(r.expect, f.verdict)) as ExitCode;
    return worst !== Exit.violation && r.errors > 0 ? Exit.software : worst;
  }
  if (r.verdicts.violation > 0) return Exit.violation;
  if (r.errors > 0) return Exit.software;
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
      .description("run many seeds of a system in parallel and collect every failure with its replay command")
      .option("--seeds <A..B>", "seed range, inclusive, e.g. 1..1000 (required unless --scenario: default its seeds)", parseSeedRangeOption)
      .option("--scenario <name|file>", "sweep a scenario; a seed fails when its verdict is not the scenario's `expect`")
      .option("--jobs <n>", "worker threads (capped to the CPUs available and to one per batch of 10 seeds)", parsePositive, Math.max(1, availableParallelism()))
      .option("--system <name>", `the system under test (see \`raftsim systems\`; default ${DEFAULT_SYSTEM})`, parseSystem)
      .option("--bug <name>", "switch on a planted bug of the system (see `raftsim bugs`)")
      .option("--sut-asserts <on|off>", "off: switch off the system under test's own assertions, so only the harness's checks can find a bug (default on)", parseOnOff, true)
      .option("--detector <name>", "the detector family of a system that has several (failover: gossip)")
      .option("--stop-on-first", "stop at the lowest failing seed")
      .option("--every-fault", "enable every fault family on every seed (default: a random subset per seed)")
      .option("--time <duration>", "simulated time per seed (default: the scenario's, else 10s)", parseTime)
      .option("--system-options <json>", "system options laid over each seed's, as a JSON object (as `raftsim run` takes them; the replay lines repeat them)", parseSystemOptions)
      .option("--no-fast", "raft-metadata: run the original event model (periodic heartbeats to every follower, clients at full speed to the end of the liveness window) instead of the default fast one; the replay lines repeat it")
      .option("--json", "print {seeds, verdicts, errors, failures: [{seed, verdict, message, error?, replay}], wallMs, seedsPerMinute, jobs, jobsRequested, ...} on stdout")
      .addOption(new Option("--no-progress", "no progress bar on stderr"))
      .option("--shard <k/n>", "run only the k-th of n disjoint slices of the seeds (every n-th seed from the k-th); `raftsim merge` combines the shards' --json reports", parseShardOption)
      .option("--save-failures <file>", "shrink every failing seed (violation or liveness) and append it to a regression corpus (JSONL; rerun with `raftsim corpus FILE`)")
      .option("--shrink-budget <duration>", "wall-clock budget to shrink each failing seed for --save-failures (default 30s)", parseTime, 30_000_000)
      .option("--reports <dir>", "write the flight recorder of each failing seed to <dir>/seed-<N>.html (each is rerun here with its trace kept; the directory is created)")
      .option("--reports-max <n>", "write at most this many reports, lowest seeds first (default 20)", parsePositive, 20)
      .option("--junit <file>", "also write the report as JUnit XML (one test case per failing seed, with its replay command)")
      .action(async (opts: { seeds?: { from: number; to: number }; scenario?: string; jobs: number; bug?: string; sutAsserts: boolean; system?: string; stopOnFirst?: boolean; everyFault?: boolean; time?: number; json?: boolean; progress: boolean; shard?: Shard; junit?: string; saveFailures?: string; shrinkBudget: number; reports?: string; reportsMax: number; detector?: string; fast: boolean; systemOptions?: Record<string, unknown> }, cmd: Command) => {
        tuneJitForSweep(); // before any seed runs and before the workers start (api/sweep.ts)
        const scenario = opts.scenario !== undefined ? loadScenarioForCli(opts.scenario) : undefined;
        const system = systemFor(opts.system, scenario?.scenario);
        checkBugs(system, opts.bug === undefined ? [] : [opts.bug]);
        checkDetector(system, opts.detector);
        if (scenario?.scenario.experiment !== undefined)
          throw new UsageError(`scenario ${scenario.scenario.name} is an experiment (a measurement, not a verdict): run it with \`raftsim run --scenario ${opts.scenario}\``);
        // A range is handed over as a range: the engine walks it, never builds it (1..10^12 is fine).
        let seeds: SeedSet;
        if (opts.seeds !== undefined) seeds = opts.seeds;
        else if (scenario !== undefined) seeds = [...scenario.scenario.seeds].sort((a, b) => a - b);
        else throw new UsageError("required option '--seeds <A..B>' not specified (or give --scenario NAME to sweep its seeds)");
        if (opts.shard !== undefined) seeds = shardSeeds(seeds, opts.shard);
        if (opts.reports !== undefined) prepareReportsDir(opts.reports);
        const tooShort = scenario !== undefined && opts.time !== undefined ? timeOverrideProblem(scenario.scenario, opts.time) : null;
        if (tooShort !== null) throw new UsageError(tooShort);
        // --system-options, with --no-fast's { fast: false } laid over them.
        const systemOptions = withFastFlag(system, opts.fast, opts.systemOptions);
        checkSystemOptions(system, systemOptions);
        const o: SweepOptions = {
          system,
          seeds,
          scenario: scenario?.scenario,
          scenarioRef: opts.scenario,
          jobs: opts.jobs,
          bugs: opts.bug ? [opts.bug] : [],
          sutAsserts: opts.sutAsserts,
          stopOnFirst: opts.stopOnFirst ?? false,
          everyFault: opts.everyFault ?? false,
          timeUs: opts.time ?? scenario?.scenario.timeUs ?? 10_000_000,
          ...(opts.detector !== undefined ? { detector: opts.detector } : {}),
          // --system-options and --no-fast (raft-metadata's original event model: options.ts, `fast`).
          ...(systemOptions !== undefined ? { systemOptions } : {}),
        };
        // One seed's run as the sweep ran it: what --save-failures shrinks and --reports draws.
        const seedRun = (seed: number): SimulateOptions => ({ system, seed, timeUs: o.timeUs, bugs: o.bugs, sutAsserts: o.sutAsserts, everyFamily: o.everyFault, scenario: scenario?.scenario, detector: o.detector, ...(systemOptions !== undefined ? { systemOptions } : {}) });
        const plan = planJobs(opts.jobs, seedCount(seeds));
        if (plan.jobs < plan.requested && cmd.getOptionValueSource("jobs") === "cli")
          process.stderr.write(
            `raftsim: --jobs ${plan.requested} capped to ${plan.jobs} (${plan.cpus} CPU${plan.cpus === 1 ? "" : "s"} available, ${plan.batches} batch${plan.batches === 1 ? "" : "es"} of up to ${SWEEP_BATCH} seeds)\n`,
          );
        const bar =
          opts.progress && process.stderr.isTTY === true
            ? new cliProgress.SingleBar(
                { format: "sweep [{bar}] {value}/{total} seeds | {failures} failing | {rate} seeds/min | eta {eta_formatted}", stream: process.stderr, hideCursor: true },
                cliProgress.Presets.shades_classic,
              )
            : null;
        bar?.start(seedCount(seeds), 0, { failures: 0, rate: 0 });
        let r: SweepReport;
        try {
          r = await sweep(o, (p) => bar?.update(p.done, { failures: p.failures, rate: p.seedsPerMinute }));
        } finally {
          bar?.stop();
        }
        if (opts.saveFailures !== undefined) {
          const file = opts.saveFailures;
          for (const f of r.failures) {
            if (f.verdict !== "violation" && f.verdict !== "liveness") continue;
            if (opts.progress) process.stderr.write(`raftsim sweep: shrinking seed ${f.seed} for ${file}\n`);
            try {
              const e = saveFailure(file, f.seed, {
                system,
                timeUs: o.timeUs,
                bugs: o.bugs ?? [],
                everyFault: o.everyFault ?? false,
                scenarioRef: opts.scenario,
                budgetMs: opts.shrinkBudget / 1000,
                runOptions: (seed) => runOptionsFor(seedRun(seed)).options,
              });
              if (opts.progress) process.stderr.write(`raftsim sweep: seed ${f.seed}: ${e.run.faults.length - 1} faults, ${e.events} events, saved\n`);
            } catch (e) {
              if (e instanceof NotFailingError || e instanceof MaterialiseError) process.stderr.write(`raftsim sweep: seed ${f.seed} not saved: ${e.message}\n`);
              else if ((e as NodeJS.ErrnoException).code !== undefined) throw new IoError(file, `--save-failures: cannot write: ${describeIoError(e)}`);
              else throw e;
            }
          }
        }
        const reports = new Map<number, string>();
        if (opts.reports !== undefined) {
          const drawable = r.failures.filter((f) => f.verdict !== null);
          for (const f of drawable.slice(0, opts.reportsMax)) {
            const file = join(opts.reports, `seed-${f.seed}.html`);
            const run = simulate({ ...seedRun(f.seed), keepTrace: true });
            try {
              writeReport(file, run.result, { timeUs: o.timeUs, bugs: o.bugs ?? [], sutAsserts: o.sutAsserts, detector: o.detector, everyFault: o.everyFault ?? false, ...(opts.scenario !== undefined ? { scenarioRef: opts.scenario } : {}) });
            } catch (e) {
              throw new IoError(file, `--reports: cannot write: ${describeIoError(e)}`);
            }
            reports.set(f.seed, file);
          }
          if (drawable.length > opts.reportsMax)
            process.stderr.write(`raftsim sweep: wrote ${opts.reportsMax} of ${drawable.length} reports (--reports-max ${opts.reportsMax}); the rest: raftsim run ... --report FILE with the replay lines\n`);
        }
        if (opts.junit !== undefined) writeFileSync(opts.junit, junitXml(r, opts.shard !== undefined ? `raftsim sweep (shard ${opts.shard.k}/${opts.shard.n})` : "raftsim sweep"));
        if (opts.json) {
          const out = { ...r, ...(opts.shard !== undefined ? { shard: `${opts.shard.k}/${opts.shard.n}` } : {}), ...(opts.reports !== undefined ? { reports: Object.fromEntries(reports) } : {}) };
          process.stdout.write(JSON.stringify(out) + "\n");
        }
        else {
          const v = r.verdicts;
          process.stdout.write(
            `swept ${r.scenario !== undefined ? `scenario ${r.scenario}, ` : ""}${r.ran} of ${r.seeds} seeds in ${(r.wallMs / 1000).toFixed(1)}s (${r.seedsPerMinute} seeds/min, ${r.jobs} jobs): ` +
              `${v.ok} ok, ${v.violation} violation, ${v.liveness} liveness, ${v.unknown} unknown${r.errors > 0 ? `, ${r.errors} internal error${r.errors === 1 ? "" : "s"}` : ""}\n`,
          );
          if (r.expect !== undefined)
            process.stdout.write(
              r.mismatched === 0
                ? `expect ${r.expect}: all ${r.matched} seeds as the scenario expects\n`
                : `expect ${r.expect}: ${r.matched} seeds as expected, ${r.mismatched} NOT (listed below)\n`,
            );
          for (const f of r.failures.slice(0, 20))
            process.stdout.write(`  seed ${f.seed}: ${f.error !== undefined ? `internal error: ${f.error}` : `${f.verdict}: ${f.message}`}\n    replay: ${f.replay}\n${f.shrink !== undefined ? `    shrink: ${f.shrink}\n` : ""}${reports.has(f.seed) ? `    report: ${reports.get(f.seed)}\n` : ""}`);
          if (r.failures.length > 20) process.stdout.write(`  ... and ${r.failures.length - 20} more (use --json for all)\n`);
          const measured = metricsTable(r.metrics, "seeds");
          if (measured.length > 0) process.stdout.write(`per-seed measurements over the seeds that ran (${system}'s compare columns):\n${measured.map((l) => `  ${l}\n`).join("")}`);
        }
        process.exitCode = sweepExit(r);
      }),
  );
}
