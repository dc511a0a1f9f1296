// The common shape of every failure detector (FAILURE-DETECTION.md §e R1). A detector is a pure
// state machine embedded in a host node: the host owns the network and the clock, calls
// tick/onMessage with the node's *local* time in µs, carries the messages the detector asks to
// send, and reads the suspect/trust/fail events it emits. The detector never does I/O, never
// reads a clock, and draws randomness only from the ImplRng the host hands it.
//
// Output goes into an Outbox (parallel arrays reused across calls, so a steady-state tick
// allocates nothing but the messages themselves). The host empties it with drainTo(sink), or
// drain() (allocating, for tests and simple hosts).
import type { NodeId } from "../../node.js";

// ---------------------------------------------------------------------------------------------
// Events

/** Transitions of an observer's view of a target. `suspect`: trusted → suspected. `fail`: the
 * detector's stronger, sticky verdict (SWIM dead, lease FAIL); implies suspected, may follow a
 * suspect or come alone. `trust`: suspected or failed → trusted. */
export const FdEventKind = { suspect: 0, trust: 1, fail: 2 } as const;
export type FdEventKind = (typeof FdEventKind)[keyof typeof FdEventKind];
export const FD_EVENT_NAMES = ["suspect", "trust", "fail"] as const;

export interface FdEvent {
  readonly kind: FdEventKind;
  readonly observer: NodeId;
  readonly target: NodeId;
  /** The observer's local clock when it changed its mind. */
  readonly atLocalUs: number;
}

// ---------------------------------------------------------------------------------------------
// Messages: small plain objects with a numeric kind (cheap to hash, no JSON on hot paths).

export const FdMsgKind = {
  /** timeout: controller → node probe (kvrocks CLUSTER INFO) and its reply. */
  probe: 1,
  probeReply: 2,
  /** phi: Akka's heartbeat request / response (the response is the sample). */
  heartbeat: 3,
  heartbeatRsp: 4,
  /** swim: memberlist's packet types. */
  ping: 10,
  ack: 11,
  pingReq: 12,
  nack: 13,
  suspect: 14,
  alive: 15,
  dead: 16,
} as const;

export type ProbeMsg = { readonly k: 1; readonly seq: number };
export type ProbeReplyMsg = { readonly k: 2; readonly seq: number };
export type HeartbeatMsg = { readonly k: 3; readonly seq: number };
/** `inc`: the responder's incarnation (larger after every restart; absent: 0). */
export type HeartbeatRspMsg = { readonly k: 4; readonly seq: number; readonly inc?: number };
/** `target`: whom the ping is meant for (a relay's ping names the probed node). */
export type PingMsg = { readonly k: 10; readonly seq: number; readonly target: NodeId };
export type AckMsg = { readonly k: 11; readonly seq: number };
export type PingReqMsg = { readonly k: 12; readonly seq: number; readonly target: NodeId; readonly nack: boolean };
export type NackMsg = { readonly k: 13; readonly seq: number };
export type SuspectMsg = { readonly k: 14; readonly node: NodeId; readonly inc: number; readonly from: NodeId };
export type AliveMsg = { readonly k: 15; readonly node: NodeId; readonly inc: number };
export type DeadMsg = { readonly k: 16; readonly node: NodeId; readonly inc: number; readonly from: NodeId };

export type TimeoutMsg = ProbeMsg | ProbeReplyMsg;
export type PhiMsg = HeartbeatMsg | HeartbeatRspMsg;
export type SwimMsg = PingMsg | AckMsg | PingReqMsg | NackMsg | SuspectMsg | AliveMsg | DeadMsg;
export type FdMsg = TimeoutMsg | PhiMsg | SwimMsg;

/** True for any message a detector understands (hosts route on it). */
export function isFdMsg(m: unknown): m is FdMsg {
  if (typeof m !== "object" || m === null) return false;
  const k = (m as { k?: unknown }).k;
  return typeof k === "number" && ((k >= 1 && k <= 4) || (k >= 10 && k <= 16));
}

// ---------------------------------------------------------------------------------------------
// Output

export interface FdSink<M> {
  send(to: NodeId, msg: M): void;
  event(kind: FdEventKind, observer: NodeId, target: NodeId, atLocalUs: number): void;
}

export interface FdOutput<M> {
  readonly sends: { readonly to: NodeId; readonly msg: M }[];
  readonly events: FdEvent[];
}

/** Buffered output of one detector: parallel arrays, reset (not reallocated) on drain. */
export class Outbox<M> {
  private readonly sendTo: NodeId[] = [];
  private readonly sendMsg: M[] = [];
  private readonly evKind: FdEventKind[] = [];
  private readonly evTarget: NodeId[] = [];
  private readonly evAt: number[] = [];

  constructor(readonly observer: NodeId) {}

  send(to: NodeId, msg: M): void {
    this.sendTo.push(to);
    this.sendMsg.push(msg);
  }

  event(kind: FdEventKind, target: NodeId, atLocalUs: number): void {
    this.evKind.push(kind);
    this.evTarget.push(target);
    this.evAt.push(atLocalUs);
  }

  get pendingSends(): number {
    return this.sendTo.length;
  }

  get pendingEvents(): number {
    return this.evKind.length;
  }

  /** Hand everything to the sink (sends first, in order; then events, in order) and clear. */
  drainTo(sink: FdSink<M>): void {
    for (let i = 0; i < this.sendTo.length; i++) sink.send(this.sendTo[i], this.sendMsg[i]);
    for (let i = 0; i < this.evKind.length; i++) sink.event(this.evKind[i], this.observer, this.evTarget[i], this.evAt[i]);
    this.clear();
  }

  /** Allocating variant of drainTo. */
  drain(): FdOutput<M> {
    const sends = this.sendTo.map((to, i) => ({ to, msg: this.sendMsg[i] }));
    const events: FdEvent[] = this.evKind.map((kind, i) => ({ kind, observer: this.observer, target: this.evTarget[i], atLocalUs: this.evAt[i] }));
    this.clear();
    return { sends, events };
  }

  private clear(): void {
    // Drained after every input of the node, mostly empty: resizing empty arrays is not free.
    if (this.sendTo.length === 0 && this.evKind.length === 0) return;
    this.sendTo.length = 0;
    this.sendMsg.length = 0;
    this.evKind.length = 0;
    this.evTarget.length = 0;
    this.evAt.length = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// The detector contract

export const DETECTOR_NAMES = ["timeout", "phi", "swim", "lease", "oracle"] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];

/**
 * What a host embeds. Lifecycle: construct with the local start time; then, in any order,
 * `tick(now)` (at least at `nextWakeUs()`, earlier is harmless) and `onMessage(from, msg, now)`;
 * after each call drain the outbox. `now` is the host's local clock; detectors tolerate it
 * stepping backwards (a timer measured on it may then fire late, never early).
 */
export interface Detector<M = FdMsg> {
  readonly name: DetectorName;
  readonly self: NodeId;
  tick(localNowUs: number): void;
  /** Returns false if the message is not this detector's (the host may route it elsewhere). */
  onMessage(from: NodeId, msg: M, localNowUs: number): boolean;
  /** Liveness evidence outside the detector's own protocol (any traffic from `from`), for
   * detectors that accept it (Valkey counts any inbound data; kvrocks and Akka do not). */
  heartbeatFrom?(from: NodeId, localNowUs: number): void;
  /** The local time by which tick must next be called (Infinity: no timer pending). */
  nextWakeUs(): number;
  /** Whether this observer currently suspects (or has failed) the target. */
  suspects(target: NodeId): boolean;
  drainTo(sink: FdSink<M>): void;
  drain(): FdOutput<M>;
}

// ---------------------------------------------------------------------------------------------
// Self-description (for `raftsim detectors --json` and the online P-FD1 check)

export interface ParamDoc {
  readonly name: string;
  readonly default: number | string | boolean;
  readonly unit?: "us" | "count" | "ratio" | "bool" | "enum";
  readonly doc: string;
  /** Where the default comes from (repository, file, version). */
  readonly source: string;
}

/** What the bound depends on besides the detector's parameters. */
export interface BoundContext {
  /** Members in the group (SWIM's suspicion timeout and probe round grow with it). */
  readonly n: number;
  /** Largest round-trip time the run allows (µs): max one-way delay × 2. */
  readonly rttUs: number;
  /** phi: the mean inter-arrival time to assume (default: the heartbeat interval for akka,
   * the largest recordable interval for cassandra). */
  readonly intervalMeanUs?: number;
  /** phi akka: the std to assume (default: the seeded history's, interval/4). */
  readonly intervalStdUs?: number;
  /** swim: the observer's Lifeguard health score to assume (default 0: healthy). */
  readonly awarenessScore?: number;
}

export interface DetectionBound {
  /** Every correct connected observer suspects a crashed target by t_crash + suspectUs (local µs;
   * divide by (1 - rho) for true time under clock rate error rho). */
  readonly suspectUs: number;
  /** Same for the detector's `fail` event, when it has one. */
  readonly failUs?: number;
  /** The formula, in words, with the numbers filled in. */
  readonly formula: string;
}

export interface DetectorSpec<P> {
  readonly name: DetectorName;
  readonly description: string;
  readonly defaults: Readonly<P>;
  readonly params: readonly ParamDoc[];
  /** B_D of P-FD1 (FAILURE-DETECTION.md §e) as a function of the parameters. */
  bound(p: Readonly<P>, ctx: BoundContext): DetectionBound;
}

export interface DetectorDescription {
  readonly name: DetectorName;
  readonly description: string;
  readonly params: readonly ParamDoc[];
}

export function describeSpec<P>(spec: DetectorSpec<P>): DetectorDescription {
  return { name: spec.name, description: spec.description, params: spec.params };
}

// ---------------------------------------------------------------------------------------------
// Small shared helpers

export const MS = 1_000;
export const S = 1_000_000;

/** Validate that a parameter is a finite number within [lo, hi]. */
export function checkParam(name: string, v: number, lo: number, hi = Number.POSITIVE_INFINITY): void {
  if (!(Number.isFinite(v) && v >= lo && v <= hi)) throw new Error(`detector parameter ${name} = ${v}: must be in [${lo}, ${hi}]`);
}
