// The failover system's measurements as a run reports them (RunResult.details) and its compare
// columns (System.compareMetrics), kept out of system.ts so the system record stays a list of
// parts. Its design variants are in variants.ts.
import { dist, percentile, WIRE, type Dist } from "./metrics.js";
import type { FailoverObserver } from "./observer.js";

/** details.qos / unavailability / traffic, and details.metrics: every distribution a run
 * measured, by display name, as median, p99 and max (what `raftsim run` prints as a table). */
export function runMetrics(obs: FailoverObserver, nowUs: number): Record<string, unknown> {
  const qos = obs.qos.result();
  const avail = obs.availability.result();
  const traffic = obs.traffic.result(nowUs);
  const inaccuracy = qos.pa.pairs === 0 ? [] : obs.qos.paPerPair().map((x) => 1 - x);
  const metrics: Record<string, Dist> = {
    "T_D ms (crash to suspicion, per observer)": dist(obs.tdUs, 1000),
    "crash-to-failover ms": dist(obs.failoverUs, 1000),
    "T_MR ms (mistake recurrence, per pair)": qos.tmrMs,
    "T_M ms (mistake duration, per pair)": qos.tmMs,
    "1 - P_A (per pair)": { ...dist(inaccuracy), p50: round6(percentileOrNull(inaccuracy, 50)), p99: round6(percentileOrNull(inaccuracy, 99)), max: round6(inaccuracy.length === 0 ? null : Math.max(...inaccuracy)) },
    "unavailable ms (per shard)": avail.shardMs,
    "unavailable episode ms": avail.episodeMs,
    "msgs/node/s (all)": traffic.msgsPerNodeS,
    "bytes/node/s (all)": traffic.bytesPerNodeS,
    "msgs/node/s (bus + detector)": traffic.controlMsgsPerNodeS,
    "bytes/node/s (bus + detector)": traffic.controlBytesPerNodeS,
  };
  return {
    qos,
    unavailability: avail,
    traffic: { ...traffic, wire: WIRE },
    metrics,
  };
}

function percentileOrNull(xs: readonly number[], p: number): number | null {
  return percentile(xs, p);
}

function round6(x: number | null): number | null {
  return x === null ? null : Math.round(x * 1e6) / 1e6;
}

/** The compare columns, in display order; `how` says how compare aggregates over seeds. */
export const FAILOVER_COMPARE_COLUMNS = [
  "tdP50Ms",
  "failoverP50Ms",
  "failoverMaxMs",
  "unavailMaxMs",
  "falseFailovers",
  "dualWritableMs",
  "lostAckedWrites",
  "epochCollisions",
  "mistakes",
  "strictMistakes",
  "paMin",
  "msgsPerNodeS",
  "busKBPerNodeS",
] as const;

function at(o: unknown, ...path: string[]): number | null {
  let x: unknown = o;
  for (const k of path) {
    if (x === null || typeof x !== "object") return null;
    x = (x as Record<string, unknown>)[k];
  }
  return typeof x === "number" && Number.isFinite(x) ? x : null;
}

/** One run's compare columns, read from its details (null: not measured in that run). */
export function failoverCompareMetrics(d: Readonly<Record<string, unknown>>): Record<string, number | null> {
  const kb = at(d, "traffic", "controlBytesPerNodeS", "p50");
  return {
    tdP50Ms: at(d, "detector", "tdP50Ms"),
    failoverP50Ms: at(d, "failover", "p50Ms"),
    failoverMaxMs: at(d, "failover", "maxMs"),
    unavailMaxMs: at(d, "unavailability", "shardMs", "max"),
    falseFailovers: at(d, "failover", "failoversOfLivePrimary"),
    dualWritableMs: at(d, "failover", "dualWritableMs"),
    lostAckedWrites: at(d, "failover", "lostAckedWrites"),
    epochCollisions: at(d, "failover", "epochCollisions"),
    mistakes: at(d, "qos", "mistakes"),
    strictMistakes: at(d, "qos", "strictMistakes"),
    paMin: at(d, "qos", "pa", "min"),
    msgsPerNodeS: at(d, "traffic", "msgsPerNodeS", "p50"),
    busKBPerNodeS: kb === null ? null : Math.round(kb / 100) / 10,
  };
}
