// `phi`: the phi accrual failure detector (FAILURE-DETECTION.md §a3), in two variants.
//
// akka (default): akka/akka-core `akka-remote/.../PhiAccrualFailureDetector.scala` (read at
// 0c2027a, 2025): phi = -log10(1 - F(t)) with F the logistic approximation of the normal CDF,
// y = (t - (mean + acceptablePause)) / max(std, minStd); the history is seeded with the two
// intervals mean ± mean/4 (mean = heartbeat-interval) on the first heartbeat; an interval is
// recorded only while the target is available. Defaults: `akka-cluster/.../reference.conf`
// (c1d9776): heartbeat-interval 1 s, threshold 8.0, max-sample-size 1000, min-std-deviation
// 100 ms, acceptable-heartbeat-pause 3 s, expected-response-after 1 s,
// unreachable-nodes-reaper-interval 1 s (how often availability is looked at). Heartbeats are
// Akka cluster's request/response: the observer sends a heartbeat, the target answers, and the
// answer is the sample; if nothing came back expected-response-after after monitoring started,
// a first heartbeat is recorded anyway so that a target that never answers is still detected.
//
// cassandra: apache/cassandra @07242de `gms/FailureDetector.java`: exponential model, phi = t/mean,
// convict when PHI_FACTOR·phi > phi_convict_threshold (8), PHI_FACTOR = 1/ln 10; SAMPLE_SIZE 1000;
// the first report records INITIAL_VALUE = 2 × gossip interval (2 s); later intervals above
// MAX_INTERVAL (default INITIAL_VALUE) are dropped; `interpret` convicts nobody when it ran more
// than MAX_LOCAL_PAUSE (5 s) after its previous run, nor for 5 s after such a pause.
import type { NodeId } from "../../node.js";
import {
  checkParam,
  type Detector,
  type DetectorSpec,
  FdEventKind,
  FdMsgKind,
  type FdOutput,
  type FdSink,
  MS,
  Outbox,
  type PhiMsg,
  S,
} from "./types.js";

// ---------------------------------------------------------------------------------------------
// Pure math

/** Akka's phi (PhiAccrualFailureDetector.phi(timeDiff, mean, stdDeviation)), any time unit. */
export function akkaPhi(timeDiff: number, mean: number, stdDeviation: number): number {
  const y = (timeDiff - mean) / stdDeviation;
  const e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
  if (timeDiff > mean) return -Math.log10(e / (1.0 + e));
  return -Math.log10(1.0 - 1.0 / (1.0 + e));
}

/** Cassandra's phi scaled onto the threshold's scale: PHI_FACTOR · t / mean. */
export const PHI_FACTOR = 1 / Math.log(10);
export function cassandraPhi(timeDiff: number, mean: number): number {
  return (PHI_FACTOR * timeDiff) / mean;
}

/** The y at which the logistic phi reaches `threshold` (akkaPhi(mean + y·std, mean, std) = thr). */
export function akkaThresholdY(threshold: number): number {
  let lo = 0;
  let hi = 64;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (akkaPhi(mid, 0, 1) >= threshold) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Akka's HeartbeatHistory: a bounded window of intervals with running sums (any unit). */
export class HeartbeatHistory {
  private readonly buf: Float64Array;
  private head = 0; // index of the oldest sample
  private size = 0;
  private sum = 0;
  private sumSq = 0;

  constructor(readonly maxSampleSize: number) {
    checkParam("maxSampleSize", maxSampleSize, 1);
    this.buf = new Float64Array(maxSampleSize);
  }

  get count(): number {
    return this.size;
  }

  add(interval: number): void {
    if (this.size === this.maxSampleSize) {
      const old = this.buf[this.head];
      this.sum -= old;
      this.sumSq -= old * old;
      this.head = (this.head + 1) % this.maxSampleSize;
      this.size--;
    }
    this.buf[(this.head + this.size) % this.maxSampleSize] = interval;
    this.size++;
    this.sum += interval;
    this.sumSq += interval * interval;
  }

  reset(): void {
    this.head = 0;
    this.size = 0;
    this.sum = 0;
    this.sumSq = 0;
  }

  get mean(): number {
    return this.sum / this.size;
  }

  get variance(): number {
    const m = this.mean;
    return Math.max(0, this.sumSq / this.size - m * m);
  }

  get stdDeviation(): number {
    return Math.sqrt(this.variance);
  }
}

// ---------------------------------------------------------------------------------------------
// Parameters

export type PhiVariant = "akka" | "cassandra";

export interface PhiParams {
  readonly variant: PhiVariant;
  /** How often the observer sends a heartbeat request to each target (µs); Akka's
   * firstHeartbeatEstimate is the same setting. */
  readonly heartbeatIntervalUs: number;
  /** Suspect when phi ≥ threshold (akka) / PHI_FACTOR·phi > threshold (cassandra). */
  readonly threshold: number;
  readonly maxSampleSize: number;
  /** How often availability is evaluated (µs): Akka's reaper interval, Cassandra's gossip round. */
  readonly checkIntervalUs: number;
  // akka
  readonly minStdDeviationUs: number;
  readonly acceptableHeartbeatPauseUs: number;
  readonly expectedResponseAfterUs: number;
  // cassandra
  readonly initialIntervalUs: number;
  readonly maxIntervalUs: number;
  readonly maxLocalPauseUs: number;
}

export const PHI_AKKA_DEFAULTS: PhiParams = {
  variant: "akka",
  heartbeatIntervalUs: 1 * S,
  threshold: 8,
  maxSampleSize: 1000,
  checkIntervalUs: 1 * S,
  minStdDeviationUs: 100 * MS,
  acceptableHeartbeatPauseUs: 3 * S,
  expectedResponseAfterUs: 1 * S,
  initialIntervalUs: 2 * S,
  maxIntervalUs: 2 * S,
  maxLocalPauseUs: 5 * S,
};

export const PHI_CASSANDRA_DEFAULTS: PhiParams = { ...PHI_AKKA_DEFAULTS, variant: "cassandra" };

const AKKA_CONF = "akka/akka-core akka-cluster/src/main/resources/reference.conf (c1d9776) failure-detector";
const CASS = "apache/cassandra @07242de gms/FailureDetector.java";

export const PHI_SPEC: DetectorSpec<PhiParams> = {
  name: "phi",
  description:
    "Phi accrual (Hayashibara et al.): Akka's normal-distribution variant (logistic CDF, acceptable pause, minimum std) or Cassandra's exponential variant (phi = t/mean/ln 10, 2 s interval cap, 5 s local-pause guard).",
  defaults: PHI_AKKA_DEFAULTS,
  params: [
    { name: "variant", default: "akka", unit: "enum", doc: "akka | cassandra", source: "FAILURE-DETECTION.md §a3" },
    { name: "heartbeatIntervalUs", default: 1 * S, unit: "us", doc: "heartbeat request period; also Akka's first-heartbeat estimate", source: `${AKKA_CONF} heartbeat-interval; Cassandra Gossiper.intervalInMillis 1000` },
    { name: "threshold", default: 8, unit: "ratio", doc: "phi threshold (Cassandra phi_convict_threshold)", source: `${AKKA_CONF} threshold; ${CASS} via DatabaseDescriptor` },
    { name: "maxSampleSize", default: 1000, unit: "count", doc: "history window", source: `${AKKA_CONF} max-sample-size; ${CASS} SAMPLE_SIZE` },
    { name: "checkIntervalUs", default: 1 * S, unit: "us", doc: "how often availability is evaluated", source: "akka-cluster reference.conf unreachable-nodes-reaper-interval; Cassandra interpret once per gossip round" },
    { name: "minStdDeviationUs", default: 100 * MS, unit: "us", doc: "akka: floor of the std", source: `${AKKA_CONF} min-std-deviation` },
    { name: "acceptableHeartbeatPauseUs", default: 3 * S, unit: "us", doc: "akka: added to the mean", source: `${AKKA_CONF} acceptable-heartbeat-pause` },
    { name: "expectedResponseAfterUs", default: 1 * S, unit: "us", doc: "akka: record a first heartbeat this long after monitoring starts if none came", source: `${AKKA_CONF} expected-response-after` },
    { name: "initialIntervalUs", default: 2 * S, unit: "us", doc: "cassandra: interval recorded on the first report", source: `${CASS} INITIAL_VALUE_NANOS = 2 × gossip interval` },
    { name: "maxIntervalUs", default: 2 * S, unit: "us", doc: "cassandra: longer intervals are not recorded", source: `${CASS} ArrivalWindow.MAX_INTERVAL_IN_NANO (fd_max_interval_ms, default INITIAL_VALUE)` },
    { name: "maxLocalPauseUs", default: 5 * S, unit: "us", doc: "cassandra: no conviction after a local pause longer than this, nor for this long after it", source: `${CASS} DEFAULT_MAX_PAUSE` },
  ],
  bound(p, ctx) {
    // The last answer arrives at most one RTT after the crash; phi crosses the threshold
    // tPhi later; the next check sees it.
    if (p.variant === "akka") {
      const mean = ctx.intervalMeanUs ?? p.heartbeatIntervalUs;
      // The seeded history has std mean/4; regular heartbeats only shrink it.
      const std = Math.max(p.minStdDeviationUs, ctx.intervalStdUs ?? p.heartbeatIntervalUs / 4);
      const tPhi = mean + p.acceptableHeartbeatPauseUs + akkaThresholdY(p.threshold) * std;
      const suspectUs = Math.ceil(ctx.rttUs + tPhi + p.checkIntervalUs);
      return { suspectUs, formula: `RTT + mean + pause + y(thr)·max(std, minStd) + check = ${ctx.rttUs} + ${mean} + ${p.acceptableHeartbeatPauseUs} + ${akkaThresholdY(p.threshold).toFixed(3)}·${std} + ${p.checkIntervalUs} = ${suspectUs} µs` };
    }
    // Every recorded interval is ≤ max(initial, maxInterval), so the mean is too.
    const mean = ctx.intervalMeanUs ?? Math.max(p.initialIntervalUs, p.maxIntervalUs);
    const tPhi = p.threshold * Math.log(10) * mean;
    const suspectUs = Math.ceil(ctx.rttUs + tPhi + p.checkIntervalUs);
    return { suspectUs, formula: `RTT + thr·ln10·mean + check = ${ctx.rttUs} + ${p.threshold}·2.3026·${mean} + ${p.checkIntervalUs} = ${suspectUs} µs (no local pause)` };
  },
};

export function checkPhiParams(p: PhiParams): void {
  if (p.variant !== "akka" && p.variant !== "cassandra") throw new Error(`phi variant ${String(p.variant)}`);
  checkParam("heartbeatIntervalUs", p.heartbeatIntervalUs, 1);
  checkParam("threshold", p.threshold, Number.MIN_VALUE);
  checkParam("maxSampleSize", p.maxSampleSize, 1);
  checkParam("checkIntervalUs", p.checkIntervalUs, 1);
  checkParam("minStdDeviationUs", p.minStdDeviationUs, Number.MIN_VALUE);
  checkParam("acceptableHeartbeatPauseUs", p.acceptableHeartbeatPauseUs, 0);
  checkParam("expectedResponseAfterUs", p.expectedResponseAfterUs, 0);
  checkParam("initialIntervalUs", p.initialIntervalUs, 1);
  checkParam("maxIntervalUs", p.maxIntervalUs, 1);
  checkParam("maxLocalPauseUs", p.maxLocalPauseUs, 0);
}

/**
 * B_D for a pair whose history may hold one short interval: Akka records a first heartbeat
 * expectedResponseAfter after monitoring starts when none came (a target that was down when the
 * observer started, or that restarted); a real answer soon after adds an interval near 0 to the
 * seeded history [m - m/4, m + m/4], and the std then exceeds the m/4 the steady-state bound
 * assumes. Akka does the same (ClusterHeartbeatSender.triggerFirstHeartbeat, then
 * PhiAccrualFailureDetector.heartbeat keeps any interval while the target is available). The
 * worst case is taken over that history followed by k regular intervals (k = 0..64: the effect
 * only fades with more).
 */
export function akkaRestartBoundUs(p: PhiParams, rttUs: number): number {
  const m = p.heartbeatIntervalUs;
  const y = akkaThresholdY(p.threshold);
  const h = new HeartbeatHistory(p.maxSampleSize);
  h.add(m - m / 4);
  h.add(m + m / 4);
  h.add(0);
  let worst = 0;
  for (let k = 0; k <= 64; k++) {
    if (k > 0) h.add(m);
    const t = h.mean + p.acceptableHeartbeatPauseUs + y * Math.max(h.stdDeviation, p.minStdDeviationUs);
    if (t > worst) worst = t;
  }
  return Math.ceil(rttUs + worst + p.checkIntervalUs);
}

// ---------------------------------------------------------------------------------------------
// One target's accrual state (usable on its own: tests drive it like Akka's fake-clock spec)

export class PhiAccrual {
  private readonly history: HeartbeatHistory;
  private last = Number.NaN; // local µs of the latest heartbeat; NaN: none yet

  constructor(private readonly p: PhiParams) {
    this.history = new HeartbeatHistory(p.maxSampleSize);
  }

  get isMonitoring(): boolean {
    return !Number.isNaN(this.last);
  }

  get samples(): HeartbeatHistory {
    return this.history;
  }

  /** The phi value on the threshold's scale (cassandra: already × PHI_FACTOR). 0 before any
   * heartbeat ("unmanaged connections are healthy"). */
  phi(now: number): number {
    if (Number.isNaN(this.last)) return 0;
    const diff = now - this.last;
    if (this.p.variant === "cassandra") return cassandraPhi(diff, this.history.mean);
    const std = Math.max(this.history.stdDeviation, this.p.minStdDeviationUs);
    return akkaPhi(diff, this.history.mean + this.p.acceptableHeartbeatPauseUs, std);
  }

  isAvailable(now: number): boolean {
    const phi = this.phi(now);
    return this.p.variant === "cassandra" ? !(phi > this.p.threshold) : phi < this.p.threshold;
  }

  heartbeat(now: number): void {
    if (this.p.variant === "cassandra") {
      if (Number.isNaN(this.last)) this.history.add(this.p.initialIntervalUs);
      else {
        const interval = now - this.last;
        if (interval <= this.p.maxIntervalUs) this.history.add(interval);
      }
      this.last = now;
      return;
    }
    if (Number.isNaN(this.last)) {
      const mean = this.p.heartbeatIntervalUs;
      this.history.reset();
      this.history.add(mean - mean / 4);
      this.history.add(mean + mean / 4);
    } else if (this.isAvailable(now)) {
      // Akka: "don't use the first heartbeat after failure for the history".
      this.history.add(now - this.last);
    }
    this.last = now;
  }
}

// ---------------------------------------------------------------------------------------------
// The detector: heartbeat requests to every target, answers recorded, availability checked

export class PhiDetector implements Detector<PhiMsg> {
  readonly name = "phi" as const;
  private readonly out: Outbox<PhiMsg>;
  private readonly index = new Map<NodeId, number>();
  private readonly fds: PhiAccrual[];
  /** Each target's incarnation as its last answer gave it (NaN: none yet). */
  private readonly incs: Float64Array;
  private readonly suspected: Uint8Array;
  private readonly firstExpectedAt: Float64Array; // akka expected-response-after deadline; NaN: done
  private firstLeft: number; // entries of firstExpectedAt not NaN (tick scans them only then)
  private seq = 0;
  private nextSendAt: number;
  private nextCheckAt: number;
  private lastCheck = Number.NaN; // cassandra local-pause guard
  private lastPause = Number.NEGATIVE_INFINITY;

  constructor(
    readonly self: NodeId,
    private readonly targets: readonly NodeId[],
    private readonly p: PhiParams = PHI_AKKA_DEFAULTS,
    startLocalUs = 0,
    /** This node's incarnation (larger after every restart), sent in its answers. */
    private readonly incarnation = 0,
  ) {
    checkPhiParams(p);
    this.out = new Outbox(self);
    targets.forEach((t, i) => this.index.set(t, i));
    this.fds = targets.map(() => new PhiAccrual(p));
    // A first start is the run's start, when every node is at incarnation 0; after a restart
    // the targets' incarnations are unknown until they answer.
    this.incs = new Float64Array(targets.length).fill(incarnation === 0 ? 0 : Number.NaN);
    this.suspected = new Uint8Array(targets.length);
    this.firstExpectedAt = new Float64Array(targets.length).fill(
      p.variant === "akka" ? startLocalUs + p.expectedResponseAfterUs : Number.NaN,
    );
    this.firstLeft = p.variant === "akka" ? targets.length : 0;
    const idle = targets.length === 0;
    this.nextSendAt = idle ? Number.POSITIVE_INFINITY : startLocalUs;
    this.nextCheckAt = idle ? Number.POSITIVE_INFINITY : startLocalUs + p.checkIntervalUs;
  }

  tick(now: number): void {
    for (let i = 0; this.firstLeft > 0 && i < this.targets.length; i++) {
      const at = this.firstExpectedAt[i];
      if (!Number.isNaN(at) && now >= at) {
        this.firstExpectedAt[i] = Number.NaN;
        this.firstLeft--;
        if (!this.fds[i].isMonitoring) this.fds[i].heartbeat(now);
      }
    }
    if (now >= this.nextSendAt) {
      const msg: PhiMsg = { k: FdMsgKind.heartbeat, seq: ++this.seq };
      for (const t of this.targets) this.out.send(t, msg);
      this.nextSendAt = this.later(this.nextSendAt, this.p.heartbeatIntervalUs, now);
    }
    if (now >= this.nextCheckAt) {
      this.check(now);
      this.nextCheckAt = this.later(this.nextCheckAt, this.p.checkIntervalUs, now);
    }
  }

  private later(at: number, period: number, now: number): number {
    const next = at + period;
    return next > now ? next : now + period;
  }

  private check(now: number): void {
    let mayConvict = true;
    if (this.p.variant === "cassandra") {
      const diff = Number.isNaN(this.lastCheck) ? 0 : now - this.lastCheck;
      this.lastCheck = now;
      if (diff > this.p.maxLocalPauseUs) this.lastPause = now;
      if (now - this.lastPause < this.p.maxLocalPauseUs) mayConvict = false;
    }
    for (let i = 0; i < this.targets.length; i++) {
      const up = this.fds[i].isAvailable(now);
      if (!up && mayConvict && this.suspected[i] === 0) {
        this.suspected[i] = 1;
        this.out.event(FdEventKind.suspect, this.targets[i], now);
      } else if (up && this.suspected[i] === 1) {
        this.suspected[i] = 0;
        this.out.event(FdEventKind.trust, this.targets[i], now);
      }
    }
  }

  onMessage(from: NodeId, msg: PhiMsg, now: number): boolean {
    if (msg.k === FdMsgKind.heartbeat) {
      this.out.send(from, this.incarnation === 0 ? { k: FdMsgKind.heartbeatRsp, seq: msg.seq } : { k: FdMsgKind.heartbeatRsp, seq: msg.seq, inc: this.incarnation });
      return true;
    }
    if (msg.k !== FdMsgKind.heartbeatRsp) return false;
    // A restarted target is a new member with a history of its own, as Akka's heartbeat
    // receivers are keyed by UniqueAddress (address + uid): without this its downtime, if
    // shorter than the acceptable pause, would enter the old history as one long interval and
    // slow the detection of its next crash past B_D.
    const i = this.index.get(from);
    const inc = msg.inc ?? 0;
    if (i !== undefined && this.incs[i] !== inc) {
      if (this.incs[i] === this.incs[i]) this.fds[i] = new PhiAccrual(this.p);
      this.incs[i] = inc;
    }
    this.heartbeatFrom(from, now);
    return true;
  }

  heartbeatFrom(from: NodeId, now: number): void {
    const i = this.index.get(from);
    if (i !== undefined) this.fds[i].heartbeat(now);
  }

  nextWakeUs(): number {
    let w = Math.min(this.nextSendAt, this.nextCheckAt);
    for (let i = 0; this.firstLeft > 0 && i < this.targets.length; i++) if (this.firstExpectedAt[i] < w) w = this.firstExpectedAt[i];
    return w;
  }

  suspects(target: NodeId): boolean {
    const i = this.index.get(target);
    return i !== undefined && this.suspected[i] === 1;
  }

  /** The current phi of a target (threshold scale), for traces and metrics. */
  phi(target: NodeId, now: number): number {
    const i = this.index.get(target);
    return i === undefined ? 0 : this.fds[i].phi(now);
  }

  drainTo(sink: FdSink<PhiMsg>): void {
    this.out.drainTo(sink);
  }

  drain(): FdOutput<PhiMsg> {
    return this.out.drain();
  }
}
