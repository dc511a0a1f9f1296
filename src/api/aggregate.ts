// Per-seed measurements (a system's compareMetrics columns) aggregated over the seeds of a
// sweep or of one compare cell: each column's median, p99 and max over the seeds that measured
// it (null values, "not measured in that run", are left out and do not count as seeds).

export interface SeedAggregate {
  /** Seeds that measured this column. */
  readonly seeds: number;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
  /** The smallest (for columns where low is bad: P_A). */
  readonly min: number | null;
  /** Sum over the seeds (counts: total lost writes, total false failovers). */
  readonly sum: number | null;
}

function nearestRank(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

export class MetricsAggregator {
  private readonly values = new Map<string, number[]>();

  add(metrics: Readonly<Record<string, number | null>> | undefined): void {
    if (metrics === undefined) return;
    for (const [k, v] of Object.entries(metrics)) {
      let xs = this.values.get(k);
      if (xs === undefined) this.values.set(k, (xs = []));
      if (v !== null && Number.isFinite(v)) xs.push(v);
    }
  }

  get empty(): boolean {
    return this.values.size === 0;
  }

  /** Columns in the order first seen. */
  result(): Record<string, SeedAggregate> {
    const out: Record<string, SeedAggregate> = {};
    for (const [k, xs] of this.values) {
      if (xs.length === 0) {
        out[k] = { seeds: 0, p50: null, p99: null, max: null, min: null, sum: null };
        continue;
      }
      const s = [...xs].sort((a, b) => a - b);
      out[k] = { seeds: s.length, p50: round(nearestRank(s, 50)), p99: round(nearestRank(s, 99)), max: round(s[s.length - 1]), min: round(s[0]), sum: round(s.reduce((a, b) => a + b, 0)) };
    }
    return out;
  }
}
