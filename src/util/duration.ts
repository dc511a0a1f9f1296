// Durations ("30s", "500ms", "2m") ↔ integer microseconds. Pure: imports nothing.
const UNIT_US: Record<string, number> = { us: 1, "µs": 1, ms: 1_000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000 };

/** Parse "30s" / "500ms" / "2m" / "1.5s" / "250us" into integer µs; throws on anything else. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|h)\s*$/.exec(text);
  if (m === null) throw new Error(`bad duration "${text}": expected a number with a unit (us, ms, s, m, h), e.g. 30s or 500ms`);
  const us = Math.round(Number(m[1]) * UNIT_US[m[2]]);
  if (!Number.isSafeInteger(us) || us <= 0) throw new Error(`bad duration "${text}": must be positive and below 2^53 µs`);
  return us;
}

/** The shortest exact unit form: 30000000 → "30s", 1500000 → "1500ms". */
export function formatDuration(us: number): string {
  for (const [u, f] of [["h", 3_600_000_000], ["m", 60_000_000], ["s", 1_000_000], ["ms", 1_000]] as const)
    if (us % f === 0) return `${us / f}${u}`;
  return `${us}us`;
}
