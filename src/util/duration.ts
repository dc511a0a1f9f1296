// Durations ("30s", "500ms", "2m", "1.5s", "250us") ↔ integer microseconds: the one parser and
// formatter for the command line and the scenario files. Pure: imports nothing.
const UNIT_US: Record<string, number> = { us: 1, "µs": 1, ms: 1_000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000 };

/** "1.5s" → 1500000; null when the text is not a duration. "0" (no unit) is 0; a sign ("-2s")
 * only when `signed` (clock offsets and jumps). */
export function durationToUs(text: string, signed = false): number | null {
  const t = text.trim();
  if (t === "0") return 0;
  const m = /^([+-]?)(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|h)$/.exec(t);
  if (m === null || (m[1] === "-" && !signed)) return null;
  const us = Math.round(Number(m[2]) * UNIT_US[m[3]]) * (m[1] === "-" ? -1 : 1);
  return Number.isSafeInteger(us) ? us : null;
}

/** A positive duration with a unit, for command-line options; throws with a message otherwise. */
export function parseDuration(text: string): number {
  const us = /^\s*[+-]/.test(text) || text.trim() === "0" ? null : durationToUs(text);
  if (us === null) throw new Error(`bad duration "${text}": expected a number with a unit (us, ms, s, m, h), e.g. 30s or 500ms`);
  if (us <= 0) throw new Error(`bad duration "${text}": must be positive and below 2^53 µs`);
  return us;
}

/** The shortest exact unit form: 30000000 → "30s", 1500000 → "1500ms", 7 → "7us". */
export function formatDuration(us: number): string {
  for (const [u, f] of [["h", 3_600_000_000], ["m", 60_000_000], ["s", 1_000_000], ["ms", 1_000]] as const)
    if (us % f === 0) return `${us / f}${u}`;
  return `${us}us`;
}

/** As formatDuration, but 0 is "0" (how scenario files write it). */
export function usToDuration(us: number): string {
  return us === 0 ? "0" : formatDuration(us);
}
