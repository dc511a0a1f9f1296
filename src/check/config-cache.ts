// Lowe's memo: the set of (linearized ops, model state) configurations already explored.
// Open addressing over precomputed 32-bit hashes; bitsets live in one flat word pool so that
// a lookup allocates nothing, and model.equal runs only when hash and bits both match.

/** A count of cached configurations shared by all parts of one check (the memory budget). */
export interface StateBudget {
  used: number;
  readonly max: number;
}

export class ConfigCache<S> {
  private slots: Int32Array; // entry index + 1, 0 = empty
  private mask: number;
  private hashes = new Int32Array(1024);
  private words: Uint32Array;
  private states: S[] = [];
  size = 0;

  constructor(
    private readonly width: number, // words per bitset
    private readonly equal: (a: S, b: S) => boolean,
    private readonly budget: StateBudget,
  ) {
    if (!(width >= 1)) throw new RangeError(`ConfigCache: width must be >= 1, got ${width}`);
    this.slots = new Int32Array(2048);
    this.mask = this.slots.length - 1;
    this.words = new Uint32Array(1024 * width);
  }

  /** Records (bits, state) under `hash` unless already present; true when it was new. */
  addIfAbsent(hash: number, bits: Uint32Array, state: S): boolean {
    const w = this.width;
    let slot = hash & this.mask;
    for (;;) {
      const e = this.slots[slot];
      if (e === 0) break;
      const idx = e - 1;
      if (this.hashes[idx] === hash && this.bitsEqual(idx, bits) && this.equal(this.states[idx], state)) return false;
      slot = (slot + 1) & this.mask;
    }
    const idx = this.size++;
    if (idx >= this.hashes.length) this.growEntries();
    this.hashes[idx] = hash;
    this.words.set(bits.subarray(0, w), idx * w);
    this.states.push(state);
    this.slots[slot] = idx + 1;
    this.budget.used++;
    if (this.size * 2 > this.slots.length) this.rehash();
    return true;
  }

  /** Gives the entries back to the shared budget and drops them. */
  release(): void {
    this.budget.used -= this.size;
    this.size = 0;
    this.states = [];
    this.slots = new Int32Array(2);
    this.mask = 1;
    this.hashes = new Int32Array(1);
    this.words = new Uint32Array(this.width);
  }

  private bitsEqual(idx: number, bits: Uint32Array): boolean {
    const w = this.width;
    const base = idx * w;
    for (let i = 0; i < w; i++) if (this.words[base + i] !== bits[i]) return false;
    return true;
  }

  private growEntries(): void {
    const hashes = new Int32Array(this.hashes.length * 2);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const words = new Uint32Array(this.words.length * 2);
    words.set(this.words);
    this.words = words;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let idx = 0; idx < this.size; idx++) {
      let slot = this.hashes[idx] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = idx + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
