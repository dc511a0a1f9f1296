// Small helpers over id lists used as sets (membership lists: a handful of ids, no duplicates).

/** a and b hold the same ids, in any order (both duplicate-free). */
export function sameSet(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (const x of a) if (!b.includes(x)) return false;
  return true;
}
