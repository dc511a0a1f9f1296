// Seeded random streams. One root seed; children are forked by label from the parent's *key*
// (not its current state), so forking or drawing in one consumer never shifts another's draws.
// Generator: sfc32 (fast, passes PractRand to large sizes), state filled by splitmix32.
import type { ImplRng } from "../../impl/node.js";
import { fmix32, fnv1a } from "../../util/hash.js";
import { assert, fail } from "./assert.js";

const TWO_32 = 4294967296;

/** FNV-1a over UTF-16 code units, finished with a murmur3 avalanche (unsigned). It seeds every
 * stream from its label: its output must never change. */
export function labelHash(s: string): number {
  return fmix32(fnv1a(s));
}


/** splitmix32 step over a u32 state; returns [output, nextState] packed via the caller. */
function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0;
  z ^= z >>> 16;
  z = Math.imul(z, 0x21f0aaad);
  z ^= z >>> 15;
  z = Math.imul(z, 0x735a2d97);
  z ^= z >>> 15;
  return z >>> 0;
}

export class Rng implements ImplRng {
  /** Two u32 words identifying this stream; children derive from these. */
  readonly k0: number;
  readonly k1: number;
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = NaN; // second Box-Muller normal

  /** seed: a non-negative integer up to 2^53. */
  static root(seed: number): Rng {
    assert(Number.isSafeInteger(seed) && seed >= 0, `seed must be an integer in [0, 2^53): ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_32) >>> 0;
    return new Rng(fmix32(lo ^ 0x5bd1e995), fmix32((hi + 0x27d4eb2f) ^ fmix32(lo)));
  }

  private constructor(k0: number, k1: number) {
    this.k0 = k0 >>> 0;
    this.k1 = k1 >>> 0;
    let s = this.k0 ^ Math.imul(this.k1, 0x9e3779b1);
    s = splitmix32(s); this.a = s;
    s = splitmix32(s ^ this.k1); this.b = s;
    s = splitmix32(s); this.c = s;
    s = splitmix32(s ^ this.k0); this.d = s | 1;
    for (let i = 0; i < 12; i++) this.u32(); // warm up: decorrelate similar keys
  }

  /** An independent stream named `label` under this one. Same (parent, label) → same stream. */
  fork(label: string): Rng {
    const h = labelHash(label);
    return new Rng(fmix32(this.k0 ^ h), fmix32((this.k1 + Math.imul(h, 0x9e3779b1)) | 0));
  }

  /** Next uniform u32 (sfc32). */
  u32(): number {
    const a = this.a, b = this.b, c = this.c;
    const t = (((a + b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of precision (enough for simulation choices). */
  float(): number {
    return this.u32() / TWO_32;
  }

  /** Uniform integer in [lo, hi], inclusive. Bias ≤ range/2^32 for ranges under 2^32. */
  int(lo: number, hi: number): number {
    const range = hi - lo + 1;
    // Hot (gossip draws, picks): small-integer bounds skip the general checks; same formula.
    if ((lo | 0) === lo && (hi | 0) === hi && range >= 1 && range <= TWO_32) return lo + Math.floor((this.u32() * range) / TWO_32);
    if (!(Number.isSafeInteger(lo) && Number.isSafeInteger(hi) && range >= 1)) fail(`rng.int bad range [${lo}, ${hi}]`);
    if (range <= TWO_32) return lo + Math.floor((this.u32() * range) / TWO_32);
    // 53-bit draw for wide ranges.
    const x = (this.u32() >>> 5) * 67108864 + (this.u32() >>> 6);
    return lo + Math.floor((x / 9007199254740992) * range);
  }

  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  pick<T>(arr: readonly T[]): T {
    assert(arr.length > 0, "rng.pick from an empty array");
    return arr[this.int(0, arr.length - 1)];
  }

  /** Fisher–Yates in place; returns arr. */
  shuffle<T>(arr: T[]): T[] {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const t = arr[i];
      arr[i] = arr[j];
      arr[j] = t;
    }
    return arr;
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }

  normal(): number {
    if (this.spare === this.spare) {
      const s = this.spare;
      this.spare = NaN;
      return s;
    }
    const u = 1 - this.float(); // (0, 1]
    const v = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  lognormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }

  /** Integer latency in µs: lognormal with the given median, heavy right tail for sigma ≳ 0.5. */
  latencyUs(medianUs: number, sigma: number): number {
    if (sigma <= 0) return Math.max(1, Math.round(medianUs));
    // normal(), written out: every message and fsync draws here, and a double returned from a
    // call that is not inlined is boxed (a heap number per draw). Same draws, same arithmetic.
    let n: number;
    if (this.spare === this.spare) {
      n = this.spare;
      this.spare = NaN;
    } else {
      const u = 1 - this.float(); // (0, 1]
      const v = this.float();
      const r = Math.sqrt(-2 * Math.log(u));
      this.spare = r * Math.sin(2 * Math.PI * v);
      n = r * Math.cos(2 * Math.PI * v);
    }
    return Math.max(1, Math.round(medianUs * Math.exp(sigma * n)));
  }
}
