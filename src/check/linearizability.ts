// The checker's entry point: split a history into independent parts (P-compositionality),
// search the parts in fair round-robin slices so an expensive part cannot starve a cheap one
// that fails fast, and stop at the first illegal part. Budgets give "unknown", never a guess.
import { buildPartCounterexample, type Counterexample } from "./counterexample.js";
import { validateOperation, type Operation } from "./history.js";
import type { Model } from "./model.js";
import { acquireSearch, releaseSearch, type PartitionSearch } from "./partition-search.js";
import type { StateBudget } from "./config-cache.js";

export interface CheckOptions {
  /** Wall-clock budget; past it the verdict is "unknown". Default: none. */
  timeoutMs?: number;
  /**
   * Memory budget, as the number of memoised (linearized set, state) configurations held at
   * once over all parts. Past it the verdict is "unknown". Default 2,000,000.
   */
  maxMemoryStates?: number;
  /**
   * Memory budget in bytes for the memo over all parts: each configuration is charged 64 bytes
   * plus 4 per word of its key (usually a few words; see config-cache.ts). Past it the verdict
   * is "unknown". Default 256 MiB.
   */
  maxMemoryBytes?: number;
  /** Search steps a part runs before the next part gets its turn. Default 2,000. */
  sliceSteps?: number;
}

export type LinVerdict = "ok" | "illegal" | "unknown";

export interface CheckResult {
  verdict: LinVerdict;
  partitions: number;
  ops: number; // operations searched (after dropping ops the model reads as not executed)
  unchecked: number; // ops the model could not place in a part (see Model.partition)
  ms: number;
  /** Why the verdict is unknown. */
  reason?: "timeout" | "memory";
  counterexample?: Counterexample;
}

export const DEFAULT_MAX_STATES = 2_000_000;
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

interface Part<S, I, O> {
  readonly key: string | null;
  readonly search: PartitionSearch<S, I, O>;
}

export function checkOperations<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly Operation<I, O>[],
  opts: CheckOptions = {},
): CheckResult {
  const start = performance.now();
  const deadline = start + (opts.timeoutMs ?? Infinity);
  const budget: StateBudget = { states: 0, bytes: 0, maxStates: opts.maxMemoryStates ?? DEFAULT_MAX_STATES, maxBytes: opts.maxMemoryBytes ?? DEFAULT_MAX_BYTES };
  const slice = opts.sliceSteps ?? 2000;
  if (!(slice >= 1)) throw new RangeError(`sliceSteps must be >= 1, got ${slice}`);

  // Positions of the ops of each part, in list order.
  const parts = new Map<string | null, number[]>();
  const dropFailed = model.failMeans === "not-executed";
  const partition = model.partition;
  const readOnly = model.readOnly;
  let searched = 0;
  let unchecked = 0;
  let lastKey: string | null | undefined = undefined;
  let lastPart: number[] | undefined = undefined;
  for (let index = 0; index < ops.length; index++) {
    const op = ops[index];
    validateOperation(op, index);
    if (dropFailed && op.status === "fail") continue;
    const key = partition ? partition.call(model, op.input) : null;
    if (key === undefined) {
      unchecked++;
      continue;
    }
    // Consecutive ops usually share a part (always, for an unpartitioned model): skip the lookup.
    let part: number[] | undefined = key === lastKey ? lastPart : parts.get(key);
    if (part === undefined) parts.set(key, (part = []));
    lastKey = key;
    lastPart = part;
    searched++;
    // An info read decides nothing (Model.readOnly): counted as searched, left out of the search.
    if (op.status === "info" && readOnly !== undefined && readOnly.call(model, op.input)) continue;
    part.push(index);
  }

  // Smaller parts first: within a round they are the likeliest to settle quickly.
  const order = [...parts.entries()];
  if (order.length > 1) order.sort(bySize);
  const searches: Part<S, I, O>[] = [];
  try {
    for (const [key, indices] of order) searches.push({ key, search: acquireSearch(model, ops, indices, budget) });
    const result = (verdict: LinVerdict, reason?: CheckResult["reason"], counterexample?: Counterexample): CheckResult =>
      makeResult(verdict, parts.size, searched, unchecked, performance.now() - start, reason, counterexample);
    const active = searches.slice();
    const failing: Part<S, I, O>[] = [];
    while (active.length > 0) {
      for (let i = 0; i < active.length; ) {
        const r = active[i].search.run(slice);
        if (r === "out-of-memory") return result("unknown", "memory");
        if (r === "running") {
          i++;
        } else {
          if (r === "illegal") failing.push(active[i]);
          active.splice(i, 1);
        }
        if (failing.length === 0 && performance.now() > deadline) return result("unknown", "timeout");
      }
      // The first illegal part decides; parts that failed in the same round are reported too.
      if (failing.length > 0) {
        const counterexample = {
          parts: failing.map((f) => buildPartCounterexample(model, f.key, f.search, ops)),
        };
        return result("illegal", undefined, counterexample);
      }
    }
    return result("ok");
  } finally {
    for (const s of searches) releaseSearch(s.search);
  }
}

function bySize(a: [string | null, number[]], b: [string | null, number[]]): number {
  return a[1].length - b[1].length;
}

/** The result object, its keys always in this order (JSON output depends on it), built without a spread. */
function makeResult(verdict: LinVerdict, partitions: number, ops: number, unchecked: number, ms: number, reason: CheckResult["reason"], counterexample: Counterexample | undefined): CheckResult {
  if (reason !== undefined) return { verdict, partitions, ops, unchecked, ms, reason };
  if (counterexample !== undefined) return { verdict, partitions, ops, unchecked, ms, counterexample };
  return { verdict, partitions, ops, unchecked, ms };
}
