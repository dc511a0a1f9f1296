// A sweep worker thread: runs a batch of seeds of one system and returns one small summary per seed (the
// trace and the history stay in the worker, so memory does not grow with the sweep). A run
// that throws — a harness error escaping runCluster, a scenario or model that throws — is
// reported as that seed's `error`, never as a verdict about the system, and the batch goes on.
//
// A worker thread loads only the system its tasks name where it can (resolverFor): not the
// registry of every system. Module loading is a fixed cost per thread: the registry's graph
// cost a thread about 160 ms of CPU, raft-metadata's alone about 100 ms.
import { runSystem, type RunOptions, type RunResult } from "../sim/runner/run.js";
import type { System } from "../sim/runner/system.js";
import type { Verdict } from "../sim/runner/verdict.js";
import { fnv1a } from "../util/hash.js";

export interface SweepTask {
  /** The registered system's name (plain data: tasks cross to worker threads). */
  readonly system: string;
  readonly seeds: readonly number[];
  readonly base: Omit<RunOptions, "seed" | "inspect">;
  /** false: leave SeedSummary.faultsHash out (a sweep never reads it; only compare does, and
   * hashing each seed's schedule as JSON is about 0.4% of a sweep's CPU). Default: computed. */
  readonly faultsHash?: boolean;
}

export interface SeedSummary {
  readonly seed: number;
  /** The system's verdict; null when the run threw (see `error`). */
  readonly verdict: Verdict | null;
  readonly message: string | null;
  /** Set when the run threw instead of giving a verdict: "Name: message (at first frame)". */
  readonly error?: string;
  readonly traceHash: string;
  readonly events: number;
  readonly simulatedUs: number;
  readonly ops: number;
  /** The system's compare columns for this run (System.compareMetrics over its details);
   * absent when the system has none. Aggregated over seeds by sweep and compare. */
  readonly metrics?: Readonly<Record<string, number | null>>;
  /** FNV-1a of the run's fault schedule as generated, as JSON (RunResult.generatedFaults): compare checks that every
   * variant of a seed ran the same schedule. */
  readonly faultsHash?: string;
}

/** TEST HOOK, not a feature: RAFTSIM_TEST_THROW_SEED=5 (or "5,9") makes the runs of those seeds
 * throw before they start, so tests can watch a sweep report a harness error end to end
 * (worker threads and the CLI's exit code included). Read here only. */
const TEST_THROW_SEEDS = new Set(
  (process.env.RAFTSIM_TEST_THROW_SEED ?? "")
    .split(",")
    .filter((x) => x.trim() !== "")
    .map(Number),
);

/** Runs one seed of a system found by `resolve` (with the test hook above). */
export function runOneWith(resolve: (name: string) => System): (system: string, o: RunOptions) => RunResult {
  return (system, o) => {
    if (TEST_THROW_SEEDS.has(o.seed)) throw new Error(`synthetic failure for seed ${o.seed} (RAFTSIM_TEST_THROW_SEED)`);
    return runSystem(resolve(system), o);
  };
}

/** Systems a worker thread loads by themselves, without the registry (src/sim/systems/index.ts,
 * which loads every system): the default system, which nearly every sweep runs. The registry
 * test checks each gives the registry's own object. Any other name loads the registry. */
export const LOADS_ALONE: Readonly<Record<string, () => Promise<System>>> = {
  "raft-metadata": async () => (await import("../sim/systems/raft-metadata/system.js")).raftMetadata,
};

const resolvers = new Map<string, Promise<(name: string) => System>>();

/** How a worker thread finds the system `name` (and, through the registry, any other). */
export function resolverFor(name: string): Promise<(name: string) => System> {
  let r = resolvers.get(name);
  if (r === undefined) {
    const alone = LOADS_ALONE[name];
    r =
      alone !== undefined
        ? alone().then((sys) => (n: string) => (n === name ? sys : registryLookup(n)))
        : import("../sim/systems/index.js").then((m) => m.getSystem);
    resolvers.set(name, r);
  }
  return r;
}

/** A name other than the one a thread loaded alone: not expected within one sweep (its tasks
 * name one system), and then an error for that seed, as an unknown name is. */
function registryLookup(name: string): never {
  throw new Error(`sweep worker: system "${name}" was not loaded in this thread`);
}

/** One line for a thrown value: "TypeError: x is undefined (at f (dist/src/…/file.js:12:5))". */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return `non-Error thrown: ${typeof e === "string" ? JSON.stringify(e) : String(e)}`;
  const frame = /^\s*at (.+)$/m.exec(e.stack ?? "")?.[1];
  const where = frame?.replace(/(?:file:\/\/)?[^\s()]*?\/(?=(?:dist\/)?src\/)/, "");
  return `${e.name}: ${e.message}${where !== undefined ? ` (at ${where})` : ""}`;
}

export function erroredSummary(seed: number, error: string): SeedSummary {
  return { seed, verdict: null, message: error, error, traceHash: "", events: 0, simulatedUs: 0, ops: 0 };
}

/** The seeds of `task`, one summary each; `run` is the seam for tests (default: the system's run). */
export function runSeeds(task: SweepTask, run: (system: string, o: RunOptions) => Pick<RunResult, "verdict" | "message" | "traceHash" | "stats" | "history"> & Partial<Pick<RunResult, "details" | "faults" | "generatedFaults">>, resolve: (name: string) => System): SeedSummary[] {
  const out: SeedSummary[] = [];
  const columns = compareColumnsOf(task.system, resolve);
  for (const seed of task.seeds) {
    let s: SeedSummary;
    try {
      const r = run(task.system, { ...task.base, seed });
      s = {
        ...(columns !== null && r.details !== undefined ? { metrics: columns(r.details) } : {}),
        ...(task.faultsHash === false ? {} : r.generatedFaults !== undefined ? { faultsHash: faultsHash(r.generatedFaults) } : r.faults !== undefined ? { faultsHash: faultsHash(r.faults) } : {}),
        seed,
        verdict: r.verdict,
        message: r.message,
        traceHash: r.traceHash,
        events: r.stats.events,
        simulatedUs: r.stats.simulatedUs,
        ops: r.history?.ops ?? 0,
      };
    } catch (e) {
      // A crash of the harness is still a result for this seed, never a lost one.
      s = erroredSummary(seed, describeError(e));
    }
    out.push(s);
  }
  return out;
}

/** The system's compareMetrics, or null (none, or a system this thread does not know). */
function compareColumnsOf(system: string, resolve: (name: string) => System): ((d: Readonly<Record<string, unknown>>) => Readonly<Record<string, number | null>>) | null {
  let sys: System;
  try {
    sys = resolve(system);
  } catch {
    return null;
  }
  const f = sys.compareMetrics;
  return f === undefined ? null : (d) => f.call(sys, d);
}

export function faultsHash(faults: readonly unknown[]): string {
  const json = JSON.stringify(faults);
  const hex = (h: number): string => (h >>> 0).toString(16).padStart(8, "0");
  // Two 32-bit FNV-1a passes from different offsets: 64 bits, so a mismatch is not hidden by a
  // collision in any sweep of plausible size.
  return hex(fnv1a(json)) + hex(fnv1a(json, 0x01000193 ^ 0x5bd1e995));
}

// Tinypool calls the default export with one task, in a worker thread.
export default async function (task: SweepTask): Promise<SeedSummary[]> {
  const resolve = await resolverFor(task.system);
  return runSeeds(task, runOneWith(resolve), resolve);
}
