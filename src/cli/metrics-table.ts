// Human output of measured distributions: a run's details.metrics ({name: {n, p50, p99, max}})
// and a sweep's per-seed metrics aggregated over seeds, as one aligned table. Generic: any
// system that reports `metrics` in its details gets it printed by `raftsim run`.

export interface DistLike {
  /** Samples (a run's distribution) or seeds (a sweep's aggregate). */
  readonly n?: number;
  readonly seeds?: number;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

function isDist(x: unknown): x is DistLike {
  return typeof x === "object" && x !== null && ("n" in x || "seeds" in x) && "p50" in x && "p99" in x && "max" in x;
}

const cell = (x: number | null): string => (x === null ? "-" : Number.isInteger(x) ? String(x) : x.toFixed(Math.abs(x) < 1 ? 4 : 1));

/** Lines of a table (name, n, median, p99, max), or [] when there is nothing to show. */
export function metricsTable(metrics: unknown, countLabel = "n"): string[] {
  if (typeof metrics !== "object" || metrics === null) return [];
  const rows = Object.entries(metrics as Record<string, unknown>).filter((e): e is [string, DistLike] => isDist(e[1]));
  if (rows.length === 0) return [];
  const table = [["metric", countLabel, "median", "p99", "max"], ...rows.map(([k, d]) => [k, String(d.n ?? d.seeds ?? ""), cell(d.p50), cell(d.p99), cell(d.max)])];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  return table.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd());
}
