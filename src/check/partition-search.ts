// Wing & Gong's search with Lowe's memoisation, for one part of a history, resumable in
// slices so that the scheduler can interleave parts. Porcupine's layout: the ops' call and
// return entries form one doubly linked list sorted by time; linearizing an op lifts both
// entries out, backtracking puts them back (dancing links).
import { ConfigCache, type StateBudget } from "./config-cache.js";
import type { Status } from "./history.js";
import type { Model } from "./model.js";
import { randomWords } from "./hash.js";

/** One op of a part, as the search needs it. `index` = position in the checked list. */
export interface PartOp<I, O> {
  readonly index: number;
  readonly input: I;
  readonly output: O | undefined;
  readonly status: Status;
  readonly call: number;
  readonly ret: number; // Infinity: optional (info), never forces a backtrack
}

export type SliceResult = "ok" | "illegal" | "running" | "out-of-memory";

/** What the deepest point of the search saw, for the counterexample. */
export interface DeepestPoint<S> {
  readonly prefix: readonly number[]; // part-local op ids, in linearization order
  readonly state: S; // model state after the prefix
  readonly candidates: readonly number[]; // ops that could be tried next (their calls precede the earliest pending return)
  readonly deadline: number; // the op whose return forced backtracking from here (-1 if none)
}

const HEAD = 0;

export class PartitionSearch<S, I, O> {
  private readonly next: Int32Array; // linked list over nodes; node 0 = head, call of op i = 2i+1, return = 2i+2
  private readonly prev: Int32Array;
  private readonly bits: Uint32Array; // linearized ops
  private readonly zobrist: Int32Array;
  private readonly stackOps: Int32Array;
  private readonly stackStates: (S | undefined)[];
  private readonly inputs: I[];
  private readonly outputs: (O | undefined)[];
  private readonly statuses: Status[];
  private readonly optional: Uint8Array;
  private readonly cache: ConfigCache<S>;
  private depth = 0;
  private required: number; // finite-return ops not yet linearized
  private state: S;
  private fingerprint = 0;
  private cursor: number;
  private finished: SliceResult = "running";
  private deepest: DeepestPoint<S> | undefined;
  private bestDepth = -1;
  private deepestSaved = false;
  steps = 0;

  constructor(
    private readonly model: Model<S, I, O>,
    readonly ops: readonly PartOp<I, O>[],
    private readonly budget: StateBudget,
  ) {
    const n = ops.length;
    this.inputs = ops.map((o) => o.input);
    this.outputs = ops.map((o) => o.output);
    this.statuses = ops.map((o) => o.status);
    this.optional = new Uint8Array(n);
    let required = 0;
    ops.forEach((o, i) => {
      if (o.ret === Infinity) this.optional[i] = 1;
      else required++;
    });
    this.required = required;
    const width = Math.max(1, Math.ceil(n / 32));
    this.bits = new Uint32Array(width);
    this.zobrist = randomWords(n, 0x2545f491 ^ n);
    this.stackOps = new Int32Array(n);
    this.stackStates = new Array<S | undefined>(n).fill(undefined);
    this.cache = new ConfigCache<S>(width, (a, b) => model.equal(a, b), budget);
    this.state = model.init();

    // Entries sorted by time; at equal times calls first, so touching intervals overlap.
    const nodes: number[] = [];
    for (let i = 0; i < n; i++) nodes.push(2 * i + 1, 2 * i + 2);
    const time = (node: number) => {
      const op = ops[(node - 1) >> 1];
      return node & 1 ? op.call : op.ret;
    };
    nodes.sort((a, b) => time(a) - time(b) || (b & 1) - (a & 1) || a - b);
    this.next = new Int32Array(2 * n + 1).fill(-1);
    this.prev = new Int32Array(2 * n + 1).fill(-1);
    let last = HEAD;
    for (const node of nodes) {
      this.next[last] = node;
      this.prev[node] = last;
      last = node;
    }
    this.cursor = this.next[HEAD];
    this.recordDeepest();
  }

  get result(): SliceResult {
    return this.finished;
  }

  /** Runs at most maxSteps search steps; "running" means call again. */
  run(maxSteps: number): SliceResult {
    if (this.finished !== "running") return this.finished;
    const { model, next, prev, bits, zobrist, stackOps, stackStates, inputs, outputs, statuses, optional, cache } = this;
    let node = this.cursor;
    let state = this.state;
    let depth = this.depth;
    let required = this.required;
    let fingerprint = this.fingerprint;
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
        // A call entry: try to linearize op now.
        const after = model.step(state, inputs[op], outputs[op], statuses[op]);
        if (after !== undefined) {
          const word = op >> 5;
          const mask = 1 << (op & 31);
          bits[word] |= mask;
          const fp = fingerprint ^ zobrist[op];
          const key = (fp + Math.imul(model.hash(after), 0x9e3779b1)) | 0;
          if (cache.addIfAbsent(key, bits, after)) {
            stackOps[depth] = op;
            stackStates[depth] = state;
            depth++;
            state = after;
            fingerprint = fp;
            // lift: unlink the call entry and its return entry
            const r = node + 1;
            next[prev[node]] = next[node];
            if (next[node] !== -1) prev[next[node]] = prev[node];
            next[prev[r]] = next[r];
            if (next[r] !== -1) prev[next[r]] = prev[r];
            if (optional[op] === 0) required--;
            if (depth > this.bestDepth) {
              // Snapshot lazily, when the search leaves this depth: on a history that passes
              // that never happens, and copying the prefix at every new depth is O(n²).
              this.bestDepth = depth;
              this.deepestSaved = false;
            }
            if (this.budget.used > this.budget.max) {
              verdict = "out-of-memory";
              break;
            }
            node = next[HEAD];
            continue;
          }
          bits[word] &= ~mask;
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
        depth--;
        const back = stackOps[depth];
        state = stackStates[depth] as S;
        stackStates[depth] = undefined;
        bits[back >> 5] &= ~(1 << (back & 31));
        fingerprint ^= zobrist[back];
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
    this.fingerprint = fingerprint;
    if (verdict !== "running") this.finish(verdict);
    return verdict;
  }

  /** The deepest configuration reached (meaningful once the verdict is "illegal"). */
  deepestPoint(): DeepestPoint<S> {
    if (this.deepest === undefined) throw new Error("deepestPoint: search not started");
    return this.deepest;
  }

  /** Frees the memo (the part is decided or abandoned). */
  abandon(): void {
    if (this.finished === "running") this.finish("running");
    this.cache.release();
  }


  private finish(v: SliceResult): void {
    this.finished = v;
    this.stackStates.fill(undefined);
    this.cache.release();
  }

  private recordDeepest(): void {
    this.bestDepth = this.depth;
    this.deepestSaved = true;
    const candidates: number[] = [];
    let deadline = -1;
    for (let node = this.next[HEAD]; node !== -1; node = this.next[node]) {
      const op = (node - 1) >> 1;
      if ((node & 1) === 0) {
        deadline = op;
        break;
      }
      candidates.push(op);
    }
    this.deepest = { prefix: Array.from(this.stackOps.subarray(0, this.depth)), state: this.state, candidates, deadline };
  }
}
