// Discrete-event queue ordered by (virtual time µs, insertion seq). A binary min-heap of slot
// ids over parallel typed arrays: no per-event objects except the optional payload reference.
// Each heap position holds its event's key (time, seq) beside its slot id, interleaved in one
// array, so the comparisons of a sift read the keys where they walk instead of through the
// slot (two dependent loads, in two arrays, per side); the slot's own fields are read only when
// it runs. Cancellation removes the slot from the heap (positions are tracked), so frequently
// re-armed timers do not pile up. Handles carry a generation so a stale handle never cancels a
// reused slot.
import { assert } from "./assert.js";

/** Whether key (t, q) orders before (t2, q2): earlier time, then the lower (older) seq. */
function before(t: number, q: number, t2: number, q2: number): boolean {
  return t < t2 || (t === t2 && q < q2);
}

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
  /** heap position i -> its event's time at [2i] and seq at [2i+1] (see the header). */
  private keys: Float64Array;
  private pos: Int32Array; // slot -> heap position, -1 when free
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
    this.keys = new Float64Array(2 * this.cap);
    this.pos = new Int32Array(this.cap).fill(-1);
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
    return this.size > 0 ? this.keys[0] : Infinity;
  }

  /** Schedule an event at absolute virtual time `at` (≥ now). Returns a cancel handle. `c`: a
   * spare integer handed back with the event (default 0). */
  push(at: number, kind: number, a: number, b: number, payload: unknown, c = 0): number {
    if (!(at >= this.now)) assert(false, `event scheduled in the past: at=${at} now=${this.now} kind=${kind}`);
    const s = this.alloc();
    const q = this.nextSeq++;
    this.kind[s] = kind;
    this.ea[s] = a;
    this.eb[s] = b;
    this.ec[s] = c;
    this.payload[s] = payload;
    // The newest seq is the largest: siftUp's tie-break (equal time, parent first) holds as is.
    this.siftUp(this.size++, at, q, s);
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

  /** The time of a pending event; -1 once it ran or was cancelled (or the handle is stale). */
  timeOf(handle: number): number {
    if (handle < 0) return -1;
    const s = handle % SLOT_SPAN;
    if (s >= this.used || this.gen[s] !== (handle - s) / SLOT_SPAN || this.pos[s] < 0) return -1;
    return this.keys[2 * this.pos[s]];
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
    const i = this.pos[s];
    const old = this.keys[2 * i];
    const q = this.nextSeq++;
    this.kind[s] = kind;
    this.ea[s] = a;
    this.eb[s] = b;
    this.ec[s] = c;
    this.payload[s] = payload;
    // A later key (time up, or the same time with the newest seq) can only sink; an earlier
    // time can only rise.
    if (at < old) this.siftUp(i, at, q, s);
    else this.siftDown(i, at, q, s);
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
      const t = this.keys[0];
      if (t > limitUs) break;
      while (t > this.watchAt) {
        const fn = this.watchFn!;
        this.watchAt = Infinity;
        this.watchFn = undefined;
        fn();
      }
      if (this.executed >= this.budget) throw new BudgetExhaustedError(this.budget, t, this.seed);
      const s = this.heap[0];
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
    this.now = this.keys[0];
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

  /** Remove the event at heap position i (a cancel). */
  private removeAt(i: number): void {
    const n = --this.size;
    this.pos[this.heap[i]] = -1;
    if (i === n) return;
    const keys = this.keys;
    const last = this.heap[n], t = keys[2 * n], q = keys[2 * n + 1];
    // sift down, then up (removal from the middle may need either)
    if (!this.siftDown(i, t, q, last)) this.siftUp(i, t, q, last);
  }

  /** Remove the root, the earliest event. Floyd's bottom-up deletion: the hole left at the root
   * sinks to a leaf along the earlier child (one comparison per level), and the heap's last
   * slot, which came from the bottom and seldom rises far, fills it and sifts up. About half the
   * comparisons of sifting the last slot down from the root. The queue's order is the total
   * order of (time, seq), seqs unique, so which slot runs next is the same whatever the heap's
   * shape: no effect on any run. */
  private popRoot(): void {
    const heap = this.heap, keys = this.keys;
    this.pos[heap[0]] = -1;
    const n = --this.size;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n) {
        if (before(keys[2 * r], keys[2 * r + 1], keys[2 * l], keys[2 * l + 1])) c = r;
      }
      this.place(i, keys[2 * c], keys[2 * c + 1], heap[c]);
      i = c;
    }
    this.siftUp(i, keys[2 * n], keys[2 * n + 1], heap[n]);
  }

  /** Place slot s with key (t, q) at heap position i or below; false if it stays at i. */
  private siftDown(i: number, t: number, q: number, s: number): boolean {
    const heap = this.heap, keys = this.keys;
    const n = this.size;
    const start = i;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let ct = keys[2 * l], cq = keys[2 * l + 1];
      if (r < n) {
        const tr = keys[2 * r], qr = keys[2 * r + 1];
        if (before(tr, qr, ct, cq)) { c = r; ct = tr; cq = qr; }
      }
      if (!before(ct, cq, t, q)) break;
      this.place(i, ct, cq, heap[c]);
      i = c;
    }
    this.place(i, t, q, s);
    return i !== start;
  }

  /** Place slot s with key (t, q) at heap position i or above. */
  private siftUp(i: number, t: number, q: number, s: number): void {
    const heap = this.heap, keys = this.keys;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = keys[2 * p], pq = keys[2 * p + 1];
      if (!before(t, q, pt, pq)) break;
      this.place(i, pt, pq, heap[p]);
      i = p;
    }
    this.place(i, t, q, s);
  }

  /** Put slot s with key (t, q) at heap position i. */
  private place(i: number, t: number, q: number, s: number): void {
    this.heap[i] = s;
    this.keys[2 * i] = t;
    this.keys[2 * i + 1] = q;
    this.pos[s] = i;
  }

  private alloc(): number {
    if (this.freeTop > 0) return this.free[--this.freeTop];
    if (this.used === this.cap) this.grow();
    return this.used++;
  }

  private release(s: number): void {
    this.payload[s] = undefined; // let the message be collected
    // GEN_WRAP is a power of two and gens are non-negative: the mask is `% GEN_WRAP`, cheaper.
    this.gen[s] = (this.gen[s] + 1) & (GEN_WRAP - 1);
    this.free[this.freeTop++] = s;
  }

  private grow(): void {
    const n = this.cap * 2;
    assert(n <= SLOT_SPAN, `scheduler: more than ${SLOT_SPAN} pending events`);
    const g32 = (a: Int32Array) => { const x = new Int32Array(n); x.set(a); return x; };
    this.heap = g32(this.heap);
    const keys = new Float64Array(2 * n); keys.set(this.keys); this.keys = keys;
    const pos = new Int32Array(n).fill(-1); pos.set(this.pos); this.pos = pos;
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
