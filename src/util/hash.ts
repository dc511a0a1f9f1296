// The one FNV-1a primitive (32-bit, over UTF-16 code units) and the murmur3 finalizer. The rng's
// stream labels, the checker's model hashes, the world's default trace key and the store's state
// hash are all built on these. Their outputs are part of trace hashes: never change them.
// Pure: imports nothing.
export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/** One FNV-1a step: mix 32 bits of `x` (callers pass a code unit or a 16-bit half). */
export function fnvStep(h: number, x: number): number {
  return Math.imul(h ^ x, FNV_PRIME);
}

/** FNV-1a of `s`, continuing from `from`; the raw signed 32-bit state. */
export function fnv1a(s: string, from: number = FNV_OFFSET): number {
  let h = from;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

/** murmur3's 32-bit avalanche; unsigned result. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
