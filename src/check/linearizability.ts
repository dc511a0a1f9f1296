// The checker's entry point: split a history into independent parts (P-compositionality),
// search the parts in fair round-robin slices so an expensive part cannot starve a cheap one
// that fails fast, and stop at the first illegal part. Budgets give "unknown", never a guess.
import { buildPartCounterexample, type Counterexample } from "./counterexample.js";
import { validateOperation, type Operation } from "./history.js";
import type { Model } from "./model.js";
import { PartitionSearch, type PartOp } from "./partition-search.js";
import type { StateBudget } from "./config-cache.js";

export interface CheckOptions {
  /** Wall-clock budget; past it the verdict is "unknown". Default: none. */
  timeoutMs?: number;
  /**
   * Memory budget, as the number of memoised (linearized set, state) configurations held at
   * once over all parts (each costs about 40 bytes + ops/8 bytes + the model state). Past it
   * the verdict is "unknown". Default 2,000,000.
   */
  maxMemoryStates?: number;
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

export function checkOperations<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly Operation<I, O>[],
  opts: CheckOptions = {},
): CheckResult {
  const start = performance.now();
  const deadline = start + (opts.timeoutMs ?? Infinity);
  const budget: StateBudget = { used: 0, max: opts.maxMemoryStates ?? DEFAULT_MAX_STATES };
  const slice = opts.sliceSteps ?? 2000;
  if (!(slice >= 1)) throw new RangeError(`sliceSteps must be >= 1, got ${slice}`);

  const parts = new Map<string | null, PartOp<I, O>[]>();
  let searched = 0;
  let unchecked = 0;
  ops.forEach((op, index) => {
    validateOperation(op, index);
    if (op.status === "fail" && model.failMeans === "not-executed") return;
    const key = model.partition ? model.partition(op.input) : null;
    if (key === undefined) {
      unchecked++;
      return;
    }
    let part = parts.get(key);
    if (part === undefined) parts.set(key, (part = []));
    part.push({ index, input: op.input, output: op.output, status: op.status, call: op.call, ret: op.ret });
    searched++;
  });

  // Smaller parts first: within a round they are the likeliest to settle quickly.
  const active = [...parts.entries()]
    .sort((a, b) => a[1].length - b[1].length)
    .map(([key, partOps]) => ({ key, search: new PartitionSearch(model, partOps, budget) }));
  const done = (verdict: LinVerdict, extra: Partial<CheckResult> = {}): CheckResult => {
    for (const a of active) a.search.abandon();
    return { verdict, partitions: parts.size, ops: searched, unchecked, ms: performance.now() - start, ...extra };
  };

  const failing: typeof active = [];
  while (active.length > 0) {
    for (let i = 0; i < active.length; ) {
      const r = active[i].search.run(slice);
      if (r === "out-of-memory") return done("unknown", { reason: "memory" });
      if (r === "running") {
        i++;
      } else {
        if (r === "illegal") failing.push(active[i]);
        active.splice(i, 1);
      }
      if (performance.now() > deadline && failing.length === 0) return done("unknown", { reason: "timeout" });
    }
    // The first illegal part decides; parts that failed in the same round are reported too.
    if (failing.length > 0) {
      const counterexample = {
        parts: failing.map((f) => buildPartCounterexample(model, f.key, f.search, ops)),
      };
      return done("illegal", { counterexample });
    }
  }
  return done("ok");
}
