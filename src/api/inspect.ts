// Time travel as a library call: every node's state at chosen instants of a run (what
// `raftsim replay --at` prints). The run is the same run — snapshots only observe, so its
// trace hash is the one `raftsim run` printed.
import type { InstantSnapshot } from "../sim/runner/system.js";
import { simulate, type SimulateOptions } from "./simulate.js";

export type { InstantSnapshot, NodeField, NodeSnapshot } from "../sim/runner/system.js";

export class InstantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InstantError";
  }
}

/** Check instants (µs) against a run of `timeUs`: integers in [0, timeUs]. Throws InstantError. */
export function checkInstants(atUs: readonly number[], timeUs: number): void {
  for (const t of atUs) {
    if (!Number.isSafeInteger(t) || t < 0) throw new InstantError(`instant ${t}us: expected a non-negative integer number of µs`);
    if (t > timeUs) throw new InstantError(`instant ${t}us is after the end of the run (${timeUs}us)`);
  }
}

/** Rerun `options` and return every node's state at each instant (µs), in instant order, with
 * the run's trace hash (the same as without snapshots). */
export function nodeStatesAt(options: SimulateOptions, atUs: readonly number[]): { readonly traceHash: string; readonly snapshots: readonly InstantSnapshot[] } {
  checkInstants(atUs, options.timeUs);
  const r = simulate({ ...options, at: atUs }).result;
  return { traceHash: r.traceHash, snapshots: r.snapshots ?? [] };
}
