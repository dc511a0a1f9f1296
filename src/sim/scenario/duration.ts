// Durations in scenario files: "1.5s", "250ms", "40us", "2m", "0" — or an integer of µs.
// Signed forms ("-2s") only where a field allows them (clock offsets and jumps).
const UNIT_US: Record<string, number> = { us: 1, "µs": 1, ms: 1_000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000 };

/** "1.5s" → 1500000; null when the text is not a duration. "0" (no unit) is 0. */
export function durationToUs(text: string, signed = false): number | null {
  const t = text.trim();
  if (t === "0") return 0;
  const m = /^([+-]?)(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|h)$/.exec(t);
  if (m === null || (m[1] === "-" && !signed)) return null;
  const us = Math.round(Number(m[2]) * UNIT_US[m[3]]) * (m[1] === "-" ? -1 : 1);
  return Number.isSafeInteger(us) ? us : null;
}

/** 1500000 → "1500ms", 2000000 → "2s", 0 → "0". */
export function usToDuration(us: number): string {
  if (us === 0) return "0";
  for (const [u, f] of [["h", 3_600_000_000], ["m", 60_000_000], ["s", 1_000_000], ["ms", 1_000]] as const)
    if (us % f === 0) return `${us / f}${u}`;
  return `${us}us`;
}
