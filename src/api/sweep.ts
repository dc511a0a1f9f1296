// The sweep engine: many seeds of the checked cluster, in parallel on worker threads. Seeds go
// out in small batches; results are collected by seed, so the report never depends on the
// number of jobs or on which worker finished first. With stopOnFirst the sweep reports the
// lowest failing seed: batches below a known failure still run, batches above it are skipped.
// A seed whose run throws is a failure with an `error` (counted in `errors`), not a verdict.
// Host layer: no console, no command line; progress goes to the caller through a callback.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import Tinypool from "tinypool";
import type { Verdict as ClusterVerdict } from "../sim/runner/verdict.js";
import { runOptionsFor } from "./simulate.js";
import { judge, type Expectation, type Scenario } from "../sim/scenario/index.js";
import { rerunLine, shrinkLine } from "./replay.js";
import { describeError, erroredSummary, runOneWith, runSeeds, type SeedSummary, type SweepTask } from "./sweep-worker.js";
import { getSystem } from "../sim/systems/index.js";
import type { SeedRange } from "../util/ranges.js";
import { MetricsAggregator, type SeedAggregate } from "./aggregate.js";

/** The seeds of a sweep: a list, or an inclusive range walked every `step` seeds (default 1;
 * a shard of a range is a strided range), never built. */
export type SeedSet = readonly number[] | (SeedRange & { readonly step?: number });

export function seedCount(seeds: SeedSet): number {
  if (!("from" in seeds)) return seeds.length;
  return seeds.to < seeds.from ? 0 : Math.floor((seeds.to - seeds.from) / (seeds.step ?? 1)) + 1;
}

/** The seeds in batches of SWEEP_BATCH, lazily. */
function* seedBatches(seeds: SeedSet): Generator<number[]> {
  if ("from" in seeds) {
    const step = seeds.step ?? 1;
    let b: number[] = [];
    for (let x = seeds.from; x <= seeds.to; x += step) {
      b.push(x);
      if (b.length === SWEEP_BATCH) {
        yield b;
        b = [];
      }
    }
    if (b.length > 0) yield b;
    return;
  }
  for (let i = 0; i < seeds.length; i += SWEEP_BATCH) yield seeds.slice(i, i + SWEEP_BATCH);
}

export interface SweepOptions {
  /** The system under test (default raft-metadata). */
  readonly system?: string;
  /** The seeds to run, ascending: a list, or an inclusive range that is walked, never built
   * (a range of 10^12 seeds costs no memory up front). */
  readonly seeds: SeedSet;
  /** Worker threads wanted (default: the host's available parallelism); capped by planJobs.
   * 1 runs in this thread. */
  readonly jobs?: number;
  /** A scenario; seeds whose verdict is not its `expect` are failures. */
  readonly scenario?: Scenario;
  /** How the user named the scenario (a name or a path): the replay lines repeat it. */
  readonly scenarioRef?: string;
  /** Planted bugs switched on (on top of the scenario's own). */
  readonly bugs?: readonly string[];
  /** false: every seed runs with the system's own assertions off (`--sut-asserts off`). */
  readonly sutAsserts?: boolean;
  readonly stopOnFirst?: boolean;
  /** Every fault family on every seed (not the swarm's random subset). Ignored with a scenario. */
  readonly everyFault?: boolean;
  /** Simulated time per seed, µs. */
  readonly timeUs: number;
  /** --detector NAME (systems with detectors). */
  readonly detector?: string;
  /** Merged into every seed's system options (RunOptions.options), e.g. raft-metadata's
   * { fast: false } (`--no-fast`). The replay lines of failures repeat them. */
  readonly systemOptions?: Readonly<Record<string, unknown>>;
}

export interface SweepFailure {
  seed: number;
  /** The system's verdict; null when the run threw (then `error` says how). */
  verdict: ClusterVerdict | null;
  message: string | null;
  /** Only when the run threw instead of giving a verdict (a harness error, not a finding about
   * the system): "Name: message (at first stack frame)". Also in `message`. */
  error?: string;
  /** `raftsim run …` that reruns this seed alone. */
  replay: string;
  /** `raftsim shrink …` that shrinks it (a violation or liveness failure only). */
  shrink?: string;
}

export interface SweepReport {
  seeds: number;
  ran: number;
  /** Verdicts of the seeds that ran to the end. */
  verdicts: Record<ClusterVerdict, number>;
  /** Seeds whose run threw (each is also in `failures`, with `error`). */
  errors: number;
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
  /** Worker threads used (see planJobs), and how many were asked for. */
  jobs: number;
  jobsRequested: number;
  /** Systems with compare columns (System.compareMetrics, e.g. failover): each column's median,
   * p99, max and sum over the seeds that ran and measured it. */
  metrics?: Record<string, SeedAggregate>;
}

/** Reported after every batch. */
export interface SweepProgress {
  /** Seeds finished so far (of `total`). */
  done: number;
  total: number;
  /** Failing seeds so far. */
  failures: number;
  seedsPerMinute: number;
}

/** V8's interrupt budget for a sweep (bytes of bytecode a function runs before V8 considers
 * optimising it; V8 11's default is 132 KB). See tuneJitForSweep. */
export const SWEEP_INTERRUPT_BUDGET = 400_000;

/** Let V8 tier functions up later, on more settled type feedback: a sweep runs the same code for
 * every seed, and most of a short sweep's CPU is the JIT warming up (raft-metadata, 40 seeds of
 * 10 s in one thread: 1.7 s CPU for the first 40, 0.3 s for each later 40). With a 3x budget
 * the first 40 took 1.2 s and the later ones the same as before (200 seeds: about 15% less CPU,
 * measured in one process, several runs; 250 k and 800 k did about as well). JIT timing only:
 * no effect on any result or hash. Process-wide (V8 flags are global, and worker threads started
 * later inherit them), so the CLI calls it and a library caller may choose to. Idempotent. */
export function tuneJitForSweep(): void {
  if (jitTuned) return;
  jitTuned = true;
  setFlagsFromString(`--interrupt-budget=${SWEEP_INTERRUPT_BUDGET}`);
  // Baseline (Sparkplug) code from a function's first call instead of after a while in the
  // interpreter: the warm-up runs on compiled code sooner (first 40 seeds in one thread: 1.13 s
  // CPU against 1.27 s, 3 runs each; later seeds the same, TurboFan takes over as before).
  // Flags V8 11-13 (Node 20-24) all know.
  setFlagsFromString("--always-sparkplug");
}
let jitTuned = false;

/** Seeds per task sent to a worker. */
export const SWEEP_BATCH = 10;

/** The worker module for Tinypool. Built: dist/src/api/sweep-worker.js beside this file. Under
 * vitest this file is src/api/sweep.ts and a worker thread cannot load TypeScript, so the
 * built worker is used (run `npm run build` first; it runs the code as last built). */
export interface JobsPlan {
  /** Threads the sweep will use: min(requested, cpus, batches), at least 1. */
  jobs: number;
  requested: number;
  cpus: number;
  batches: number;
}

/** More threads than CPUs only share them, and more than batches have nothing to do; an
 * unbounded pool (say 10,000 threads) never finishes starting. */
export function planJobs(requested: number | undefined, seedCount: number, cpus: number = availableParallelism()): JobsPlan {
  const want = requested ?? cpus;
  const batches = Math.ceil(seedCount / SWEEP_BATCH);
  return { jobs: Math.max(1, Math.min(want, cpus, batches)), requested: want, cpus, batches };
}

export function sweepWorkerFile(): string {
  const beside = fileURLToPath(new URL("./sweep-worker.js", import.meta.url));
  if (existsSync(beside)) return beside;
  const built = fileURLToPath(new URL("../../dist/src/api/sweep-worker.js", import.meta.url));
  if (import.meta.url.endsWith(".ts") && existsSync(built)) return built;
  throw new Error(`sweep worker not found at ${beside} (run \`npm run build\`)`);
}

export async function sweep(o: SweepOptions, onProgress?: (p: SweepProgress) => void): Promise<SweepReport> {
  const bugs = o.bugs ?? [];
  const total = seedCount(o.seeds);
  const plan = planJobs(o.jobs, total);
  const jobs = plan.jobs;
  // The options of every seed's run, as plain data (the same path `raftsim run` takes).
  const { system, options } = runOptionsFor({ system: o.system, seed: 0, timeUs: o.timeUs, bugs, sutAsserts: o.sutAsserts, everyFamily: o.everyFault ?? false, scenario: o.scenario, detector: o.detector });
  const { seed: _seed, inspect: _inspect, ...plain } = options;
  const base = o.systemOptions === undefined ? plain : { ...plain, options: { ...(plain.options as Record<string, unknown> | undefined), ...o.systemOptions } };
  const expect: Expectation = o.scenario?.expect ?? "ok";
  // A seed fails when its run threw, or when its verdict is not the expected one.
  const fails = (r: SeedSummary): boolean => r.verdict === null || !judge(expect, r.verdict).met;
  const batches = seedBatches(o.seeds);
  const t0 = performance.now();
  // Without stopOnFirst only the failures are kept (a long sweep's memory does not grow with
  // its seeds); with it, every result, since a lower failure found later drops those above it.
  const stopOnFirst = o.stopOnFirst ?? false;
  const results: SeedSummary[] = [];
  const totals = { ran: 0, errors: 0, events: 0, simulatedUs: 0, verdicts: { ok: 0, violation: 0, liveness: 0, unknown: 0 } };
  let done = 0;
  let lowestFailure = Infinity;
  let failures = 0;
  const agg = new MetricsAggregator();
  const record = (rs: SeedSummary[]): void => {
    for (const r of rs) {
      done++;
      const failed = fails(r);
      if (stopOnFirst || failed) results.push(r);
      if (!stopOnFirst) {
        totals.ran++;
        if (r.verdict === null) totals.errors++;
        else totals.verdicts[r.verdict]++;
        totals.events += r.events;
        totals.simulatedUs += r.simulatedUs;
        agg.add(r.metrics);
      }
      if (failed) {
        failures++;
        lowestFailure = Math.min(lowestFailure, r.seed);
      }
    }
    const seedsPerMinute = Math.round((done / Math.max(1, performance.now() - t0)) * 60_000);
    onProgress?.({ done, total, failures, seedsPerMinute });
  };
  const skip = (b: number[]): boolean => stopOnFirst && b[0] > lowestFailure;
  // (With a list of seeds given out of order the batches would not ascend; the CLI sorts them.)

  if (jobs <= 1) {
    for (const b of batches) {
      if (skip(b)) break; // batches ascend: every later one would be skipped too
      record(runSeeds({ system, seeds: b, base, faultsHash: false }, runOneWith(getSystem), getSystem));
    }
  } else {
    const pool = new Tinypool({ filename: sweepWorkerFile(), minThreads: jobs, maxThreads: jobs });
    try {
      // Feed batches a few at a time, so stopOnFirst can skip what has not started yet.
      const lane = async (): Promise<void> => {
        for (;;) {
          const next = batches.next();
          if (next.done === true) return;
          const b = next.value;
          if (skip(b)) return; // batches ascend: every later one would be skipped too
          const task: SweepTask = { system, seeds: b, base, faultsHash: false };
          let rs: SeedSummary[];
          try {
            rs = (await pool.run(task)) as SeedSummary[];
          } catch (e) {
            // The worker itself died: every seed of the batch is an error, the sweep goes on.
            const error = `worker failed: ${describeError(e)}`;
            rs = b.map((seed) => erroredSummary(seed, error));
          }
          record(rs);
        }
      };
      await Promise.all(Array.from({ length: jobs * 2 }, lane));
    } finally {
      await pool.destroy();
    }
  }
  const wallMs = performance.now() - t0;
  results.sort((a, b) => a.seed - b.seed);
  const kept = stopOnFirst ? results.filter((r) => r.seed <= lowestFailure) : results;
  if (stopOnFirst)
    for (const r of kept) {
      totals.ran++;
      if (r.verdict === null) totals.errors++;
      else totals.verdicts[r.verdict]++;
      totals.events += r.events;
      totals.simulatedUs += r.simulatedUs;
      agg.add(r.metrics);
    }
  const { verdicts, errors, events, simulatedUs } = totals;
  const failing = kept.filter(fails);
  const everyFault = o.everyFault ?? false;
  return {
    seeds: total,
    ran: totals.ran,
    verdicts,
    errors,
    ...(o.scenario !== undefined ? { scenario: o.scenario.name, expect, matched: totals.ran - failing.length, mismatched: failing.length } : {}),
    failures: (o.stopOnFirst ? failing.slice(0, 1) : failing).map((r) => ({
      seed: r.seed,
      verdict: r.verdict,
      message: o.scenario !== undefined && r.verdict === "ok" ? judge(expect, r.verdict).message : r.message,
      ...(r.error !== undefined ? { error: r.error } : {}),
      replay: rerunLine({ system, seed: r.seed, timeUs: o.timeUs, scenarioRef: o.scenarioRef, bugs, sutAsserts: o.sutAsserts, everyFault, detector: o.detector, ...(o.systemOptions !== undefined ? { systemOptions: o.systemOptions } : {}) }),
      ...(r.verdict === "violation" || r.verdict === "liveness" ? { shrink: shrinkLine({ system, seed: r.seed, timeUs: o.timeUs, scenarioRef: o.scenarioRef, bugs, everyFault, detector: o.detector, ...(o.systemOptions !== undefined ? { systemOptions: o.systemOptions } : {}) }) } : {}),
    })),
    wallMs: Math.round(wallMs),
    seedsPerMinute: Math.round((done / wallMs) * 60_000),
    events,
    simulatedMs: Math.round(simulatedUs / 1000),
    jobs,
    jobsRequested: plan.requested,
    ...(agg.empty ? {} : { metrics: agg.result() }),
  };
}
