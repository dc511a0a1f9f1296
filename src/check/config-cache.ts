// Lowe's memo: the set of (linearized ops, model state) configurations already explored.
//
// The key is constant-size: two 32-bit lanes of a Zobrist hash of the linearized set, each
// mixed with the model state's hash. Every entry also keeps an exact, compact description of
// its linearized set (see PartitionSearch.encode: the ops left out below the highest
// linearized op, or a bitset over the window where the set is not all-or-nothing), in one
// flat word arena. A lookup compares that description word by word, and then model.equal,
// only when both hash lanes match, so a hash collision can never make two different
// configurations look equal: a false hit would prune an unexplored branch and could turn a
// linearizable history into a reported violation. A lookup allocates nothing.
import type { Model } from "./model.js";

/** What the memo may hold, shared by all parts of one check (the memory budget). */
export interface StateBudget {
  states: number;
  bytes: number;
  readonly maxStates: number;
  readonly maxBytes: number;
}

/**
 * Bytes charged per entry besides its key words: the slot table (≤ 2 slots of 4 B each at ≤ ½
 * load), the two hash lanes, the key header (offset, length, two bounds), the state reference,
 * and an allowance for the state object itself (models usually share or intern their states).
 */
export const ENTRY_BYTES = 64;

const INITIAL_SLOTS = 1024;
/**
 * Past these sizes a released cache drops its arrays instead of keeping them for the next part:
 * clearing a large slot table costs more than a small new one, and a sweep checks thousands of
 * small histories after an occasional large one.
 */
const KEEP_SLOTS = 4 * INITIAL_SLOTS;
const KEEP_WORDS = 16 * INITIAL_SLOTS;

export class ConfigCache {
  private slots = new Int32Array(INITIAL_SLOTS); // entry index + 1, 0 = empty
  private mask = INITIAL_SLOTS - 1;
  private lane1 = new Int32Array(INITIAL_SLOTS / 2);
  private lane2 = new Int32Array(INITIAL_SLOTS / 2);
  private head = new Int32Array(2 * INITIAL_SLOTS); // per entry: offset, length, lo, hi
  private words = new Int32Array(4 * INITIAL_SLOTS);
  private used = 0; // words of the arena in use
  private states: unknown[] = [];
  private model: Model<unknown, unknown, unknown> | undefined = undefined;
  private budget: StateBudget | undefined = undefined;
  private bytes = 0;
  size = 0;

  /** Starts an empty memo for one part. */
  reset(model: Model<unknown, unknown, unknown>, budget: StateBudget): void {
    this.model = model;
    this.budget = budget;
  }

  /** Is the configuration present? Same arguments as addIfAbsent; records nothing. */
  has(a: number, b: number, state: unknown, lo: number, hi: number, key: Int32Array, len: number): boolean {
    const slots = this.slots;
    const mask = this.mask;
    for (let slot = a & mask; ; slot = (slot + 1) & mask) {
      const e = slots[slot];
      if (e === 0) return false;
      const idx = e - 1;
      if (this.lane1[idx] === a && this.lane2[idx] === b && this.sameKey(idx, lo, hi, key, len) && this.model!.equal(this.states[idx], state)) return true;
    }
  }

  /**
   * Records the configuration unless it is already present; true when it was new.
   * a, b: the two hash lanes; lo, hi: the key's bounds; key[0..len): its words.
   */
  addIfAbsent(a: number, b: number, state: unknown, lo: number, hi: number, key: Int32Array, len: number): boolean {
    const slots = this.slots;
    const mask = this.mask;
    let slot = a & mask;
    for (;;) {
      const e = slots[slot];
      if (e === 0) break;
      const idx = e - 1;
      if (this.lane1[idx] === a && this.lane2[idx] === b && this.sameKey(idx, lo, hi, key, len) && this.model!.equal(this.states[idx], state)) return false;
      slot = (slot + 1) & mask;
    }
    const idx = this.size++;
    if (idx >= this.lane1.length) this.growEntries();
    if (this.used + len > this.words.length) this.growWords(this.used + len);
    this.lane1[idx] = a;
    this.lane2[idx] = b;
    const h = 4 * idx;
    const off = this.used;
    this.head[h] = off;
    this.head[h + 1] = len;
    this.head[h + 2] = lo;
    this.head[h + 3] = hi;
    const words = this.words;
    for (let i = 0; i < len; i++) words[off + i] = key[i];
    this.used = off + len;
    this.states[idx] = state; // idx === size - 1: appends while the array is at its high-water mark
    slots[slot] = idx + 1;
    const cost = ENTRY_BYTES + 4 * len;
    this.bytes += cost;
    const budget = this.budget!;
    budget.states++;
    budget.bytes += cost;
    if (this.size * 2 > slots.length) this.rehash();
    return true;
  }

  /** Gives the entries back to the shared budget and drops them; the arrays are kept for the next part unless large. */
  release(): void {
    const budget = this.budget;
    if (budget !== undefined) {
      budget.states -= this.size;
      budget.bytes -= this.bytes;
    }
    if (this.slots.length > KEEP_SLOTS) {
      this.slots = new Int32Array(INITIAL_SLOTS);
      this.mask = INITIAL_SLOTS - 1;
      this.lane1 = new Int32Array(INITIAL_SLOTS / 2);
      this.lane2 = new Int32Array(INITIAL_SLOTS / 2);
      this.head = new Int32Array(2 * INITIAL_SLOTS);
    } else if (8 * this.size < this.slots.length) {
      // Few entries (a small part): clear their own slots rather than the whole table. Each
      // entry's slot is on its probe path; the search looks for the entry itself, so slots
      // already cleared on that path do not stop it.
      const slots = this.slots;
      const mask = this.mask;
      const lane1 = this.lane1;
      for (let idx = 0; idx < this.size; idx++) {
        let slot = lane1[idx] & mask;
        while (slots[slot] !== idx + 1) slot = (slot + 1) & mask;
        slots[slot] = 0;
      }
    } else {
      this.slots.fill(0);
    }
    if (this.words.length > KEEP_WORDS) this.words = new Int32Array(4 * INITIAL_SLOTS);
    // Drop the states (truncating the array instead costs a length change on every release).
    const states = this.states;
    if (states.length > KEEP_SLOTS) this.states = [];
    else for (let i = 0; i < this.size; i++) states[i] = undefined;
    this.size = 0;
    this.used = 0;
    this.bytes = 0;
    this.model = undefined;
    this.budget = undefined;
  }

  private sameKey(idx: number, lo: number, hi: number, key: Int32Array, len: number): boolean {
    const h = 4 * idx;
    const head = this.head;
    if (head[h + 1] !== len || head[h + 2] !== lo || head[h + 3] !== hi) return false;
    const words = this.words;
    const off = head[h];
    for (let i = 0; i < len; i++) if (words[off + i] !== key[i]) return false;
    return true;
  }

  private growEntries(): void {
    const cap = this.lane1.length * 2;
    const l1 = new Int32Array(cap);
    l1.set(this.lane1);
    this.lane1 = l1;
    const l2 = new Int32Array(cap);
    l2.set(this.lane2);
    this.lane2 = l2;
    const head = new Int32Array(4 * cap);
    head.set(this.head);
    this.head = head;
  }

  private growWords(need: number): void {
    let cap = this.words.length * 2;
    while (cap < need) cap *= 2;
    const words = new Int32Array(cap);
    words.set(this.words.subarray(0, this.used));
    this.words = words;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    const lane1 = this.lane1;
    for (let idx = 0; idx < this.size; idx++) {
      let slot = lane1[idx] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = idx + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
