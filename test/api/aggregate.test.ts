// Per-seed compare columns aggregated over seeds (sweep, compare), and how `merge` combines the
// shards' aggregates: exact where it can be (seeds, sum, min, max), null where it cannot.
import { describe, expect, it } from "vitest";
import { MetricsAggregator } from "../../src/api/aggregate.js";
import { mergeReports } from "../../src/api/shard.js";
import type { SweepReport } from "../../src/api/sweep.js";

describe("MetricsAggregator", () => {
  it("median, p99, max, min, sum over the seeds that measured a column; null is not a seed", () => {
    const a = new MetricsAggregator();
    for (let i = 1; i <= 100; i++) a.add({ x: i, y: i % 2 === 0 ? null : 1 });
    a.add(undefined);
    expect(a.result()).toEqual({
      x: { seeds: 100, p50: 50, p99: 99, max: 100, min: 1, sum: 5050 },
      y: { seeds: 50, p50: 1, p99: 1, max: 1, min: 1, sum: 50 },
    });
    const none = new MetricsAggregator();
    none.add({ z: null });
    expect(none.result()).toEqual({ z: { seeds: 0, p50: null, p99: null, max: null, min: null, sum: null } });
  });
});

describe("merge of shard reports", () => {
  const report = (metrics?: SweepReport["metrics"]): SweepReport => ({ seeds: 2, ran: 2, verdicts: { ok: 2, violation: 0, liveness: 0, unknown: 0 }, errors: 0, failures: [], wallMs: 1, seedsPerMinute: 1, events: 1, simulatedMs: 1, jobs: 1, jobsRequested: 1, ...(metrics !== undefined ? { metrics } : {}) });
  it("combines seeds, sum, min and max exactly; the median and p99 of the whole are unknown", () => {
    const m = mergeReports([report({ x: { seeds: 2, p50: 1, p99: 3, max: 3, min: 1, sum: 4 } }), report({ x: { seeds: 2, p50: 5, p99: 7, max: 7, min: 5, sum: 12 } })]).metrics;
    expect(m).toEqual({ x: { seeds: 4, p50: null, p99: null, max: 7, min: 1, sum: 16 } });
    expect(mergeReports([report(), report()]).metrics).toBeUndefined();
    expect(mergeReports([report({ x: { seeds: 2, p50: 1, p99: 3, max: 3, min: 1, sum: 4 } })]).metrics).toEqual({ x: { seeds: 2, p50: 1, p99: 3, max: 3, min: 1, sum: 4 } });
  });
});
