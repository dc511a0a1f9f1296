// Wing & Gong's search with Lowe's memoisation, for one part of a history, resumable in
// slices so that the scheduler can interleave parts. Porcupine's layout: the ops' call and
// return entries form one doubly linked list sorted by time; linearizing an op lifts both
// entries out, backtracking puts them back (dancing links).
//
// The memo records a configuration when the search leaves it (backtracks past it), not when it
// reaches it: the prunes are the same. A configuration C can be reached again only by a path
// with the same linearized set; while C is on the search's path, every configuration reached is
// below it, with a strictly larger set, so none is C. So a lookup can only ever hit a
// configuration already left, and recording just those gives the same hits, the same steps and
// the same verdict, while a path that succeeds (most of the search of a correct history) is never
// recorded. A configuration's set size is its depth, and the memo is counted per depth
// (`recorded`): the lookup is skipped where nothing of that depth was ever left, as in the
// descent before the first backtrack.
//
// Costs kept flat (issue 12): the memo key is constant-size (config-cache.ts), the deepest
// point copies only what changed since the last copy, and searches are pooled. A pooled search
// keeps its arrays for the next check, and keeping instances alive keeps V8's optimised code
// for them: once the last instance of a class dies, a full GC drops the code compiled for it
// ("weak objects") and the next check runs unoptimised, which cost small histories ~0.5 ms.
import { ConfigCache, type StateBudget } from "./config-cache.js";
import type { Operation, Status } from "./history.js";
import type { Model } from "./model.js";
import { randomWords } from "./hash.js";

export type SliceResult = "ok" | "illegal" | "running" | "out-of-memory";

/** What the deepest point of the search saw, for the counterexample. Op ids are the search's (see PartitionSearch.index). */
export interface DeepestPoint<S> {
  readonly prefix: readonly number[]; // op ids, in linearization order
  readonly state: S; // model state after the prefix
  readonly candidates: readonly number[]; // ops that could be tried next (their calls precede the earliest pending return)
  readonly deadline: number; // the op whose return forced backtracking from here (-1 if none)
}

const HEAD = 0;

// Zobrist words per op id, two independent lanes, shared by every search (grown on demand).
let zobrist1: Int32Array = new Int32Array(0);
let zobrist2: Int32Array = new Int32Array(0);
function ensureZobrist(n: number): void {
  if (zobrist1.length >= n) return;
  const size = Math.max(n, 2 * zobrist1.length, 1024);
  zobrist1 = randomWords(size, 0x2545f491);
  zobrist2 = randomWords(size, 0x6c8e9cf5 | 0);
}

// Entry order: by time; at equal times calls first (touching intervals overlap), then by op
// position. Built without a comparator sort: calls and returns are each put in order by a
// stable insertion sort (a history lists its ops in call order, and returns come nearly in that
// order too, so it moves few entries), then merged. Only when a history is far from that order
// does it fall back to the typed-array sort with a comparator. The buffers are module-level
// scratch, reused by every search (searches are initialised one at a time), so that a check
// allocates no arrays here: on a small history, fresh arrays and the comparator sort were a
// large part of the fixed cost of a check made right after a GC.
let sortTime = new Float64Array(0); // per node (2p+1 call, 2p+2 return): its time
let callOrder = new Int32Array(0); // positions p, by call time
let retOrder = new Int32Array(0); // positions p, by return time
let idOfPos = new Int32Array(0); // position p -> op id (rank in call order)
function ensureScratch(n: number): void {
  if (callOrder.length >= n && sortTime.length >= 2 * n + 1) return;
  const cap = Math.max(n, 64, 2 * callOrder.length);
  sortTime = new Float64Array(2 * cap + 1);
  callOrder = new Int32Array(cap);
  retOrder = new Int32Array(cap);
  idOfPos = new Int32Array(cap);
}
/** Comparator of the fallback sort (module level, so that no closure is made per search). */
function byTime(a: number, b: number): number {
  return sortTime[a] - sortTime[b] || (b & 1) - (a & 1) || a - b;
}
/**
 * Sorts positions out[0..n) (given in ascending order) by sortTime[2p + node], stably, with an
 * insertion sort; gives up (false) past `budget` moves, leaving `out` unspecified.
 */
function insertionSort(out: Int32Array, n: number, node: 1 | 2, budget: number): boolean {
  const time = sortTime;
  for (let i = 1; i < n; i++) {
    const p = out[i];
    const t = time[2 * p + node];
    let j = i - 1;
    if (time[2 * out[j] + node] <= t) continue;
    do {
      out[j + 1] = out[j];
      j--;
    } while (j >= 0 && time[2 * out[j] + node] > t);
    out[j + 1] = p;
    budget -= i - j;
    if (budget < 0) return false;
  }
  return true;
}

/** A released search that was this large drops its arrays rather than keep them. */
const KEEP_OPS = 1 << 15;

export class PartitionSearch<S = unknown, I = unknown, O = unknown> {
  // Op ids are ranks in call order (calls sorted as the entry list sorts them), so that the ops
  // called before any point form a prefix of ids: the memo key relies on it.
  private n = 0;
  private opIndex = new Int32Array(0); // id -> position in the checked operation list
  private inputs: I[] = [];
  private outputs: (O | undefined)[] = [];
  private statuses: Status[] = [];
  private optional = new Uint8Array(0);
  // Per op id: the nearest earlier-called info op interchangeable with it (Model.interchangeKey),
  // or -1. An op whose twin is not linearized is not tried: the twin is, in its place.
  private twin = new Int32Array(0);
  private next = new Int32Array(0); // linked list over nodes; node 0 = head, call of op i = 2i+1, return = 2i+2
  private prev = new Int32Array(0);
  private bits = new Int32Array(0); // linearized ops
  private key = new Int32Array(0); // scratch: the memo key of the configuration being tried
  private keyLo = -1;
  private stackOps = new Int32Array(0);
  private stackMax = new Int32Array(0); // highest linearized id + 1 before each push
  private stackStates: (S | undefined)[] = [];
  private recorded = new Int32Array(1); // per depth (set size): configurations the memo holds
  private prefixBuf = new Int32Array(0); // the deepest point's prefix; [0, lowWater) equals stackOps
  private lowWater = 0;
  private candBuf = new Int32Array(0);
  private cache = new ConfigCache();
  private model: Model<S, I, O> | undefined = undefined;
  private budget: StateBudget | undefined = undefined;
  private depth = 0;
  private required = 0; // finite-return ops not yet linearized
  private state: S | undefined = undefined;
  private maxLin = 0; // highest linearized id + 1
  private fp1 = 0;
  private fp2 = 0;
  private cursor = HEAD;
  private finished: SliceResult = "running";
  private bestDepth = -1;
  private deepestSaved = false;
  private deepLen = 0;
  private deepState: S | undefined = undefined;
  private deepCands = 0;
  private deepDeadline = -1;
  steps = 0;

  /**
   * Prepares a search of the ops at `indices` in `all` (in the order they are listed; at equal
   * times that order breaks ties). The arrays are reused from an earlier search when large enough.
   */
  init(model: Model<S, I, O>, all: readonly Operation<I, O>[], indices: readonly number[], budget: StateBudget): this {
    const n = indices.length;
    this.n = n;
    this.model = model;
    this.budget = budget;
    this.ensureCapacity(n);
    ensureZobrist(n);

    // Entries in time order. Node ids here: 2p+1 / 2p+2 for position p in `indices`.
    ensureScratch(n);
    const time = sortTime;
    const calls = callOrder;
    const rets = retOrder;
    for (let p = 0; p < n; p++) {
      const op = all[indices[p]];
      time[2 * p + 1] = op.call;
      time[2 * p + 2] = op.status === "info" ? Infinity : op.ret;
      calls[p] = p;
      rets[p] = p;
    }
    const moves = 16 * n + 256;
    const mergeable = insertionSort(calls, n, 1, moves) && insertionSort(rets, n, 2, moves);
    // Ids by call order; then the list over the renumbered nodes.
    const idOf = idOfPos;
    const { next, prev, opIndex, optional, inputs, outputs, statuses, stackStates } = this;
    let last = HEAD;
    if (mergeable) {
      for (let i = 0; i < n; i++) idOf[calls[i]] = i;
      // Merge: a call goes first at equal times; within calls or returns, the sorts were stable.
      let ci = 0;
      let ri = 0;
      while (ri < n) {
        let renamed: number;
        if (ci < n && time[2 * calls[ci] + 1] <= time[2 * rets[ri] + 2]) renamed = 2 * ci++ + 1;
        else renamed = 2 * idOf[rets[ri++]] + 2;
        next[last] = renamed;
        prev[renamed] = last;
        last = renamed;
      }
    } else {
      const m = 2 * n;
      const order = new Int32Array(m);
      for (let p = 0; p < n; p++) {
        order[2 * p] = 2 * p + 1;
        order[2 * p + 1] = 2 * p + 2;
      }
      order.sort(byTime);
      let id = 0;
      for (let i = 0; i < m; i++) {
        const node = order[i];
        if (node & 1) idOf[(node - 1) >> 1] = id++;
      }
      for (let i = 0; i < m; i++) {
        const node = order[i];
        const p = (node - 1) >> 1;
        const renamed = 2 * idOf[p] + (node & 1 ? 1 : 2);
        next[last] = renamed;
        prev[renamed] = last;
        last = renamed;
      }
    }
    next[last] = -1;
    while (inputs.length < n) {
      // grown in order, so that the arrays stay packed
      inputs.push(undefined as I);
      outputs.push(undefined);
      statuses.push("ok");
      stackStates.push(undefined);
    }
    let required = 0;
    const twin = this.twin;
    twin.fill(-1, 0, n);
    for (let p = 0; p < n; p++) {
      const i = idOf[p];
      const index = indices[p];
      const op = all[index];
      opIndex[i] = index;
      inputs[i] = op.input;
      outputs[i] = op.output;
      statuses[i] = op.status;
      if (op.status === "info") optional[i] = 1;
      else {
        optional[i] = 0;
        required++;
      }
    }
    if (model.interchangeKey !== undefined && required < n) {
      // Ids ascend in call order, so the last id seen with a key is the nearest earlier one.
      const lastWith = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        if (optional[i] === 0) continue;
        const k = model.interchangeKey(inputs[i]);
        if (k === undefined) continue;
        const t = lastWith.get(k);
        if (t !== undefined) twin[i] = t;
        lastWith.set(k, i);
      }
    }
    this.bits.fill(0, 0, (n + 31) >> 5);
    this.recorded.fill(0, 0, n + 1);
    this.cache.reset(model as Model<unknown, unknown, unknown>, budget);
    this.required = required;
    this.depth = 0;
    this.state = model.init();
    this.maxLin = 0;
    this.fp1 = 0;
    this.fp2 = 0;
    this.cursor = next[HEAD];
    this.finished = "running";
    this.lowWater = 0;
    this.steps = 0;
    this.recordDeepest();
    return this;
  }

  get result(): SliceResult {
    return this.finished;
  }

  /** The number of ops searched. */
  get size(): number {
    return this.n;
  }

  /** The position in the checked operation list of op `id`. */
  index(id: number): number {
    return this.opIndex[id];
  }

  /** Runs at most maxSteps search steps; "running" means call again. */
  run(maxSteps: number): SliceResult {
    if (this.finished !== "running") return this.finished;
    const { next, prev, bits, stackOps, stackMax, stackStates, inputs, outputs, statuses, optional, twin, cache, recorded } = this;
    const model = this.model!;
    const budget = this.budget!;
    const z1 = zobrist1;
    const z2 = zobrist2;
    let node = this.cursor;
    let state = this.state as S;
    let depth = this.depth;
    let required = this.required;
    let maxLin = this.maxLin;
    let fp1 = this.fp1;
    let fp2 = this.fp2;
    let steps = 0;
    let verdict: SliceResult = "running";
    while (steps < maxSteps) {
      steps++;
      if (required === 0) {
        verdict = "ok";
        break;
      }
      const op = (node - 1) >> 1;
      if (node & 1) {
        // A call entry: try to linearize op now — unless an interchangeable op called earlier is
        // still pending (Model.interchangeKey): that one is tried here instead.
        const t = twin[op];
        if (t >= 0 && (bits[t >> 5] & (1 << (t & 31))) === 0) {
          node = next[node];
          continue;
        }
        const after = model.step(state, inputs[op], outputs[op], statuses[op]);
        if (after !== undefined) {
          // lift: unlink the call entry and its return entry (the key is read from the list)
          const r = node + 1;
          next[prev[node]] = next[node];
          if (next[node] !== -1) prev[next[node]] = prev[node];
          next[prev[r]] = next[r];
          if (next[r] !== -1) prev[next[r]] = prev[r];
          const word = op >> 5;
          const mask = 1 << (op & 31);
          bits[word] |= mask;
          const f1 = fp1 ^ z1[op];
          const f2 = fp2 ^ z2[op];
          const hi = op >= maxLin ? op + 1 : maxLin;
          let seen = false;
          if (recorded[depth + 1] !== 0) {
            const sh = model.hash(after);
            const len = this.encode(hi);
            seen = cache.has((f1 + Math.imul(sh, 0x9e3779b1)) | 0, (f2 ^ Math.imul(sh, 0x85ebca6b)) | 0, after, this.keyLo, hi, this.key, len);
          }
          if (!seen) {
            stackOps[depth] = op;
            stackMax[depth] = maxLin;
            stackStates[depth] = state;
            depth++;
            state = after;
            fp1 = f1;
            fp2 = f2;
            maxLin = hi;
            if (optional[op] === 0) required--;
            if (depth > this.bestDepth) {
              // Snapshot lazily, when the search leaves this depth: on a history that passes
              // that never happens.
              this.bestDepth = depth;
              this.deepestSaved = false;
            }
            // The configurations on the path are not in the memo yet: counted as if they were.
            if (budget.states + depth > budget.maxStates || budget.bytes > budget.maxBytes) {
              verdict = "out-of-memory";
              break;
            }
            node = next[HEAD];
            continue;
          }
          // seen before: unlift (reverse of lift)
          bits[word] &= ~mask;
          next[prev[r]] = r;
          if (next[r] !== -1) prev[next[r]] = r;
          next[prev[node]] = node;
          if (next[node] !== -1) prev[next[node]] = node;
        }
        node = next[node];
      } else {
        // A return entry: op must already be linearized, so the last choice was wrong.
        if (optional[op] === 1) throw new Error("search invariant: reached the return of an optional op with required ops left");
        if (!this.deepestSaved && depth === this.bestDepth) {
          // The entry list is as it was when this depth was first reached: every try since
          // failed or hit the cache, and each restored what it changed.
          this.depth = depth;
          this.state = state;
          this.recordDeepest();
        }
        if (depth === 0) {
          verdict = "illegal";
          break;
        }
        // Leaving this configuration: every way on from it failed or was pruned; record it (the
        // entry list is the configuration's: every try since restored what it changed).
        const sh = model.hash(state);
        const len = this.encode(maxLin);
        cache.addIfAbsent((fp1 + Math.imul(sh, 0x9e3779b1)) | 0, (fp2 ^ Math.imul(sh, 0x85ebca6b)) | 0, state, this.keyLo, maxLin, this.key, len);
        recorded[depth]++;
        if (budget.states + depth > budget.maxStates || budget.bytes > budget.maxBytes) {
          verdict = "out-of-memory";
          break;
        }
        depth--;
        if (depth < this.lowWater) this.lowWater = depth;
        const back = stackOps[depth];
        state = stackStates[depth] as S;
        stackStates[depth] = undefined;
        maxLin = stackMax[depth];
        bits[back >> 5] &= ~(1 << (back & 31));
        fp1 ^= z1[back];
        fp2 ^= z2[back];
        // unlift: relink the return entry, then the call entry (reverse of lift)
        const c = 2 * back + 1;
        const r = c + 1;
        next[prev[r]] = r;
        if (next[r] !== -1) prev[next[r]] = r;
        next[prev[c]] = c;
        if (next[c] !== -1) prev[next[c]] = c;
        if (optional[back] === 0) required++;
        node = next[c];
      }
    }
    this.steps += steps;
    this.cursor = node;
    this.state = state;
    this.depth = depth;
    this.required = required;
    this.maxLin = maxLin;
    this.fp1 = fp1;
    this.fp2 = fp2;
    if (verdict !== "running") this.finish(verdict);
    return verdict;
  }

  /** The deepest configuration reached (meaningful once the verdict is "illegal"). */
  deepestPoint(): DeepestPoint<S> {
    if (this.bestDepth < 0) throw new Error("deepestPoint: search not started");
    return {
      prefix: toArray(this.prefixBuf, this.deepLen),
      state: this.deepState as S,
      candidates: toArray(this.candBuf, this.deepCands),
      deadline: this.deepDeadline,
    };
  }

  /** Frees the memo (the part is decided or abandoned). */
  abandon(): void {
    if (this.finished === "running") this.finish("running");
    this.cache.release();
  }

  /** Drops every reference to the checked history, so that the instance can be pooled. */
  clear(): void {
    this.abandon();
    const n = this.n;
    this.inputs.fill(undefined as I, 0, n);
    this.outputs.fill(undefined, 0, n);
    // stackStates: already cleared by finish()
    this.state = undefined;
    this.deepState = undefined;
    this.model = undefined;
    this.budget = undefined;
    this.bestDepth = -1;
    if (this.opIndex.length > KEEP_OPS) this.ensureCapacity(0, true);
  }

  /**
   * The memo key of the linearized set L (the one the entry list stands for now), into
   * this.key; returns its length and sets this.keyLo. With hi = max(L) + 1 and lo = the
   * lowest op not in L, L holds every op below lo and none from hi up, so it is fixed by hi
   * and either the ops in [lo, hi) left out (keyLo = -1: a list of ids, when that is no longer
   * than the bitset) or the bitset's words over [lo, hi) (keyLo = lo). Both are functions of
   * L alone, so equal sets get equal keys. The ops left out below hi are all in front of the
   * first return entry (each was called before some op of L was linearized), so the walk
   * stops there.
   */
  private encode(hi: number): number {
    const next = this.next;
    const key = this.key;
    const first = next[HEAD];
    const lo = first === -1 ? this.n : (first - 1) >> 1; // the first entry is a call: its op is the lowest not in L
    if (hi <= lo) {
      this.keyLo = -1;
      return 0;
    }
    const loWord = lo >> 5;
    const hiWord = (hi - 1) >> 5;
    const width = hiWord - loWord + 1;
    let k = 0;
    for (let node = first; node !== -1 && (node & 1) === 1 && k <= width; node = next[node]) {
      const id = (node - 1) >> 1;
      if (id >= hi) break;
      key[k++] = id;
    }
    if (k <= width) {
      this.keyLo = -1;
      return k;
    }
    const bits = this.bits;
    for (let w = 0; w < width; w++) key[w] = bits[loWord + w];
    this.keyLo = lo;
    return width;
  }

  private ensureCapacity(n: number, shrink = false): void {
    if (!shrink && this.opIndex.length >= n && this.opIndex.length > 0) return;
    const cap = shrink ? 64 : Math.max(n, 64, 2 * this.opIndex.length);
    this.opIndex = new Int32Array(cap);
    this.optional = new Uint8Array(cap);
    this.twin = new Int32Array(cap);
    this.next = new Int32Array(2 * cap + 1);
    this.prev = new Int32Array(2 * cap + 1);
    this.bits = new Int32Array((cap + 31) >> 5);
    this.key = new Int32Array(((cap + 31) >> 5) + 2);
    this.stackOps = new Int32Array(cap);
    this.stackMax = new Int32Array(cap);
    this.recorded = new Int32Array(cap + 1);
    this.prefixBuf = new Int32Array(cap);
    this.candBuf = new Int32Array(cap);
    this.inputs = [];
    this.outputs = [];
    this.statuses = [];
    this.stackStates = [];
  }

  private finish(v: SliceResult): void {
    this.finished = v;
    // Backtracking clears the slots it leaves, so only [0, depth) can hold states.
    this.stackStates.fill(undefined, 0, this.depth);
    this.cache.release();
  }

  private recordDeepest(): void {
    const depth = this.depth;
    this.bestDepth = depth;
    this.deepestSaved = true;
    // Copy only the part of the prefix that changed since the last copy.
    const from = Math.min(this.lowWater, depth);
    const prefix = this.prefixBuf;
    const stack = this.stackOps;
    for (let i = from; i < depth; i++) prefix[i] = stack[i];
    this.lowWater = depth;
    this.deepLen = depth;
    this.deepState = this.state;
    let k = 0;
    let deadline = -1;
    for (let node = this.next[HEAD]; node !== -1; node = this.next[node]) {
      const op = (node - 1) >> 1;
      if ((node & 1) === 0) {
        deadline = op;
        break;
      }
      this.candBuf[k++] = op;
    }
    this.deepCands = k;
    this.deepDeadline = deadline;
  }
}

/** A plain array of xs[0..n): a loop, not Array.from over a subarray view (a generic iteration). */
function toArray(xs: Int32Array, n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = xs[i];
  return out;
}

const pool: PartitionSearch[] = [];
/** Searches kept between checks (one per part of the widest recent check, up to this many). */
const POOL_MAX = 16;
/** One search always stays alive, so that its class (and the code compiled for it) survives a full GC. */
const keeper = new PartitionSearch();
pool.push(keeper);

/** A search from the pool (or a new one), initialised for these ops. */
export function acquireSearch<S, I, O>(model: Model<S, I, O>, all: readonly Operation<I, O>[], indices: readonly number[], budget: StateBudget): PartitionSearch<S, I, O> {
  const s = (pool.pop() ?? new PartitionSearch()) as unknown as PartitionSearch<S, I, O>;
  return s.init(model, all, indices, budget);
}

/** Gives a search back to the pool; it must not be used afterwards. */
export function releaseSearch<S, I, O>(s: PartitionSearch<S, I, O>): void {
  s.clear();
  if (pool.length < POOL_MAX) pool.push(s as unknown as PartitionSearch);
}
