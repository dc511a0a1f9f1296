// Seed ranges ("1..1000" or "7"), shared by `raftsim sweep --seeds` and the scenario files'
// `seeds:` key. Pure: imports nothing.

export interface SeedRange {
  readonly from: number;
  readonly to: number;
}

/** "A..B" (inclusive, A <= B) or "N" → {from, to}; null when the text is not such a range. */
export function seedRangeOrNull(text: string): SeedRange | null {
  const r = checkSeedRange(text);
  return typeof r === "string" ? null : r;
}

/** "A..B" or "N" → {from, to}; throws a RangeError that quotes the text otherwise. */
export function parseSeedRange(text: string): SeedRange {
  const r = checkSeedRange(text);
  if (typeof r === "string") throw new RangeError(r);
  return r;
}

function checkSeedRange(text: string): SeedRange | string {
  const m = /^\s*(\d+)\s*(?:\.\.\s*(\d+))?\s*$/.exec(text);
  if (m === null) return `expected A..B or N (e.g. 1..1000), got "${text}"`;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to < from) return `bad seed range "${text}": need A <= B`;
  return { from, to };
}
