// `swim`: SWIM with Lifeguard as hashicorp/memberlist ships it (FAILURE-DETECTION.md §a4), read
// at @1b4c746 (`state.go` probe, probeNode, handleIndirectPing in net.go, suspectNode, aliveNode,
// deadNode, refute; `suspicion.go`; `awareness.go`; `config.go` DefaultLANConfig).
//
// Each probe round (every ProbeInterval; a round that fails runs for the awareness-scaled
// interval): ping the next member in a shuffled round-robin order; after ProbeTimeout without an
// ack, send ping-req to k = IndirectChecks random alive members, which ping the target and relay
// its ack, or send a nack if they got none within ProbeTimeout; at the end of the scaled interval
// with no ack, suspect the target. A suspicion starts a timer between min =
// SuspicionMult·max(1, log10 n)·ProbeInterval and max = SuspicionMaxTimeoutMult·min that shrinks
// with independent confirmations; when it fires the member is declared dead. A member that hears
// it is suspected (or dead) refutes with a higher incarnation. Local health (Lifeguard): -1 per
// successful probe, +1 per missing expected nack (+1 per failed probe when nobody could nack),
// +1 per refutation; the probe interval scales with score + 1.
//
// Simplifications, on purpose: suspect/alive/dead updates are sent directly to every member (the
// host's network carries them; memberlist piggybacks them on gossip with retransmits); no TCP
// fallback ping and no push-pull. In place of push-pull's repair, every pushPullInterval each
// member tells those it holds dead that they are, and a member that is pinged by a
// member it holds dead answers and also tells it so, letting a restarted member refute; a member
// told so with an incarnation it has already refuted sends its alive to the accuser again.
import type { ImplRng, NodeId } from "../../node.js";
import { Awareness, remainingSuspicionTimeUs, Suspicion, suspicionTimeoutUs } from "./swim-math.js";
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
  S,
  type SwimMsg,
} from "./types.js";

export interface SwimParams {
  readonly probeIntervalUs: number;
  readonly probeTimeoutUs: number;
  readonly indirectChecks: number;
  readonly suspicionMult: number;
  readonly suspicionMaxTimeoutMult: number;
  readonly awarenessMaxMultiplier: number;
  /** Every this long, tell each member held dead that it is (0: never). Stands in for
   * push-pull's repair: two members holding each other dead never probe each other again, so
   * neither hears the accusation it would refute (memberlist: a third member learns the death in
   * a push-pull and gossips it, also to the dead for GossipToTheDeadTime). */
  readonly pushPullIntervalUs: number;
}

/** memberlist DefaultLANConfig (config.go @1b4c746). */
export const SWIM_LAN_DEFAULTS: SwimParams = {
  probeIntervalUs: 1 * S,
  probeTimeoutUs: 500 * MS,
  indirectChecks: 3,
  suspicionMult: 4,
  suspicionMaxTimeoutMult: 6,
  awarenessMaxMultiplier: 8,
  pushPullIntervalUs: 30 * S,
};
/** DefaultWANConfig. */
export const SWIM_WAN_DEFAULTS: SwimParams = { ...SWIM_LAN_DEFAULTS, probeIntervalUs: 5 * S, probeTimeoutUs: 3 * S, suspicionMult: 6, pushPullIntervalUs: 60 * S };
/** DefaultLocalConfig. */
export const SWIM_LOCAL_DEFAULTS: SwimParams = { ...SWIM_LAN_DEFAULTS, probeTimeoutUs: 200 * MS, indirectChecks: 1, suspicionMult: 3, pushPullIntervalUs: 15 * S };

const ML = "hashicorp/memberlist @1b4c746 config.go DefaultLANConfig";

export const SWIM_SPEC: DetectorSpec<SwimParams> = {
  name: "swim",
  description:
    "SWIM with Lifeguard (memberlist): round-robin probes, indirect ping-req through k members with nacks, suspicion timeout shrinking with confirmations, incarnation refutation, local health awareness.",
  defaults: SWIM_LAN_DEFAULTS,
  params: [
    { name: "probeIntervalUs", default: 1 * S, unit: "us", doc: "one probe per interval (scaled by awareness score + 1)", source: `${ML} ProbeInterval` },
    { name: "probeTimeoutUs", default: 500 * MS, unit: "us", doc: "wait for a direct ack before the indirect probes; relays nack after it; not scaled", source: `${ML} ProbeTimeout` },
    { name: "indirectChecks", default: 3, unit: "count", doc: "k members asked to ping-req", source: `${ML} IndirectChecks` },
    { name: "suspicionMult", default: 4, unit: "count", doc: "min suspicion = mult·max(1, log10 n)·interval; expected confirmations mult - 2", source: `${ML} SuspicionMult; util.go suspicionTimeout; state.go suspectNode` },
    { name: "suspicionMaxTimeoutMult", default: 6, unit: "count", doc: "max suspicion = this × min", source: `${ML} SuspicionMaxTimeoutMult` },
    { name: "awarenessMaxMultiplier", default: 8, unit: "count", doc: "health score in [0, this - 1]", source: `${ML} AwarenessMaxMultiplier; awareness.go` },
    { name: "pushPullIntervalUs", default: 30 * S, unit: "us", doc: "every this long, each member held dead is told so (in place of push-pull's repair of two members holding each other dead); 0: never", source: `${ML} PushPullInterval (the period; the message is this model's)` },
  ],
  bound(p, ctx) {
    // An observer probes each live member once per round of n - 1 probes and reshuffles between
    // rounds, so two probes of one member are at most 2(n-1) - 1 slots apart; a slot lasts at most
    // the scaled interval. Then the suspicion runs for at most max.
    const score = ctx.awarenessScore ?? 0;
    const slot = p.probeIntervalUs * (score + 1);
    const slots = Math.max(1, 2 * (ctx.n - 1));
    const suspectUs = slots * slot;
    const min = suspicionTimeoutUs(p.suspicionMult, ctx.n, p.probeIntervalUs);
    const failUs = suspectUs + p.suspicionMaxTimeoutMult * min;
    return {
      suspectUs,
      failUs,
      formula: `suspect ≤ 2(n-1)·interval·(score+1) = ${slots}·${slot} = ${suspectUs} µs; dead ≤ that + maxMult·min = ${suspectUs} + ${p.suspicionMaxTimeoutMult}·${min} = ${failUs} µs`,
    };
  },
};

export function checkSwimParams(p: SwimParams): void {
  checkParam("probeIntervalUs", p.probeIntervalUs, 1);
  checkParam("probeTimeoutUs", p.probeTimeoutUs, 1, p.probeIntervalUs);
  checkParam("indirectChecks", p.indirectChecks, 0);
  checkParam("suspicionMult", p.suspicionMult, 1);
  checkParam("suspicionMaxTimeoutMult", p.suspicionMaxTimeoutMult, 1);
  checkParam("awarenessMaxMultiplier", p.awarenessMaxMultiplier, 1);
  checkParam("pushPullIntervalUs", p.pushPullIntervalUs, 0);
}

export const MemberState = { alive: 0, suspect: 1, dead: 2 } as const;
export type MemberState = (typeof MemberState)[keyof typeof MemberState];

interface Probe {
  readonly target: number; // index
  readonly seq: number;
  readonly indirectAt: number;
  readonly deadline: number;
  indirectSent: boolean;
  expectedNacks: number;
  nacks: number;
}

interface Relay {
  readonly requester: NodeId;
  readonly reqSeq: number;
  readonly nackAt: number;
  readonly wantNack: boolean;
}

export class SwimDetector implements Detector<SwimMsg> {
  readonly name = "swim" as const;
  readonly awareness: Awareness;
  private readonly out: Outbox<SwimMsg>;
  private readonly index = new Map<NodeId, number>();
  private readonly state: Uint8Array;
  private readonly inc: Float64Array;
  private readonly suspicion: (Suspicion | null)[];
  private readonly order: number[]; // probe order (indexes), reshuffled per round
  private readonly scratch: number[] = [];
  private readonly relays = new Map<number, Relay>();
  private cursor: number;
  private probe: Probe | null = null;
  private nextProbeAt: number;
  private nextPushPullAt: number;
  private seq = 0;
  private incarnation: number;

  /** `members`: the whole group, self included. `incarnation`: this member's starting
   * incarnation; a restarted member must start above the one it had (memberlist learns it back
   * through push-pull; here the host persists it or derives it from a restart count). */
  constructor(
    readonly self: NodeId,
    private readonly members: readonly NodeId[],
    private readonly rng: ImplRng,
    private readonly p: SwimParams = SWIM_LAN_DEFAULTS,
    startLocalUs = 0,
    incarnation = 0,
  ) {
    checkSwimParams(p);
    if (!members.includes(self)) throw new Error("swim: members must include self");
    this.out = new Outbox(self);
    this.awareness = new Awareness(p.awarenessMaxMultiplier);
    members.forEach((m, i) => this.index.set(m, i));
    this.state = new Uint8Array(members.length);
    this.inc = new Float64Array(members.length);
    this.suspicion = members.map(() => null);
    this.order = members.map((_, i) => i).filter((i) => members[i] !== self);
    this.shuffle(this.order);
    this.cursor = 0;
    this.incarnation = incarnation;
    this.inc[this.index.get(self)!] = incarnation;
    this.nextProbeAt = this.order.length > 0 ? startLocalUs : Number.POSITIVE_INFINITY;
    this.nextPushPullAt = p.pushPullIntervalUs > 0 && this.order.length > 0 ? startLocalUs + p.pushPullIntervalUs : Number.POSITIVE_INFINITY;
    if (incarnation > 0) this.broadcast({ k: FdMsgKind.alive, node: self, inc: incarnation });
  }

  // -------------------------------------------------------------------------------------------
  // Queries

  get selfIncarnation(): number {
    return this.incarnation;
  }

  memberState(node: NodeId): MemberState {
    const i = this.index.get(node);
    return i === undefined ? MemberState.dead : (this.state[i] as MemberState);
  }

  incarnationOf(node: NodeId): number {
    const i = this.index.get(node);
    return i === undefined ? 0 : this.inc[i];
  }

  suspicionOf(node: NodeId): Suspicion | null {
    const i = this.index.get(node);
    return i === undefined ? null : this.suspicion[i];
  }

  suspects(target: NodeId): boolean {
    return target !== this.self && this.memberState(target) !== MemberState.alive;
  }

  // -------------------------------------------------------------------------------------------
  // Time

  tick(now: number): void {
    for (const [seq, r] of this.relays) {
      if (now < r.nackAt) continue;
      this.relays.delete(seq);
      if (r.wantNack) this.out.send(r.requester, { k: FdMsgKind.nack, seq: r.reqSeq });
    }
    for (let i = 0; i < this.members.length; i++) {
      const s = this.suspicion[i];
      if (s !== null && this.state[i] === MemberState.suspect && now >= s.deadline) {
        this.markDead(i, this.inc[i], now);
        this.broadcast({ k: FdMsgKind.dead, node: this.members[i], inc: this.inc[i], from: this.self });
      }
    }
    const pr = this.probe;
    if (pr !== null) {
      if (!pr.indirectSent && now >= pr.indirectAt) this.sendIndirect(pr);
      if (now >= pr.deadline) this.failProbe(pr, now);
    }
    if (this.probe === null && now >= this.nextProbeAt) this.startProbe(now);
    if (now >= this.nextPushPullAt) {
      this.nextPushPullAt = now + this.p.pushPullIntervalUs;
      for (let i = 0; i < this.members.length; i++) {
        if (this.state[i] === MemberState.dead) this.out.send(this.members[i], { k: FdMsgKind.dead, node: this.members[i], inc: this.inc[i], from: this.self });
      }
    }
  }

  nextWakeUs(): number {
    let w = this.probe === null ? this.nextProbeAt : this.probe.indirectSent ? this.probe.deadline : this.probe.indirectAt;
    if (this.nextPushPullAt < w) w = this.nextPushPullAt;
    for (const r of this.relays.values()) if (r.nackAt < w) w = r.nackAt;
    for (let i = 0; i < this.members.length; i++) {
      const s = this.suspicion[i];
      if (s !== null && this.state[i] === MemberState.suspect && s.deadline < w) w = s.deadline;
    }
    return w;
  }

  private startProbe(now: number): void {
    const target = this.nextTarget();
    // The next round starts on the ticker's grid; a round that overruns it starts the next one
    // as soon as it ends (Go's ticker buffers one tick).
    this.nextProbeAt += this.p.probeIntervalUs;
    if (this.nextProbeAt <= now) this.nextProbeAt = now + this.p.probeIntervalUs;
    if (target < 0) return;
    const seq = ++this.seq;
    const interval = this.awareness.scaleTimeout(this.p.probeIntervalUs);
    this.probe = { target, seq, indirectAt: now + this.p.probeTimeoutUs, deadline: now + interval, indirectSent: false, expectedNacks: 0, nacks: 0 };
    const to = this.members[target];
    this.out.send(to, { k: FdMsgKind.ping, seq, target: to });
    // A suspect target also gets the suspicion, so that it can refute it at once.
    if (this.state[target] === MemberState.suspect) this.out.send(to, { k: FdMsgKind.suspect, node: to, inc: this.inc[target], from: this.self });
  }

  /** Round-robin over the shuffled members, skipping dead ones; reshuffle at the wrap. */
  private nextTarget(): number {
    for (let tries = 0; tries <= this.order.length; tries++) {
      if (this.cursor >= this.order.length) {
        this.cursor = 0;
        this.shuffle(this.order);
      }
      const i = this.order[this.cursor++];
      if (this.state[i] !== MemberState.dead) return i;
    }
    return -1;
  }

  private shuffle(a: number[]): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.rng.int(0, i);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  private sendIndirect(pr: Probe): void {
    pr.indirectSent = true;
    const c = this.scratch;
    c.length = 0;
    for (let i = 0; i < this.members.length; i++) {
      if (i !== pr.target && this.members[i] !== this.self && this.state[i] === MemberState.alive) c.push(i);
    }
    const k = Math.min(this.p.indirectChecks, c.length);
    const target = this.members[pr.target];
    for (let j = 0; j < k; j++) {
      const pick = this.rng.int(j, c.length - 1);
      const t = c[j];
      c[j] = c[pick];
      c[pick] = t;
      this.out.send(this.members[c[j]], { k: FdMsgKind.pingReq, seq: pr.seq, target, nack: true });
      pr.expectedNacks++;
    }
  }

  private failProbe(pr: Probe, now: number): void {
    this.probe = null;
    if (pr.expectedNacks > 0) this.awareness.applyDelta(Math.max(0, pr.expectedNacks - pr.nacks));
    else this.awareness.applyDelta(1);
    const target = this.members[pr.target];
    if (this.onSuspect(target, this.inc[pr.target], this.self, now)) {
      this.broadcast({ k: FdMsgKind.suspect, node: target, inc: this.inc[pr.target], from: this.self });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Messages

  onMessage(from: NodeId, msg: SwimMsg, now: number): boolean {
    switch (msg.k) {
      case FdMsgKind.ping: {
        if (msg.target !== this.self) return true;
        this.out.send(from, { k: FdMsgKind.ack, seq: msg.seq });
        const i = this.index.get(from);
        if (i !== undefined && this.state[i] === MemberState.dead) {
          this.out.send(from, { k: FdMsgKind.dead, node: from, inc: this.inc[i], from: this.self });
        }
        return true;
      }
      case FdMsgKind.pingReq: {
        const seq = ++this.seq;
        this.relays.set(seq, { requester: from, reqSeq: msg.seq, nackAt: now + this.p.probeTimeoutUs, wantNack: msg.nack });
        this.out.send(msg.target, { k: FdMsgKind.ping, seq, target: msg.target });
        return true;
      }
      case FdMsgKind.ack: {
        const r = this.relays.get(msg.seq);
        if (r !== undefined) {
          this.relays.delete(msg.seq);
          this.out.send(r.requester, { k: FdMsgKind.ack, seq: r.reqSeq });
          return true;
        }
        const pr = this.probe;
        if (pr !== null && pr.seq === msg.seq && now < pr.deadline) {
          this.probe = null;
          this.awareness.applyDelta(-1);
        }
        return true;
      }
      case FdMsgKind.nack: {
        const pr = this.probe;
        if (pr !== null && pr.seq === msg.seq) pr.nacks++;
        return true;
      }
      case FdMsgKind.suspect:
        this.onSuspect(msg.node, msg.inc, msg.from, now);
        return true;
      case FdMsgKind.alive:
        this.onAlive(msg.node, msg.inc, now);
        return true;
      case FdMsgKind.dead:
        this.onDead(msg.node, msg.inc, msg.from, now);
        return true;
      default:
        return false;
    }
  }

  /** state.go suspectNode. Returns true if it was news (a new suspicion or confirmation). */
  private onSuspect(node: NodeId, inc: number, from: NodeId, now: number): boolean {
    const i = this.index.get(node);
    if (i === undefined) return false;
    if (node === this.self) {
      if (inc >= this.incarnation) this.refute(inc);
      // A stale suspicion (an accuser that restarted, or missed my alive): tell it again, as
      // for a stale death below, or it holds me suspect, then dead, until a push-pull.
      else if (from !== this.self) this.out.send(from, { k: FdMsgKind.alive, node: this.self, inc: this.incarnation });
      return false;
    }
    if (inc < this.inc[i]) return false;
    const s = this.suspicion[i];
    if (s !== null && this.state[i] === MemberState.suspect) return s.confirm(from);
    if (this.state[i] !== MemberState.alive) return false;
    this.inc[i] = inc;
    this.state[i] = MemberState.suspect;
    const n = this.members.length;
    let k = this.p.suspicionMult - 2;
    if (n - 2 < k) k = 0;
    const min = suspicionTimeoutUs(this.p.suspicionMult, n, this.p.probeIntervalUs);
    const max = this.p.suspicionMaxTimeoutMult * min;
    this.suspicion[i] = new Suspicion(from, k, min, max, now);
    this.out.event(FdEventKind.suspect, node, now);
    return true;
  }

  /** state.go aliveNode: only a strictly higher incarnation clears a suspicion or a death. */
  private onAlive(node: NodeId, inc: number, now: number): void {
    const i = this.index.get(node);
    if (i === undefined) return;
    if (node === this.self) {
      if (inc > this.incarnation) this.refute(inc);
      return;
    }
    if (inc <= this.inc[i]) return;
    this.inc[i] = inc;
    this.suspicion[i] = null;
    if (this.state[i] !== MemberState.alive) {
      this.state[i] = MemberState.alive;
      this.out.event(FdEventKind.trust, node, now);
    }
  }

  /** state.go deadNode. */
  private onDead(node: NodeId, inc: number, from: NodeId, now: number): void {
    const i = this.index.get(node);
    if (i === undefined) return;
    if (node === this.self) {
      if (inc >= this.incarnation) this.refute(inc);
      // A stale accusation: I refuted it already, but the accuser missed my alive (sent once,
      // and without memberlist's push-pull nothing repeats it): tell the accuser again.
      else if (from !== this.self) this.out.send(from, { k: FdMsgKind.alive, node: this.self, inc: this.incarnation });
      return;
    }
    if (inc < this.inc[i]) return;
    this.markDead(i, inc, now);
  }

  private markDead(i: number, inc: number, now: number): void {
    this.suspicion[i] = null;
    if (this.state[i] === MemberState.dead) return;
    this.inc[i] = inc;
    this.state[i] = MemberState.dead;
    this.out.event(FdEventKind.fail, this.members[i], now);
  }

  /** state.go refute: beat the accusation, lose a health point, tell everyone. */
  private refute(accusedInc: number): void {
    this.incarnation = Math.max(this.incarnation + 1, accusedInc + 1);
    this.inc[this.index.get(this.self)!] = this.incarnation;
    this.awareness.applyDelta(1);
    this.broadcast({ k: FdMsgKind.alive, node: this.self, inc: this.incarnation });
  }

  private broadcast(msg: SwimMsg): void {
    for (const m of this.members) if (m !== this.self) this.out.send(m, msg);
  }

  drainTo(sink: FdSink<SwimMsg>): void {
    this.out.drainTo(sink);
  }

  drain(): FdOutput<SwimMsg> {
    return this.out.drain();
  }
}

export { remainingSuspicionTimeUs, suspicionTimeoutUs };
