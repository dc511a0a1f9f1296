// Discrete-event queue ordered by (virtual time µs, insertion seq). A binary min-heap of slot
// ids over parallel typed arrays: no per-event objects except the optional payload reference.
// Cancellation removes the slot from the heap (positions are tracked), so frequently re-armed
// timers do not pile up. Handles carry a generation so a stale handle never cancels a reused slot.
import { assert } from "./assert.js";

export interface EventHandler {
  /** Called once per event, with the scheduler's `now` already set to `time`; c is the push's
   * spare integer (the network keeps a message's trace key there). */
  handle(kind: number, a: number, b: number, payload: unknown, time: number, c: number): void;
}

/** Thrown when a run exceeds its event budget: almost always a livelock. */
export class BudgetExhaustedError extends Error {
  constructor(readonly budget: number, readonly atUs: number, readonly seed: number | string) {
    super(`event budget of ${budget} exhausted at t=${atUs}us (seed ${seed}): likely livelock`);
    this.name = "BudgetExhaustedError";
  }
}

const SLOT_BITS = 24;
const SLOT_SPAN = 1 << SLOT_BITS; // max concurrent pending events
const GEN_WRAP = 1 << 28; // handles stay below 2^52

export const NO_HANDLE = -1;

export class Scheduler {
  now = 0;
  /** Events executed so far (all runs). */
  executed = 0;
  budget: number;
  readonly seed: number | string;

  private cap: number;
  private size = 0;
  private heap: Int32Array; // heap position -> slot
  private pos: Int32Array; // slot -> heap position, -1 when free
  private time: Float64Array;
  private seq: Float64Array;
  private kind: Int32Array;
  private ea: Int32Array;
  private eb: Int32Array;
  private ec: Int32Array;
  private gen: Int32Array;
  private payload: unknown[];
  private free: Int32Array; // stack of free slots
  private freeTop = 0;
  private used = 0; // slots handed out at least once
  private nextSeq = 0;
  // A read-only observer, run once before the first event later than watchAt (World.probe).
  private watchAt = Infinity;
  private watchFn: (() => void) | undefined = undefined;

  constructor(opts: { budget?: number; seed?: number | string; capacity?: number } = {}) {
    this.budget = opts.budget ?? Number.MAX_SAFE_INTEGER;
    this.seed = opts.seed ?? "?";
    this.cap = Math.max(16, opts.capacity ?? 1024);
    this.heap = new Int32Array(this.cap);
    this.pos = new Int32Array(this.cap).fill(-1);
    this.time = new Float64Array(this.cap);
    this.seq = new Float64Array(this.cap);
    this.kind = new Int32Array(this.cap);
    this.ea = new Int32Array(this.cap);
    this.eb = new Int32Array(this.cap);
    this.ec = new Int32Array(this.cap);
    this.gen = new Int32Array(this.cap);
    this.payload = new Array(this.cap).fill(undefined);
    this.free = new Int32Array(this.cap);
  }

  get pending(): number {
    return this.size;
  }

  /** Time of the earliest pending event, or Infinity. */
  peekTime(): number {
    return this.size > 0 ? this.time[this.heap[0]] : Infinity;
  }

  /** Schedule an event at absolute virtual time `at` (≥ now). Returns a cancel handle. `c`: a
   * spare integer handed back with the event (default 0). */
  push(at: number, kind: number, a: number, b: number, payload: unknown, c = 0): number {
    if (!(at >= this.now)) assert(false, `event scheduled in the past: at=${at} now=${this.now} kind=${kind}`);
    const s = this.alloc();
    this.time[s] = at;
    this.seq[s] = this.nextSeq++;
    this.kind[s] = kind;
    this.ea[s] = a;
    this.eb[s] = b;
    this.ec[s] = c;
    this.payload[s] = payload;
    let i = this.size++;
    // sift up
    while (i > 0) {
      const p = (i - 1) >> 1;
      const ps = this.heap[p];
      if (this.time[ps] < at || (this.time[ps] === at)) break; // seq is monotone: equal time ⇒ parent first
      this.heap[i] = ps;
      this.pos[ps] = i;
      i = p;
    }
    this.heap[i] = s;
    this.pos[s] = i;
    return this.gen[s] * SLOT_SPAN + s;
  }

  /** Cancel a pending event. Returns false if it already ran, was cancelled, or handle is stale. */
  cancel(handle: number): boolean {
    if (handle < 0) return false;
    const s = handle % SLOT_SPAN;
    const g = (handle - s) / SLOT_SPAN;
    if (s >= this.used || this.gen[s] !== g || this.pos[s] < 0) return false;
    this.removeAt(this.pos[s]);
    this.release(s);
    return true;
  }

  /** Move a pending event to `at` with these fields, or push a new one if the handle is no
   * longer pending; returns the handle. The moved event takes a fresh sequence number, so it
   * runs exactly where cancel(handle) + push(...) would put it (the queue's order is the total
   * order of (time, seq), whatever the heap's shape), without the removal and re-insertion:
   * nodes re-arm their wake-up after every input, mostly to the same instant. */
  reschedule(handle: number, at: number, kind: number, a: number, b: number, payload: unknown, c = 0): number {
    if (!(at >= this.now)) assert(false, `event scheduled in the past: at=${at} now=${this.now} kind=${kind}`);
    const s = handle < 0 ? -1 : handle % SLOT_SPAN;
    if (s < 0 || s >= this.used || this.gen[s] !== (handle - s) / SLOT_SPAN || this.pos[s] < 0) return this.push(at, kind, a, b, payload, c);
    const old = this.time[s];
    this.time[s] = at;
    this.seq[s] = this.nextSeq++;
    this.kind[s] = kind;
    this.ea[s] = a;
    this.eb[s] = b;
    this.ec[s] = c;
    this.payload[s] = payload;
    // A later key (time up, or the same time with the newest seq) can only sink; an earlier
    // time can only rise.
    if (at < old) this.siftUp(this.pos[s], s);
    else this.siftDown(this.pos[s], s);
    return handle;
  }

  /** Call fn (once) just before the first event with time > atUs runs — in whichever runUntil
   * that happens: the state it sees is the state after every event with time ≤ atUs. One watch
   * at a time (fn may set the next). fn must schedule nothing: it is an observer, and the
   * queue, the sequence numbers and `now` are what they would be without it. */
  setWatch(atUs: number, fn: (() => void) | undefined): void {
    this.watchAt = fn === undefined ? Infinity : atUs;
    this.watchFn = fn;
  }

  /** Run events with time ≤ limitUs (or until stop() is true after an event); then now = limitUs
   * if the queue ran dry before it. Returns the number of events executed. */
  runUntil(h: EventHandler, limitUs: number, stop?: () => boolean): number {
    const start = this.executed;
    while (this.size > 0) {
      const s = this.heap[0];
      const t = this.time[s];
      if (t > limitUs) break;
      while (t > this.watchAt) {
        const fn = this.watchFn!;
        this.watchAt = Infinity;
        this.watchFn = undefined;
        fn();
      }
      if (this.executed >= this.budget) throw new BudgetExhaustedError(this.budget, t, this.seed);
      const k = this.kind[s], a = this.ea[s], b = this.eb[s], c = this.ec[s], p = this.payload[s];
      this.popRoot();
      this.release(s);
      this.now = t;
      this.executed++;
      h.handle(k, a, b, p, t, c);
      if (stop !== undefined && stop()) return this.executed - start;
    }
    if (limitUs !== Infinity && limitUs > this.now) this.now = limitUs;
    return this.executed - start;
  }

  /** Run until no events remain (quiescence) or stop() holds. */
  runToQuiescence(h: EventHandler, stop?: () => boolean): number {
    return this.runUntil(h, Infinity, stop);
  }

  /** Pop one event into the `cur*` fields (benchmarks, custom loops). False if empty. */
  curKind = 0;
  curA = 0;
  curB = 0;
  curC = 0;
  curPayload: unknown = undefined;
  pop(): boolean {
    if (this.size === 0) return false;
    const s = this.heap[0];
    this.now = this.time[s];
    this.curKind = this.kind[s];
    this.curA = this.ea[s];
    this.curB = this.eb[s];
    this.curC = this.ec[s];
    this.curPayload = this.payload[s];
    this.popRoot();
    this.release(s);
    this.executed++;
    return true;
  }

  private less(x: number, y: number): boolean {
    const tx = this.time[x], ty = this.time[y];
    return tx < ty || (tx === ty && this.seq[x] < this.seq[y]);
  }

  private removeAt(i: number): void {
    const last = this.heap[--this.size];
    this.pos[this.heap[i]] = -1;
    if (i === this.size) return;
    this.heap[i] = last;
    this.pos[last] = i;
    // sift down, then up (removal from the middle may need either)
    if (!this.siftDown(i, last)) this.siftUp(i, last);
  }

  /** Remove the root, the earliest event. Floyd's bottom-up deletion: the hole left at the root
   * sinks to a leaf along the earlier child (one comparison per level), and the heap's last
   * slot, which came from the bottom and seldom rises far, fills it and sifts up. About half the
   * comparisons of sifting the last slot down from the root. The queue's order is the total
   * order of (time, seq), seqs unique, so which slot runs next is the same whatever the heap's
   * shape: no effect on any run. */
  private popRoot(): void {
    const heap = this.heap;
    this.pos[heap[0]] = -1;
    const n = --this.size;
    if (n === 0) return;
    const last = heap[n];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(heap[r], heap[l]) ? r : l;
      const cs = heap[c];
      heap[i] = cs;
      this.pos[cs] = i;
      i = c;
    }
    this.siftUp(i, last);
  }

  /** Move slot s, at heap position i, down to its place; false if it did not move. */
  private siftDown(i: number, s: number): boolean {
    const n = this.size;
    const start = i;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(this.heap[r], this.heap[l]) ? r : l;
      const cs = this.heap[c];
      if (!this.less(cs, s)) break;
      this.heap[i] = cs;
      this.pos[cs] = i;
      i = c;
    }
    this.heap[i] = s;
    this.pos[s] = i;
    return i !== start;
  }

  /** Move slot s, at heap position i, up to its place. */
  private siftUp(i: number, s: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      const ps = this.heap[p];
      if (!this.less(s, ps)) break;
      this.heap[i] = ps;
      this.pos[ps] = i;
      i = p;
    }
    this.heap[i] = s;
    this.pos[s] = i;
  }

  private alloc(): number {
    if (this.freeTop > 0) return this.free[--this.freeTop];
    if (this.used === this.cap) this.grow();
    return this.used++;
  }

  private release(s: number): void {
    this.payload[s] = undefined; // let the message be collected
    this.gen[s] = (this.gen[s] + 1) % GEN_WRAP;
    this.free[this.freeTop++] = s;
  }

  private grow(): void {
    const n = this.cap * 2;
    assert(n <= SLOT_SPAN, `scheduler: more than ${SLOT_SPAN} pending events`);
    const g32 = (a: Int32Array) => { const x = new Int32Array(n); x.set(a); return x; };
    const g64 = (a: Float64Array) => { const x = new Float64Array(n); x.set(a); return x; };
    this.heap = g32(this.heap);
    const pos = new Int32Array(n).fill(-1); pos.set(this.pos); this.pos = pos;
    this.time = g64(this.time);
    this.seq = g64(this.seq);
    this.kind = g32(this.kind);
    this.ea = g32(this.ea);
    this.eb = g32(this.eb);
    this.ec = g32(this.ec);
    this.gen = g32(this.gen);
    this.free = g32(this.free);
    for (let i = this.cap; i < n; i++) this.payload.push(undefined);
    this.cap = n;
  }
}
