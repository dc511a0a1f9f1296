// Small 32-bit hashes for model states and the linearized-set fingerprint.
import { FNV_OFFSET, fnv1a } from "../util/hash.js";

/** FNV-1a over UTF-16 code units, signed; `from` continues an earlier hash
 * (hashString(a + b) === hashString(b, hashString(a))). */
export function hashString(s: string, from: number = FNV_OFFSET): number {
  return fnv1a(s, from) | 0;
}

/** Mixes a number (integer or not) into 32 bits. */
export function hashNumber(x: number): number {
  let h = Number.isInteger(x) && Math.abs(x) < 2 ** 31 ? x | 0 : hashString(String(x));
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** Combines two hashes, order-sensitive. */
export function hashCombine(a: number, b: number): number {
  return (Math.imul(a ^ (a >>> 15), 0x2c1b3c6d) + hashNumber(b)) | 0;
}

/** Hash of a JSON-like primitive (null, boolean, number, string). */
export function hashPrimitive(v: unknown): number {
  if (v === null || v === undefined) return 0x5bd1e995;
  if (typeof v === "number") return hashNumber(v);
  if (typeof v === "string") return hashString(v);
  if (typeof v === "boolean") return v ? 0x27d4eb2f : 0x165667b1;
  return hashString(JSON.stringify(v));
}

/** Deterministic pseudo-random 32-bit words (splitmix32), for Zobrist fingerprints. */
export function randomWords(n: number, seed = 0x9e3779b9): Int32Array {
  const out = new Int32Array(n);
  let s = seed | 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    out[i] = z ^ (z >>> 16);
  }
  return out;
}
