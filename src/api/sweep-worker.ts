// A sweep worker thread: runs a batch of seeds and returns one small summary per seed (the
// trace and the history stay in the worker, so memory does not grow with the sweep).
import { runCluster, type ClusterVerdict } from "../sim/cluster/run.js";
import type { ClusterRunOptions } from "../sim/cluster/config.js";

export interface SweepTask {
  readonly seeds: readonly number[];
  readonly base: Omit<ClusterRunOptions, "seed">;
}

export interface SeedSummary {
  readonly seed: number;
  readonly verdict: ClusterVerdict;
  readonly message: string | null;
  readonly traceHash: string;
  readonly events: number;
  readonly simulatedUs: number;
  readonly ops: number;
}

export function runSeeds(task: SweepTask): SeedSummary[] {
  const out: SeedSummary[] = [];
  for (const seed of task.seeds) {
    let s: SeedSummary;
    try {
      const r = runCluster({ ...task.base, seed });
      s = {
        seed,
        verdict: r.verdict,
        message: r.message,
        traceHash: r.traceHash,
        events: r.stats.events,
        simulatedUs: r.stats.simulatedUs,
        ops: r.history.ops,
      };
    } catch (e) {
      // A crash of the harness itself is still a finding for this seed, never a lost result.
      s = { seed, verdict: "violation", message: `internal error: ${(e as Error).message}`, traceHash: "", events: 0, simulatedUs: 0, ops: 0 };
    }
    out.push(s);
  }
  return out;
}

export default runSeeds;
