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
  /**
   * Search steps over all parts; past it the verdict is "unknown" (reason "steps"). Unlike the
   * wall-clock budget it gives the same verdict for the same history on any machine under any
   * load, which is what a seed's verdict needs. Default: none.
   */
  maxSteps?: number;
  /** Search steps a part runs before the next part gets its turn. Default 2,000. */
  sliceSteps?: number;
  /**
   * The system's own account of which indeterminate (info) ops never took effect: positions
   * in `ops` (other positions, and ops that are not info, are ignored). A simulator knows it
   * (no server ever applied the command), a black-box client does not. It is a hint, never
   * trusted: the history is first checked with those ops left out, and only an "ok" from that
   * check is kept, since a linearization in which they never took effect is one of the
   * original history (info ops are optional). Any other outcome, "illegal" included, is
   * discarded and the history is checked in full as without the hint. So a wrong account costs
   * time, never a verdict. Each of the two checks has the budgets above (the wall clock is
   * shared). Info writes are what makes a search exponential (which of them took effect is a
   * subset choice); the hint removes most of that choice.
   */
  neverApplied?: ReadonlySet<number>;
}

export type LinVerdict = "ok" | "illegal" | "unknown";

export interface CheckResult {
  verdict: LinVerdict;
  partitions: number;
  ops: number; // operations searched (after dropping ops the model reads as not executed)
  unchecked: number; // ops the model could not place in a part (see Model.partition)
  ms: number;
  /** Why the verdict is unknown. */
  reason?: "timeout" | "memory" | "steps";
  counterexample?: Counterexample;
  /** Set when the verdict ("ok") came from the check with CheckOptions.neverApplied: how many
   * info ops that check left out. */
  leftOut?: number;
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
  const skip = opts.neverApplied;
  if (skip !== undefined && skip.size > 0) {
    let leftOut = 0;
    for (const i of skip) if (ops[i]?.status === "info") leftOut++;
    if (leftOut > 0) {
      const hinted = checkOnce(model, ops, opts, skip, start);
      if (hinted.verdict === "ok") {
        hinted.leftOut = leftOut;
        return hinted;
      }
    }
  }
  return checkOnce(model, ops, opts, null, start);
}

/** One check of `ops`, leaving out the info ops at the positions in `skip` (null: none). */
function checkOnce<S, I, O>(model: Model<S, I, O>, ops: readonly Operation<I, O>[], opts: CheckOptions, skip: ReadonlySet<number> | null, start: number): CheckResult {
  const deadline = start + (opts.timeoutMs ?? Infinity);
  const budget: StateBudget = { states: 0, bytes: 0, maxStates: opts.maxMemoryStates ?? DEFAULT_MAX_STATES, maxBytes: opts.maxMemoryBytes ?? DEFAULT_MAX_BYTES };
  const slice = opts.sliceSteps ?? 2000;
  if (!(slice >= 1)) throw new RangeError(`sliceSteps must be >= 1, got ${slice}`);
  const maxSteps = opts.maxSteps ?? Infinity;
  if (!(maxSteps >= 0)) throw new RangeError(`maxSteps must be >= 0, got ${maxSteps}`);
  let steps = 0;

  // Positions of the ops of each part, in list order.
  const parts = new Map<string | null, number[]>();
  const dropFailed = model.failMeans === "not-executed";
  const partition = model.partition;
  const readOnly = model.readOnly;
  let searched = 0;
  let unchecked = 0;
  let lastKey: string | null | undefined = undefined;
  let lastPart: number[] | undefined = undefined;
  /** Ops that touch several keys (Model.partition returned more than one), with their keys. */
  let multi: { readonly index: number; readonly keys: readonly string[] }[] | null = null;
  for (let index = 0; index < ops.length; index++) {
    const op = ops[index];
    validateOperation(op, index);
    if (dropFailed && op.status === "fail") continue;
    const named = partition ? partition.call(model, op.input) : null;
    if (named === undefined) {
      unchecked++;
      continue;
    }
    let key: string | null;
    if (typeof named === "string" || named === null) key = named;
    else if (named.length === 1) key = named[0]!;
    else if (named.length === 0) {
      unchecked++;
      continue;
    } else {
      searched++;
      // Left out without joining its keys' parts: a txn the hint removes no longer ties them.
      if (skip !== null && op.status === "info" && skip.has(index)) continue;
      // Placed once every part is known (joinParts); its keys' parts must exist to be joined.
      for (const k of named) if (!parts.has(k)) parts.set(k, []);
      (multi ??= []).push({ index, keys: named });
      continue;
    }
    // Consecutive ops usually share a part (always, for an unpartitioned model): skip the lookup.
    let part: number[] | undefined = key === lastKey ? lastPart : parts.get(key);
    if (part === undefined) parts.set(key, (part = []));
    lastKey = key;
    lastPart = part;
    searched++;
    // An info read decides nothing (Model.readOnly): counted as searched, left out of the search.
    // So is an info op the hint says never took effect (CheckOptions.neverApplied).
    if (op.status === "info" && ((readOnly !== undefined && readOnly.call(model, op.input)) || (skip !== null && skip.has(index)))) continue;
    part.push(index);
  }

  if (multi !== null) joinParts(parts, multi);

  // Smaller parts first: within a round they are the likeliest to settle quickly.
  const order = [...parts.entries()];
  if (order.length > 1) order.sort(bySize);
  const searches: Part<S, I, O>[] = [];
  // The search runs on the model's rewrite of the history, if it has one (Model.prepare: same
  // ops, same order, so the same positions); counterexamples describe the ops as given.
  const prepared = model.prepare === undefined ? ops : model.prepare(ops);
  if (prepared.length !== ops.length) throw new Error(`${model.name}: prepare() returned ${prepared.length} ops for ${ops.length}`);
  try {
    for (const [key, indices] of order) searches.push({ key, search: acquireSearch(model, prepared, indices, budget) });
    const result = (verdict: LinVerdict, reason?: CheckResult["reason"], counterexample?: Counterexample): CheckResult =>
      makeResult(verdict, parts.size, searched, unchecked, performance.now() - start, reason, counterexample);
    const active = searches.slice();
    const failing: Part<S, I, O>[] = [];
    while (active.length > 0) {
      for (let i = 0; i < active.length; ) {
        const search = active[i].search;
        const before = search.steps;
        const r = search.run(slice);
        steps += search.steps - before;
        if (r === "out-of-memory") return result("unknown", "memory");
        if (r === "running") {
          i++;
        } else {
          if (r === "illegal") failing.push(active[i]);
          active.splice(i, 1);
        }
        if (failing.length === 0 && steps > maxSteps) return result("unknown", "steps");
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

/** Joins the parts of every multi-key op into one (union-find over part keys: two ops sharing a
 * key end in one part with all their keys), places those ops there, and restores list order in
 * each joined part. A joined part is named by its keys, sorted, joined with " + ". */
function joinParts(parts: Map<string | null, number[]>, multi: readonly { readonly index: number; readonly keys: readonly string[] }[]): void {
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let r = k;
    for (let p = parent.get(r); p !== undefined && p !== r; p = parent.get(r)) r = p;
    // Path compression: later finds are O(1).
    for (let x = k, p = parent.get(x); p !== undefined && p !== r; x = p, p = parent.get(x)) parent.set(x, r);
    return r;
  };
  for (const m of multi) {
    const root = find(m.keys[0]!);
    if (!parent.has(root)) parent.set(root, root);
    for (let i = 1; i < m.keys.length; i++) {
      const r = find(m.keys[i]!);
      if (r !== root) parent.set(r, root);
    }
  }
  const groups = new Map<string, { keys: string[]; indices: number[] }>();
  for (const k of parent.keys()) {
    const r = find(k);
    let g = groups.get(r);
    if (g === undefined) groups.set(r, (g = { keys: [], indices: [] }));
    g.keys.push(k);
    for (const i of parts.get(k)!) g.indices.push(i);
    parts.delete(k);
  }
  for (const m of multi) groups.get(find(m.keys[0]!))!.indices.push(m.index);
  for (const g of groups.values()) {
    g.keys.sort();
    g.indices.sort((a, b) => a - b);
    parts.set(g.keys.join(" + "), g.indices);
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
