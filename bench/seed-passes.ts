// What bench:warmup and bench:check-share share: a child process runs the same seeds in passes,
// as a sweep worker runs its batch (its JIT settings, runSeeds, the sweep's defaults: 10 s
// each, generated faults), and reports each pass's CPU; and the A..B seed range they take.
import type { System } from "../src/api/index.js";

export interface Passes {
  /** CPU of each pass, ms (all the process's threads: V8 compiles on background threads). */
  cpuMs: number[];
  /** Events of the first pass. */
  events: number;
  /** Seeds of the first pass whose verdict was ok. */
  ok: number;
}

/** Run raft-metadata (or what `wrap` makes of it) over seeds lo..hi, `passes` times. */
export async function runPasses(lo: number, hi: number, passes: number, wrap: (s: System) => System = (s) => s): Promise<Passes> {
  // The JIT settings a sweep's workers run with (src/api/sweep.ts): without them a child
  // measures a warm-up no sweep pays.
  (await import("../src/api/sweep.js")).tuneJitForSweep();
  const { resolverFor, runOneWith, runSeeds } = await import("../src/api/sweep-worker.js");
  const { runOptionsFor } = await import("../src/api/simulate.js");
  const { options } = runOptionsFor({ system: "raft-metadata", seed: 0, timeUs: 10_000_000 });
  const { seed: _seed, ...base } = options;
  const sys = wrap((await resolverFor("raft-metadata"))("raft-metadata"));
  const resolve = (): System => sys;
  const seeds: number[] = [];
  for (let s = lo; s <= hi; s++) seeds.push(s);
  const out: Passes = { cpuMs: [], events: 0, ok: 0 };
  for (let p = 0; p < passes; p++) {
    const t0 = process.cpuUsage();
    const done = runSeeds({ system: "raft-metadata", seeds, base, faultsHash: false }, runOneWith(resolve), resolve);
    const t = process.cpuUsage(t0);
    out.cpuMs.push((t.user + t.system) / 1000);
    if (p === 0) for (const d of done) {
      out.events += d.events;
      if (d.verdict === "ok") out.ok++;
    }
  }
  return out;
}

/** A..B with 1 <= A <= B, or null. */
export function seedRange(s: string): [number, number] | null {
  const m = /^(\d+)\.\.(\d+)$/.exec(s);
  if (m === null || Number(m[1]) < 1 || Number(m[2]) < Number(m[1])) return null;
  return [Number(m[1]), Number(m[2])];
}
