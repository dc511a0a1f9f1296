// The failover system's benchmarks (issue 11, "Done when"), part of `npm run bench`:
//
// 1. benchFailoverHour: a 60-node cluster bus (20 shards of 1 primary + 2 replicas), 4 clients
//    (the system's default), one simulated hour of a calm run, in this one process. Three bus
//    settings, because the ping rule decides the message rate (every node pings every other
//    node whose last PONG is older than P):
//      production  T = 15 s, P = T/2 = 7.5 s (Valkey's defaults)          ~1.1 k msgs/sim-s
//      test-T      T = 3 s,  P = T/2 = 1.5 s (test timeout, production ping rule) ~4.6 k
//      default     T = 3 s,  P = 100 ms (Valkey's test suite; the failover system's default)
//                  ~36 k msgs/sim-s: an hour is ~128 M messages, so it is timed over a shorter
//                  span (FO_DEFAULT_SPAN_S, default 300 s) and the hour is extrapolated.
//    Each row gives wall and CPU time (process.cpuUsage: the main thread plus V8's helper
//    threads), events, messages and the trace hash (so a faster build can be checked to run
//    the very same simulation).
// 2. Messages per node per second against cluster size N, for each detector family
//    (messageCost, src/sim/systems/failover/message-cost.ts, run from bench/main.ts).
import { getSystem, runSystem } from "../src/api/index.js";

const S = 1_000_000;

export interface BusSetting {
  readonly name: string;
  readonly nodeTimeoutMs: number;
  /** 0: T/2, Valkey's default rule. */
  readonly pingIntervalMs: number;
  readonly note: string;
}

export const HOUR_SETTINGS: readonly BusSetting[] = [
  { name: "production", nodeTimeoutMs: 15_000, pingIntervalMs: 0, note: "Valkey's defaults: T = 15 s, P = T/2" },
  { name: "test-timeout", nodeTimeoutMs: 3_000, pingIntervalMs: 0, note: "T = 3 s with the production ping rule P = T/2" },
  { name: "default", nodeTimeoutMs: 3_000, pingIntervalMs: 100, note: "the failover system's default, Valkey's test suite: T = 3 s, P = 100 ms" },
];

export interface HourRow {
  readonly setting: string;
  readonly note: string;
  readonly servers: number;
  readonly clients: number;
  readonly seed: number;
  readonly nodeTimeoutMs: number;
  readonly pingIntervalMs: number;
  /** Simulated seconds actually run (the liveness phase adds a little past the span). */
  readonly simulatedS: number;
  readonly wallS: number;
  readonly cpuS: number;
  /** Wall and CPU seconds per simulated hour (measured when simulatedS ≥ 3600, else extrapolated). */
  readonly wallSPerHour: number;
  readonly cpuSPerHour: number;
  readonly extrapolated: boolean;
  readonly events: number;
  readonly messages: number;
  readonly messagesPerSimS: number;
  readonly eventsPerCpuS: number;
  readonly verdict: string;
  readonly traceHash: string;
}

function runHour(setting: BusSetting, spanS: number, seed: number): HourRow {
  const servers = 60;
  const clients = 4;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = runSystem(getSystem("failover"), {
    seed,
    servers,
    clients,
    timeUs: spanS * S,
    faults: [],
    options: { valkey: { nodeTimeoutMs: setting.nodeTimeoutMs, pingIntervalMs: setting.pingIntervalMs } },
  });
  const wallS = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(cpu0);
  const cpuS = (c.user + c.system) / 1e6;
  const simS = r.stats.simulatedUs / S;
  const scale = 3600 / Math.min(simS, spanS);
  const extrapolated = spanS < 3600;
  return {
    setting: setting.name,
    note: setting.note,
    servers,
    clients,
    seed,
    nodeTimeoutMs: setting.nodeTimeoutMs,
    pingIntervalMs: setting.pingIntervalMs,
    simulatedS: round(simS, 1),
    wallS: round(wallS, 2),
    cpuS: round(cpuS, 2),
    wallSPerHour: round(extrapolated ? wallS * scale : wallS, 1),
    cpuSPerHour: round(extrapolated ? cpuS * scale : cpuS, 1),
    extrapolated,
    events: r.stats.events,
    messages: r.stats.messagesSent,
    messagesPerSimS: Math.round(r.stats.messagesSent / simS),
    eventsPerCpuS: Math.round(r.stats.events / cpuS),
    verdict: r.verdict,
    traceHash: r.traceHash,
  };
}

export interface HourBench {
  readonly target: string;
  readonly rows: readonly HourRow[];
}

/** The 60-node hour at each bus setting. `defaultSpanS`: the span for the P = 100 ms setting. */
export function benchFailoverHour(opts: { seed?: number; defaultSpanS?: number; settings?: readonly string[] } = {}): HourBench {
  const seed = opts.seed ?? 1;
  const rows: HourRow[] = [];
  // JIT warm-up, as a user's second run would be: a short run of the same shape.
  runHour(HOUR_SETTINGS[0], 20, 1_000_001);
  for (const s of HOUR_SETTINGS) {
    if (opts.settings !== undefined && !opts.settings.includes(s.name)) continue;
    rows.push(runHour(s, s.name === "default" ? (opts.defaultSpanS ?? 300) : 3600, seed));
  }
  return { target: "one simulated hour of 60 nodes (20 x 3) in under 10 s of wall time on one core", rows };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
