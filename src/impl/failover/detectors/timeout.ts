// `timeout`: a fixed heartbeat-timeout detector, as the kvrocks controller runs it
// (FAILURE-DETECTION.md §a6). One observer (the controller) probes every target every interval,
// all targets in the same round; a probe not answered within the probe timeout is a miss; after
// maxMisses consecutive misses the target is suspected (kvrocks: it becomes a failover task at
// `count % maxFailureCount == 0 || count > maxFailureCount`, i.e. from the 5th miss on); the next
// answered probe resets the count and trusts it again (kvrocks `resetFailureCount`).
//
// Sources: apache/kvrocks-controller @00541ee `controller/cluster.go` (pingInterval 3 s with a
// 200 ms floor, maxFailureCount 5, a failed probe increments, a good one resets) and @7ca006b
// `config/config.go` (ping_interval_seconds 3, max_ping_count 5). The controller's probe loop
// waits for every probe of a round before the next tick (Go ticker, missed ticks dropped), so the
// probe timeout is at most the interval; kvrocks bounds it through its Redis client timeouts, here
// it is a parameter defaulting to the interval.
import type { NodeId } from "../../node.js";
import {
  checkParam,
  type Detector,
  type DetectorSpec,
  FdEventKind,
  FdMsgKind,
  type FdOutput,
  type FdSink,
  Outbox,
  S,
  type TimeoutMsg,
} from "./types.js";

export interface TimeoutParams {
  /** Probe period P (µs). */
  readonly intervalUs: number;
  /** Consecutive misses K before the target is suspected. */
  readonly maxMisses: number;
  /** How long a probe may go unanswered before it counts as a miss (µs); ≤ intervalUs. */
  readonly probeTimeoutUs: number;
}

export const TIMEOUT_DEFAULTS: TimeoutParams = { intervalUs: 3 * S, maxMisses: 5, probeTimeoutUs: 3 * S };

export const TIMEOUT_SPEC: DetectorSpec<TimeoutParams> = {
  name: "timeout",
  description:
    "Fixed heartbeat timeout (kvrocks controller): probe every target every P, suspect after K consecutive unanswered probes, trust on the next answer.",
  defaults: TIMEOUT_DEFAULTS,
  params: [
    { name: "intervalUs", default: 3 * S, unit: "us", doc: "probe period P (kvrocks floors it at 200 ms)", source: "apache/kvrocks-controller @00541ee controller/cluster.go pingInterval; @7ca006b config ping_interval_seconds" },
    { name: "maxMisses", default: 5, unit: "count", doc: "consecutive misses K before suspicion", source: "apache/kvrocks-controller @00541ee controller/cluster.go maxFailureCount; @7ca006b max_ping_count" },
    { name: "probeTimeoutUs", default: 3 * S, unit: "us", doc: "unanswered this long = a miss; at most P (the probe round is synchronous)", source: "derived: the probe loop waits for the round before its next tick" },
  ],
  bound(p) {
    // Crash just after the answer to probe s0 left the target: probes s0+P .. s0+K·P all miss, the
    // K-th is judged at s0 + K·P + timeout.
    const suspectUs = p.maxMisses * p.intervalUs + p.probeTimeoutUs;
    return { suspectUs, formula: `K·P + probeTimeout = ${p.maxMisses}·${p.intervalUs} + ${p.probeTimeoutUs} = ${suspectUs} µs` };
  },
};

export function checkTimeoutParams(p: TimeoutParams): void {
  checkParam("intervalUs", p.intervalUs, 1);
  checkParam("maxMisses", p.maxMisses, 1);
  checkParam("probeTimeoutUs", p.probeTimeoutUs, 1, p.intervalUs);
}

const NONE = -1;

export class TimeoutDetector implements Detector<TimeoutMsg> {
  readonly name = "timeout" as const;
  private readonly out: Outbox<TimeoutMsg>;
  private readonly index = new Map<NodeId, number>();
  private readonly awaiting: Int32Array; // seq of the outstanding probe per target, NONE if none
  private readonly deadline: Float64Array; // local µs at which the outstanding probe is a miss
  private readonly misses: Int32Array;
  private readonly suspected: Uint8Array;
  private seq = 0;
  private nextProbeAt: number;

  /** `targets`: whom this observer monitors (empty: it only answers probes). */
  constructor(
    readonly self: NodeId,
    private readonly targets: readonly NodeId[],
    private readonly p: TimeoutParams = TIMEOUT_DEFAULTS,
    startLocalUs = 0,
  ) {
    checkTimeoutParams(p);
    this.out = new Outbox(self);
    targets.forEach((t, i) => this.index.set(t, i));
    const n = targets.length;
    this.awaiting = new Int32Array(n).fill(NONE);
    this.deadline = new Float64Array(n);
    this.misses = new Int32Array(n);
    this.suspected = new Uint8Array(n);
    this.nextProbeAt = n > 0 ? startLocalUs : Number.POSITIVE_INFINITY;
  }

  tick(now: number): void {
    this.judge(now);
    if (now < this.nextProbeAt) return;
    const seq = ++this.seq;
    const msg: TimeoutMsg = { k: FdMsgKind.probe, seq };
    for (let i = 0; i < this.targets.length; i++) {
      this.awaiting[i] = seq;
      this.deadline[i] = now + this.p.probeTimeoutUs;
      this.out.send(this.targets[i], msg);
    }
    // A Go ticker drops the ticks it could not deliver: the next round is one interval on.
    this.nextProbeAt += this.p.intervalUs;
    if (this.nextProbeAt <= now) this.nextProbeAt = now + this.p.intervalUs;
  }

  /** Count the probes whose time is up as misses. */
  private judge(now: number): void {
    for (let i = 0; i < this.targets.length; i++) {
      if (this.awaiting[i] === NONE || now < this.deadline[i]) continue;
      this.awaiting[i] = NONE;
      this.misses[i]++;
      if (this.misses[i] >= this.p.maxMisses && this.suspected[i] === 0) {
        this.suspected[i] = 1;
        this.out.event(FdEventKind.suspect, this.targets[i], now);
      }
    }
  }

  onMessage(from: NodeId, msg: TimeoutMsg, now: number): boolean {
    if (msg.k === FdMsgKind.probe) {
      this.out.send(from, { k: FdMsgKind.probeReply, seq: msg.seq });
      return true;
    }
    if (msg.k !== FdMsgKind.probeReply) return false;
    const i = this.index.get(from);
    if (i === undefined) return true;
    this.judge(now); // a reply that arrives after its deadline is too late
    if (this.awaiting[i] !== msg.seq) return true;
    this.awaiting[i] = NONE;
    this.misses[i] = 0;
    if (this.suspected[i] === 1) {
      this.suspected[i] = 0;
      this.out.event(FdEventKind.trust, from, now);
    }
    return true;
  }

  nextWakeUs(): number {
    let w = this.nextProbeAt;
    for (let i = 0; i < this.targets.length; i++) if (this.awaiting[i] !== NONE && this.deadline[i] < w) w = this.deadline[i];
    return w;
  }

  suspects(target: NodeId): boolean {
    const i = this.index.get(target);
    return i !== undefined && this.suspected[i] === 1;
  }

  /** Consecutive misses so far (kvrocks' failure count). */
  missCount(target: NodeId): number {
    const i = this.index.get(target);
    return i === undefined ? 0 : this.misses[i];
  }

  drainTo(sink: FdSink<TimeoutMsg>): void {
    this.out.drainTo(sink);
  }

  drain(): FdOutput<TimeoutMsg> {
    return this.out.drain();
  }
}
