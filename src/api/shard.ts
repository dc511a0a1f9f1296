// CI sharding: `sweep --shard k/n` runs the k-th of n disjoint slices of the seed list (every
// n-th seed, starting at the k-th: slices interleave, so slow regions of the range spread over
// every shard), `merge` combines the shards' --json reports into one, and `--junit` writes a
// report as JUnit XML (one test case per failing seed, its replay command in the failure text).
import type { SeedAggregate } from "./aggregate.js";
import type { SeedSet, SweepFailure, SweepReport } from "./sweep.js";

export interface Shard {
  readonly k: number;
  readonly n: number;
}

/** "k/n" with 1 <= k <= n. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const k = m === null ? NaN : Number(m[1]);
  const n = m === null ? NaN : Number(m[2]);
  if (!(Number.isSafeInteger(k) && Number.isSafeInteger(n) && n >= 1 && k >= 1 && k <= n)) throw new Error(`expected k/n with 1 <= k <= n, e.g. 2/4; got "${text}"`);
  return { k, n };
}

/** The seeds of shard k of n: positions k-1, k-1+n, k-1+2n, ... of the (ascending) list. */
export function shardSeeds(seeds: SeedSet, s: Shard): SeedSet {
  if ("from" in seeds) {
    // A range stays a range: element i is from + i*step; shard k keeps i = k-1, k-1+n, ...
    const step = seeds.step ?? 1;
    return { from: seeds.from + (s.k - 1) * step, to: seeds.to, step: step * s.n };
  }
  const out: number[] = [];
  for (let i = s.k - 1; i < seeds.length; i += s.n) out.push(seeds[i]);
  return out;
}

export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MergeError";
  }
}

/** One report from shard reports: counts add up, failures are listed by seed, wall time is the
 * longest shard's (they run side by side), seeds per minute is the shards' sum. */
export function mergeReports(reports: readonly SweepReport[]): SweepReport {
  if (reports.length === 0) throw new MergeError("nothing to merge");
  for (const r of reports) {
    if (typeof r !== "object" || r === null || typeof r.seeds !== "number" || typeof r.verdicts !== "object" || !Array.isArray(r.failures)) throw new MergeError("not a sweep --json report");
    if (r.scenario !== reports[0].scenario || r.expect !== reports[0].expect)
      throw new MergeError(`the reports sweep different things (scenario ${reports[0].scenario ?? "none"}, expect ${reports[0].expect ?? "ok"} vs scenario ${r.scenario ?? "none"}, expect ${r.expect ?? "ok"})`);
  }
  const seen = new Set<number>();
  const failures: SweepFailure[] = [];
  for (const r of reports)
    for (const f of r.failures) {
      if (seen.has(f.seed)) throw new MergeError(`seed ${f.seed} fails in two reports: shards overlap (or a report is given twice)`);
      seen.add(f.seed);
      failures.push(f);
    }
  failures.sort((a, b) => a.seed - b.seed);
  const sum = (f: (r: SweepReport) => number | undefined): number => reports.reduce((a, r) => a + (f(r) ?? 0), 0);
  const first = reports[0];
  return {
    seeds: sum((r) => r.seeds),
    ran: sum((r) => r.ran),
    verdicts: { ok: sum((r) => r.verdicts.ok), violation: sum((r) => r.verdicts.violation), liveness: sum((r) => r.verdicts.liveness), unknown: sum((r) => r.verdicts.unknown) },
    errors: sum((r) => r.errors),
    ...(first.scenario !== undefined ? { scenario: first.scenario, expect: first.expect, matched: sum((r) => r.matched), mismatched: sum((r) => r.mismatched) } : {}),
    failures,
    wallMs: Math.max(...reports.map((r) => r.wallMs)),
    seedsPerMinute: sum((r) => r.seedsPerMinute),
    events: sum((r) => r.events),
    simulatedMs: sum((r) => r.simulatedMs),
    jobs: sum((r) => r.jobs),
    jobsRequested: sum((r) => r.jobsRequested),
    ...mergedMetrics(reports),
  };
}

/** The shards' per-column aggregates combined where that is exact (seeds, sum, min, max); a
 * median or p99 of the whole needs every seed's value, which the shards do not keep: null. */
function mergedMetrics(reports: readonly SweepReport[]): { metrics?: Record<string, SeedAggregate> } {
  if (!reports.some((r) => r.metrics !== undefined)) return {};
  const out: Record<string, SeedAggregate> = {};
  const pick = (xs: (number | null)[], f: (...v: number[]) => number): number | null => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length === 0 ? null : f(...v);
  };
  for (const r of reports)
    for (const [k, a] of Object.entries(r.metrics ?? {})) {
      const had = out[k];
      out[k] =
        had === undefined
          ? { ...a, p50: reports.length === 1 ? a.p50 : null, p99: reports.length === 1 ? a.p99 : null }
          : { seeds: had.seeds + a.seeds, p50: null, p99: null, max: pick([had.max, a.max], Math.max), min: pick([had.min, a.min], Math.min), sum: pick([had.sum, a.sum], (...v) => v.reduce((x, y) => x + y, 0)) };
    }
  return { metrics: out };
}

/** XML text and attribute escaping (and no characters XML 1.0 forbids). */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** JUnit XML: one test suite, a passing case for the seeds that passed (counted) and one failing
 * case per failing seed, whose failure text is the message and the replay command. */
export function junitXml(r: SweepReport, suite = "raftsim sweep"): string {
  const failures = r.failures.filter((f) => f.error === undefined).length;
  const errors = r.failures.length - failures;
  const passed = r.ran - r.failures.length;
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="${xmlEscape(suite)}" tests="${r.ran}" failures="${failures}" errors="${errors}" time="${(r.wallMs / 1000).toFixed(3)}">`,
    `  <testsuite name="${xmlEscape(suite)}" tests="${r.ran}" failures="${failures}" errors="${errors}" skipped="0" time="${(r.wallMs / 1000).toFixed(3)}">`,
  ];
  if (passed > 0) lines.push(`    <testcase classname="${xmlEscape(suite)}" name="${passed} passing seed${passed === 1 ? "" : "s"}" time="0"/>`);
  for (const f of r.failures) {
    const tag = f.error !== undefined ? "error" : "failure";
    const what = f.error !== undefined ? `internal error: ${f.error}` : `${f.verdict}: ${f.message ?? ""}`;
    lines.push(
      `    <testcase classname="${xmlEscape(suite)}" name="seed ${f.seed}" time="0">`,
      `      <${tag} message="${xmlEscape(what)}" type="${xmlEscape(f.verdict ?? "error")}">${xmlEscape(`${what}\nreplay: ${f.replay}`)}</${tag}>`,
      `    </testcase>`,
    );
  }
  lines.push(`  </testsuite>`, `</testsuites>`, ``);
  return lines.join("\n");
}
