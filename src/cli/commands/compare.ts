// `raftsim compare`: a system's design variants on the same fault schedules, one table
// (variant × fault family). The flags, a progress bar on stderr, the printed table and the exit
// code; the engine is src/api/compare.ts.
import { availableParallelism } from "node:os";
import { Command, InvalidArgumentError, Option } from "commander";
import cliProgress from "cli-progress";
import { compare, CompareInputError, isAggregate, ScheduleMismatchError, type CompareReport } from "../../api/compare.js";
import { getSystem } from "../../api/systems.js";
import { formatDuration } from "../../util/duration.js";
import { InputError, UsageError } from "../errors.js";
import { Exit, type ExitCode } from "../exit-codes.js";
import { checkBugs, checkSystemOptions, parseNameList, parseOnOff, parseSeedRangeOption, parseSystem, parseSystemOptions, parseTime } from "../sim-options.js";

interface CompareCli {
  system?: string;
  variants?: string[];
  detectors?: string[];
  seeds?: { from: number; to: number };
  families?: string[];
  everyFault?: boolean;
  jobs: number;
  time: number;
  bug?: string;
  sutAsserts: boolean;
  calibrate?: number;
  systemOptions?: Record<string, unknown>;
  json?: boolean;
  progress: boolean;
}

function parsePositive(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

function parseTarget(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a positive number (the target, in the calibration column's unit: ms for failover)");
  return n;
}

/** 0: the table was made (violations are findings, listed in it); 70: a run threw. */
export function compareExit(r: CompareReport): ExitCode {
  return r.rows.some((x) => x.errors > 0) ? Exit.software : Exit.ok;
}

const COLUMN_LABELS: Readonly<Record<string, string>> = {
  tdP50Ms: "T_D ms",
  failoverP50Ms: "failover ms",
  failoverMaxMs: "fo max ms",
  unavailMaxMs: "unavail ms",
  falseFailovers: "false fo",
  dualWritableMs: "W2 ms",
  lostAckedWrites: "lost acks",
  epochCollisions: "collisions",
  mistakes: "mistakes",
  strictMistakes: "strict",
  paMin: "P_A min",
  msgsPerNodeS: "msgs/node/s",
  busKBPerNodeS: "bus KB/node/s",
};

/** Columns whose worst seed is the smallest value (shown as median/min). */
const LOW_IS_BAD = new Set(["paMin"]);

const num = (x: number | null): string => (x === null ? "-" : Number.isInteger(x) ? String(x) : Math.abs(x) < 1 ? x.toFixed(3) : x.toFixed(Math.abs(x) < 100 ? 1 : 0));

/** The table: one line per (family, variant); each column "median/max" over the seeds. */
export function formatCompare(r: CompareReport): string {
  const out: string[] = [];
  out.push(`raftsim compare: system ${r.system}, ${r.seeds} seeds per cell, ${formatDuration(r.timeUs)} each${r.everyFault ? ", swarm row with every fault family" : ""}${r.bugs.length > 0 ? `, bugs ${r.bugs.join(", ")}` : ""}${r.systemOptions !== undefined ? `, system options ${JSON.stringify(r.systemOptions)}` : ""}; same schedule verified on ${r.schedulesChecked} (family, seed) pairs; ${(r.wallMs / 1000).toFixed(1)} s`);
  if (r.calibration !== undefined) {
    const c = r.calibration;
    out.push(`calibrated to median ${c.column} = ${c.target} on ${c.description}:`);
    for (const x of c.results)
      out.push(x.knob === null ? `  ${x.variant}: no knob, run as it is` : `  ${x.variant}: ${x.knob} = ${x.value} (median ${num(x.median)}${x.reached ? "" : ", target out of the knob's range: nearest end"})`);
  }
  const head = ["family", "variant", "seeds", "viol", "live", ...r.columns.map((c) => COLUMN_LABELS[c] ?? c)];
  const rows: string[][] = [head];
  for (const row of r.rows) {
    const cells = [row.family, row.variant, String(row.seeds), String(row.violations), String(row.liveness + row.errors)];
    for (const c of r.columns) {
      const a = row[c];
      // P_A: low is bad, so its worst seed is the minimum.
      const worst = (x: { max: number | null; min: number | null }): number | null => (LOW_IS_BAD.has(c) ? x.min : x.max);
      cells.push(isAggregate(a) ? (a.seeds === 0 ? "-" : `${num(a.p50)}/${num(worst(a))}`) : "-");
    }
    rows.push(cells);
  }
  const widths = head.map((_, i) => Math.max(...rows.map((x) => x[i].length)));
  for (const x of rows) out.push(x.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "));
  const lowIsBad = r.columns.filter((c) => LOW_IS_BAD.has(c)).map((c) => `${COLUMN_LABELS[c] ?? c}: median/min`);
  out.push(`(each metric: median/max over the seeds that measured it${lowIsBad.length > 0 ? `, ${lowIsBad.join(", ")}` : ""}; viol: seeds with a violation; live: seeds that did not recover, or whose run threw)`);
  const failing = r.rows.filter((x) => x.counterexample !== undefined);
  if (failing.length > 0) {
    out.push("first failing seed per cell:");
    for (const x of failing) out.push(`  ${x.family} / ${x.variant}: seed ${x.counterexample!.seed}: ${x.counterexample!.verdict ?? "error"}: ${x.counterexample!.message}\n    ${x.counterexample!.replay}`);
  }
  return out.join("\n");
}

export function registerCompare(program: Command): void {
  program.addCommand(
    new Command("compare")
      .description("run a system's design variants on the same generated fault schedules and print one table, variant × fault family (violations with a counterexample, the system's metrics)")
      .option("--system <name>", "the system (see `raftsim systems`; default failover)", parseSystem)
      .option("--variants <a,b>", "variants to compare (default: all the system's)", (t: string) => parseNameList(t))
      .option("--detectors <a,b>", "failover: the same as --variants (one variant per detector)", (t: string) => parseNameList(t))
      .option("--seeds <A..B>", "seed range, inclusive, run by every variant in every family (required)", parseSeedRangeOption)
      .option("--families <a,b|all>", "fault family rows, each run alone, plus `swarm` (the default draw); default all", (t: string) => parseNameList(t))
      .option("--every-fault", "the swarm row enables every fault family on every seed")
      .option("--calibrate <target>", "first bisect each variant's main timeout until the median of the system's calibration column (failover: crash-to-failover ms on calm primary crashes) is this target", parseTarget)
      .option("--system-options <json>", "system options under every variant's, as a JSON object (failover: '{\"valkey\":{\"pingIntervalMs\":0}}' for Valkey's default ping interval T/2); nested objects merge key by key", parseSystemOptions)
      .option("--time <duration>", "simulated time per run (default 30s)", parseTime, 30_000_000)
      .option("--bug <name>", "switch on a planted bug of the system in every run")
      .option("--sut-asserts <on|off>", "off: the system's own assertions off, only the harness's checks judge (default on)", parseOnOff, true)
      .option("--jobs <n>", "worker threads (capped to the CPUs available)", parsePositive, Math.max(1, availableParallelism()))
      .option("--json", "print {system, variants, families, seeds, calibration?, rows: [{variant, detector?, family, seeds, violations, liveness, errors, counterexample?, <column>: {seeds, p50, p99, max, sum}}], ...} on stdout")
      .addOption(new Option("--no-progress", "no progress bar on stderr"))
      .addHelpText(
        "after",
        "\nExit codes: 0 the table was made (violations are findings, listed in it); 64 bad usage (unknown system, variant or family, no --seeds);\n65 the variants ran different fault schedules on a seed (the system's schedule depends on its options: not comparable); 70 a run threw (internal error).\n\nExample: raftsim compare --system failover --detectors gossip,phi --seeds 1..50 --calibrate 4000",
      )
      .action(async (opts: CompareCli) => {
        const system = opts.system ?? "failover";
        if (opts.seeds === undefined) throw new UsageError("required option '--seeds <A..B>' not specified");
        if (opts.variants !== undefined && opts.detectors !== undefined) throw new UsageError("--detectors is another name for --variants: give one");
        if (opts.detectors !== undefined && getSystem(system).detectors === undefined) throw new UsageError(`--detectors: system ${system} has no detector families (use --variants)`);
        const bugs = opts.bug === undefined ? [] : [opts.bug];
        checkBugs(system, bugs);
        checkSystemOptions(system, opts.systemOptions);
        const families = opts.families === undefined || (opts.families.length === 1 && opts.families[0] === "all") ? undefined : opts.families;
        const bar =
          opts.progress && process.stderr.isTTY === true
            ? new cliProgress.SingleBar({ format: "compare {phase} [{bar}] {value}/{total}", stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
            : null;
        let phase = "";
        let r: CompareReport;
        try {
          r = await compare(
            {
              system,
              ...(opts.variants ?? opts.detectors ? { variants: opts.variants ?? opts.detectors } : {}),
              seeds: opts.seeds,
              ...(families !== undefined ? { families } : {}),
              everyFault: opts.everyFault ?? false,
              timeUs: opts.time,
              bugs,
              sutAsserts: opts.sutAsserts,
              jobs: opts.jobs,
              ...(opts.calibrate !== undefined ? { calibrateTo: opts.calibrate } : {}),
              ...(opts.systemOptions !== undefined ? { systemOptions: opts.systemOptions } : {}),
            },
            (p) => {
              if (bar === null) return;
              if (p.phase !== phase) {
                if (phase !== "") bar.stop();
                phase = p.phase;
                bar.start(p.total, 0, { phase: p.phase });
              }
              bar.update(p.done, { phase: p.phase });
            },
          );
        } catch (e) {
          if (e instanceof CompareInputError) throw new UsageError(e.message);
          if (e instanceof ScheduleMismatchError) throw new InputError(system, e.message);
          throw e;
        } finally {
          bar?.stop();
        }
        process.stdout.write((opts.json ? JSON.stringify(r) : formatCompare(r)) + "\n");
        process.exitCode = compareExit(r);
      }),
  );
}
