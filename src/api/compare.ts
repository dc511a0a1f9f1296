// `raftsim compare` as a library function (issue 11 part 7; issues 15 and 16 reuse it): a
// system's design variants (System.variants) side by side on the SAME generated fault
// schedules. For each fault family of the system, run alone (RunOptions.families = [it]), and
// for the default swarm draw ("swarm"), every variant runs the same seeds; the schedule is
// generated from the seed by the nemesis stream, apart from the system, and the engine checks
// that: each run's schedule is hashed (RunResult.faults) and every variant of a (family, seed)
// must have the same hash, else compare refuses (ScheduleMismatchError) — a system whose
// schedule generation depends on its options cannot be compared this way.
//
// Each cell (variant × family) reports its seeds, violations (with the first failing seed and
// the command that reruns it) and the system's compare columns (System.compareMetrics)
// aggregated over the seeds: median, p99, max, sum. With `calibrateTo`, each variant first has
// its knob (SystemVariant.knob) bisected on the system's calibration runs until the median of
// the calibration column meets the target, and runs with the options found (R4's fairness).
//
// Host layer: no console; progress goes to the caller through a callback. Deterministic: the
// same options give the same report whatever the number of jobs (results are kept by seed).
import Tinypool from "tinypool";
import { runSystem, type RunOptions } from "../sim/runner/run.js";
import type { SystemVariant, VariantKnob } from "../sim/runner/system.js";
import type { Verdict } from "../sim/runner/verdict.js";
import { MetricsAggregator, type SeedAggregate } from "./aggregate.js";
import { rerunLine } from "./replay.js";
import { runOptionsFor } from "./simulate.js";
import { planJobs, sweepWorkerFile, SWEEP_BATCH, type SeedSet } from "./sweep.js";
import { describeError, erroredSummary, runSeeds, type SeedSummary, type SweepTask } from "./sweep-worker.js";
import { getSystem, isBuiltinSystem } from "./systems.js";

/** The row of the default swarm draw (every family the seed enables, or all with everyFault). */
export const SWARM_ROW = "swarm";

export interface CompareOptions {
  readonly system: string;
  /** Variant names (default: all the system's, in its order). */
  readonly variants?: readonly string[];
  readonly seeds: SeedSet;
  /** Family rows, each run alone, plus "swarm" (default: every family of the system, then swarm). */
  readonly families?: readonly string[];
  /** The swarm row enables every family on every seed. */
  readonly everyFault?: boolean;
  /** Simulated time per run, µs. */
  readonly timeUs: number;
  readonly bugs?: readonly string[];
  readonly sutAsserts?: boolean;
  /** Worker threads (default: the host's parallelism; 1 runs in this thread). */
  readonly jobs?: number;
  /** System options under every variant's (and under the calibration knob's): e.g. failover's
   * `{"valkey": {"pingIntervalMs": 0}}` for Valkey's default ping interval T/2. Nested plain
   * objects are merged key by key, so a variant's `valkey.nodeTimeoutMs` keeps the rest. */
  readonly systemOptions?: Readonly<Record<string, unknown>>;
  /** Calibrate every variant with a knob to this median of the system's calibration column. */
  readonly calibrateTo?: number;
  /** Bisection steps per variant (default 12). */
  readonly calibrationSteps?: number;
}

export interface CompareCounterexample {
  readonly seed: number;
  readonly verdict: Verdict | null;
  readonly message: string | null;
  /** `raftsim run …` that reruns it (with --families and --system-options as needed). */
  readonly replay: string;
}

export interface CompareRow {
  readonly variant: string;
  /** The variant's detector option, for systems whose variants are detectors (failover). */
  readonly detector?: string;
  readonly family: string;
  readonly seeds: number;
  /** Seeds whose verdict was a violation (a hard property broken). */
  readonly violations: number;
  /** Seeds that did not recover after the final heal, and runs that threw. */
  readonly liveness: number;
  readonly unknown: number;
  readonly errors: number;
  /** The lowest failing seed (violation first, else liveness or error). */
  readonly counterexample?: CompareCounterexample;
  /** The system's compare columns over the seeds: {seeds, p50, p99, max, sum} each. */
  readonly [column: string]: unknown;
}

export interface CalibrationResult {
  readonly variant: string;
  /** The knob and the value found; null when the variant has none (run uncalibrated). */
  readonly knob: string | null;
  readonly value: number | null;
  /** Median of the calibration column at that value. */
  readonly median: number | null;
  /** Whether the target lies within the knob's range (else the nearest end is used). */
  readonly reached: boolean;
  /** The variant's options as run. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly steps: number;
}

export interface CompareReport {
  readonly system: string;
  readonly variants: readonly { readonly name: string; readonly description: string; readonly options: Readonly<Record<string, unknown>> }[];
  readonly families: readonly string[];
  readonly seeds: number;
  readonly timeUs: number;
  readonly everyFault: boolean;
  readonly bugs: readonly string[];
  readonly systemOptions?: Readonly<Record<string, unknown>>;
  /** The compare columns, in the system's order. */
  readonly columns: readonly string[];
  readonly calibration?: { readonly target: number; readonly column: string; readonly description: string; readonly results: readonly CalibrationResult[] };
  /** (family, seed) pairs checked for the same schedule across variants (all, when no error). */
  readonly schedulesChecked: number;
  readonly rows: readonly CompareRow[];
  readonly wallMs: number;
}

export interface CompareProgress {
  readonly phase: "calibrate" | "compare";
  readonly done: number;
  readonly total: number;
}

export class CompareInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CompareInputError";
  }
}

export class ScheduleMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScheduleMismatchError";
  }
}

/** Variants by name (all when `names` is undefined); unknown names are an input error. */
export function resolveVariants(system: string, names?: readonly string[]): SystemVariant[] {
  const sys = getSystem(system);
  const all = sys.variants ?? [];
  if (all.length === 0) throw new CompareInputError(`system ${system} defines no variants to compare (System.variants)`);
  if (names === undefined) return [...all];
  if (names.length === 0) throw new CompareInputError("variants: the list is empty");
  const out: SystemVariant[] = [];
  for (const n of names) {
    const v = all.find((x) => x.name === n);
    if (v === undefined) throw new CompareInputError(`variants: unknown variant "${n}" of system ${system}; known: ${all.map((x) => x.name).join(", ")}`);
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

/** Family rows: the names given (each a family of the system, or "swarm"), else all + swarm. */
export function resolveFamilies(system: string, names?: readonly string[]): string[] {
  const known = getSystem(system).families.map((f) => f.name);
  if (names === undefined) return [...known, SWARM_ROW];
  if (names.length === 0) throw new CompareInputError("families: the list is empty");
  const out: string[] = [];
  for (const n of names) {
    if (n !== SWARM_ROW && !known.includes(n)) throw new CompareInputError(`families: unknown fault family "${n}" of system ${system}; known: ${[...known, SWARM_ROW].join(", ")}`);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/** A pool of worker threads, or this thread: runs one task, returns its seeds' summaries. */
interface Runner {
  run(task: SweepTask): Promise<SeedSummary[]>;
  close(): Promise<void>;
}

function makeRunner(system: string, jobs: number): Runner {
  if (jobs <= 1 || !isBuiltinSystem(system)) {
    // In this thread, systems registered with registerSystem are known too.
    return { run: async (t) => runSeeds(t, (name, o) => runSystem(getSystem(name), o), getSystem), close: async () => {} };
  }
  const pool = new Tinypool({ filename: sweepWorkerFile(), minThreads: jobs, maxThreads: jobs });
  return {
    run: async (t) => {
      try {
        return (await pool.run(t)) as SeedSummary[];
      } catch (e) {
        const error = `worker failed: ${describeError(e)}`;
        return t.seeds.map((seed) => erroredSummary(seed, error));
      }
    },
    close: () => pool.destroy(),
  };
}

function* seedList(seeds: SeedSet): Generator<number> {
  if ("from" in seeds) {
    for (let x = seeds.from; x <= seeds.to; x += seeds.step ?? 1) yield x;
  } else yield* seeds;
}

function batches(xs: readonly number[]): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < xs.length; i += SWEEP_BATCH) out.push(xs.slice(i, i + SWEEP_BATCH));
  return out;
}

/** Run tasks through the runner, at most `lanes` at a time. */
async function runAll<T>(items: readonly T[], lanes: number, f: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await f(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, lanes) }, lane));
}

/** Base run options (plain data for the workers) with a variant's options laid over them. */
function baseFor(o: CompareOptions, family: string, variantOptions: Readonly<Record<string, unknown>>): Omit<RunOptions, "seed" | "inspect"> {
  const { options } = runOptionsFor({ system: o.system, seed: 0, timeUs: o.timeUs, bugs: o.bugs, sutAsserts: o.sutAsserts, everyFamily: family === SWARM_ROW && (o.everyFault ?? false), ...(family === SWARM_ROW ? {} : { families: [family] }) });
  const { seed: _s, inspect: _i, ...plain } = options;
  return { ...plain, options: layered(plain.options, variantOptions) };
}

const isPlain = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** Options laid over each other left to right; nested plain objects merged key by key. */
export function layered(...layers: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const l of layers) {
    if (!isPlain(l)) continue;
    for (const [k, v] of Object.entries(l)) out[k] = isPlain(v) && isPlain(out[k]) ? layered(out[k], v) : v;
  }
  return out;
}

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(0.5 * s.length) - 1))];
}

/** Bisect a variant's knob so the median of the calibration column reaches `target`. A run
 * that measured nothing (no failover) counts as slower than any target. */
async function calibrateVariant(o: CompareOptions, v: SystemVariant, runner: Runner, target: number, steps: number, tick: () => void): Promise<CalibrationResult> {
  const sys = getSystem(o.system);
  const cal = sys.calibration!;
  const knob = v.knob;
  if (knob === undefined) return { variant: v.name, knob: null, value: null, median: null, reached: false, options: layered(o.systemOptions, v.options), steps: 0 };
  const snap = (x: number, k: VariantKnob): number => Math.min(k.hi, Math.max(k.lo, Math.round(x / k.step) * k.step));
  const cache = new Map<number, number>();
  const measure = async (x: number): Promise<number> => {
    const hit = cache.get(x);
    if (hit !== undefined) return hit;
    const { options } = runOptionsFor({ system: o.system, seed: 0, timeUs: cal.timeUs, bugs: o.bugs, sutAsserts: o.sutAsserts, faults: cal.faults });
    const { seed: _s, inspect: _i, ...plain } = options;
    const base = { ...plain, options: layered(plain.options, o.systemOptions, knob.options(x)) };
    const rs = await runner.run({ system: o.system, seeds: cal.seeds, base });
    const xs: number[] = [];
    for (const r of rs) {
      const m = r.metrics?.[cal.column];
      xs.push(m === null || m === undefined || r.verdict === null ? Infinity : m);
    }
    const med = median(xs) ?? Infinity;
    cache.set(x, med);
    tick();
    return med;
  };
  let lo = snap(knob.lo, knob);
  let hi = snap(knob.hi, knob);
  const mLo = await measure(lo);
  const mHi = await measure(hi);
  let used = 2;
  if (!(mLo <= target && target <= mHi)) {
    const best = Math.abs(mLo - target) <= Math.abs(mHi - target) ? lo : hi;
    const m = best === lo ? mLo : mHi;
    return { variant: v.name, knob: knob.name, value: best, median: Number.isFinite(m) ? m : null, reached: false, options: layered(o.systemOptions, knob.options(best)), steps: used };
  }
  for (let i = 0; i < steps && hi - lo > knob.step; i++) {
    const mid = snap((lo + hi) / 2, knob);
    if (mid === lo || mid === hi) break;
    const m = await measure(mid);
    used++;
    if (m <= target) lo = mid;
    else hi = mid;
  }
  const a = await measure(lo);
  const b = await measure(hi);
  const pick = Math.abs(a - target) <= Math.abs(b - target) ? lo : hi;
  const m = pick === lo ? a : b;
  return { variant: v.name, knob: knob.name, value: pick, median: Number.isFinite(m) ? m : null, reached: true, options: layered(o.systemOptions, knob.options(pick)), steps: used };
}

export async function compare(o: CompareOptions, onProgress?: (p: CompareProgress) => void): Promise<CompareReport> {
  const t0 = performance.now();
  const sys = getSystem(o.system);
  const variants = resolveVariants(o.system, o.variants);
  const families = resolveFamilies(o.system, o.families);
  const seeds = [...seedList(o.seeds)];
  if (seeds.length === 0) throw new CompareInputError("seeds: the range is empty");
  if (o.calibrateTo !== undefined) {
    if (!(Number.isFinite(o.calibrateTo) && o.calibrateTo > 0)) throw new CompareInputError(`calibrate: the target must be a positive number, got ${o.calibrateTo}`);
    if (sys.calibration === undefined) throw new CompareInputError(`calibrate: system ${o.system} defines no calibration runs (System.calibration)`);
  }
  const cells = families.length * variants.length;
  const plan = planJobs(o.jobs, seeds.length * cells);
  const runner = makeRunner(o.system, plan.jobs);
  try {
    // 1. Calibration (optional): each variant's options replaced by its knob's at the target.
    let calibration: CompareReport["calibration"];
    // Each variant's options as run (over the given system options); replay lines repeat them.
    const optionsOf = new Map<string, Readonly<Record<string, unknown>>>(variants.map((v) => [v.name, layered(o.systemOptions, v.options)]));
    if (o.calibrateTo !== undefined) {
      const steps = o.calibrationSteps ?? 12;
      let done = 0;
      const total = variants.filter((v) => v.knob !== undefined).length * (steps + 4);
      const results: CalibrationResult[] = new Array(variants.length);
      await runAll(
        variants.map((v, i) => ({ v, i })),
        plan.jobs,
        async ({ v, i }) => {
          results[i] = await calibrateVariant(o, v, runner, o.calibrateTo!, steps, () => onProgress?.({ phase: "calibrate", done: ++done, total }));
        },
      );
      for (const r of results) optionsOf.set(r.variant, r.options);
      const cal = sys.calibration!;
      calibration = { target: o.calibrateTo, column: cal.column, description: cal.description, results };
    }

    // 2. The table: every (family, variant) cell on the same seeds.
    const summaries = new Map<string, Map<number, SeedSummary>>();
    const tasks: { family: string; variant: SystemVariant; seeds: number[] }[] = [];
    for (const family of families)
      for (const variant of variants) {
        summaries.set(`${family}\u0000${variant.name}`, new Map());
        for (const b of batches(seeds)) tasks.push({ family, variant, seeds: b });
      }
    let done = 0;
    const total = seeds.length * cells;
    await runAll(tasks, plan.jobs * 2, async (t) => {
      const rs = await runner.run({ system: o.system, seeds: t.seeds, base: baseFor(o, t.family, optionsOf.get(t.variant.name)!) });
      const m = summaries.get(`${t.family}\u0000${t.variant.name}`)!;
      for (const r of rs) m.set(r.seed, r);
      done += rs.length;
      onProgress?.({ phase: "compare", done, total });
    });

    // 3. Same schedule for every variant of a (family, seed), or refuse.
    let checked = 0;
    for (const family of families)
      for (const seed of seeds) {
        const hashes = variants.map((v) => ({ v: v.name, h: summaries.get(`${family}\u0000${v.name}`)!.get(seed)?.faultsHash }));
        const known = hashes.filter((x) => x.h !== undefined);
        if (known.length < 2) continue;
        checked++;
        const odd = known.find((x) => x.h !== known[0].h);
        if (odd !== undefined)
          throw new ScheduleMismatchError(
            `system ${o.system}: variants ${known[0].v} and ${odd.v} ran different fault schedules on seed ${seed} (family ${family}): its schedule generation depends on its options, so the variants cannot be compared on the same faults`,
          );
      }

    // 4. Rows.
    const columns: string[] = [];
    const rows: CompareRow[] = [];
    for (const family of families)
      for (const variant of variants) {
        const m = summaries.get(`${family}\u0000${variant.name}`)!;
        const agg = new MetricsAggregator();
        let violations = 0;
        let liveness = 0;
        let unknown = 0;
        let errors = 0;
        let firstViolation: SeedSummary | undefined;
        let firstOther: SeedSummary | undefined;
        for (const seed of seeds) {
          const r = m.get(seed);
          if (r === undefined) continue;
          agg.add(r.metrics);
          if (r.verdict === "violation") {
            violations++;
            firstViolation ??= r;
          } else if (r.verdict === null) {
            errors++;
            firstOther ??= r;
          } else if (r.verdict === "liveness") {
            liveness++;
            firstOther ??= r;
          } else if (r.verdict === "unknown") unknown++;
        }
        const metrics = agg.result();
        for (const k of Object.keys(metrics)) if (!columns.includes(k)) columns.push(k);
        const first = firstViolation ?? firstOther;
        const opts = optionsOf.get(variant.name)!;
        const detector = typeof opts.detector === "string" ? opts.detector : undefined;
        rows.push({
          variant: variant.name,
          ...(detector !== undefined ? { detector } : {}),
          family,
          seeds: m.size,
          violations,
          liveness,
          unknown,
          errors,
          ...(first !== undefined ? { counterexample: { seed: first.seed, verdict: first.verdict, message: first.message, replay: replayFor(o, family, opts, first.seed) } } : {}),
          ...metrics,
        });
      }
    return {
      system: o.system,
      variants: variants.map((v) => ({ name: v.name, description: v.description, options: optionsOf.get(v.name)! })),
      families,
      seeds: seeds.length,
      timeUs: o.timeUs,
      everyFault: o.everyFault ?? false,
      bugs: [...(o.bugs ?? [])],
      ...(o.systemOptions !== undefined ? { systemOptions: o.systemOptions } : {}),
      columns,
      ...(calibration !== undefined ? { calibration } : {}),
      schedulesChecked: checked,
      rows,
      wallMs: Math.round(performance.now() - t0),
    };
  } finally {
    await runner.close();
  }
}

/** The command that reruns one seed of a cell: the family alone (--families), the variant's
 * options (--detector when that is all they are, else --system-options). */
export function replayFor(o: CompareOptions, family: string, options: Readonly<Record<string, unknown>>, seed: number): string {
  const keys = Object.keys(options);
  const onlyDetector = keys.length === 1 && typeof options.detector === "string";
  return rerunLine({
    system: o.system,
    seed,
    timeUs: o.timeUs,
    bugs: o.bugs ?? [],
    sutAsserts: o.sutAsserts,
    everyFault: family === SWARM_ROW && (o.everyFault ?? false),
    ...(family === SWARM_ROW ? {} : { families: [family] }),
    ...(onlyDetector ? { detector: options.detector as string } : keys.length > 0 ? { systemOptions: options } : {}),
  });
}

export function isAggregate(x: unknown): x is SeedAggregate {
  return typeof x === "object" && x !== null && "seeds" in x && "p50" in x && "max" in x;
}
