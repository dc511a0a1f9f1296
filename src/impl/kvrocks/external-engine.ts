// The external engine: the controller as a client of the etcd-like store node (store-node.ts).
// Every read and write is a request over the network (linearizable: the store is one node).
// Leadership is etcd's concurrency.Election on a session: a lease with TTL 6 s kept alive every
// 2 s, and a campaign for the leader key bound to it; the epoch is the key's revision.
//
// When does a leader stop leading? With the quorum check, when its session may have expired at
// the store: `TTL` after the *send* time of its last acknowledged keepalive (the store restarted
// the TTL when the keepalive arrived, which is later), less the clock-rate bound. Without it,
// only when the store tells it so (a keepalive answered "expired") — a leader cut off from the
// store goes on leading. Planted bug sessionFromReceipt: etcd clientv3's lease.go sets the
// keepalive deadline from the time the response is *received* (`ka.deadline = time.Now().Add(
// TTL)` in recvKeepAlive), so a delayed response stretches the session past the store's expiry.
import type { MetaOp } from "../metadata/ops.js";
import { MonotonicTime } from "../raft/monotonic.js";
import type { EngineDone, StorageEngine } from "./engine.js";
import { LEADER_KEY, type StoreMsg, type StoreOp, type StoreResult, type Timing } from "./types.js";

interface Pending {
  readonly done: (r: StoreResult | null, now: number) => void;
  readonly deadline: number;
}

export interface ExternalEngineOptions {
  readonly self: number;
  readonly store: number;
  readonly timing: Timing;
  readonly quorumCheck: boolean;
  readonly sessionFromReceipt: boolean;
  /** The first request id: drawn per incarnation, so an answer to a request of an earlier
   * incarnation (still in flight when it crashed) never matches a request of this one. */
  readonly idBase: number;
}

export class ExternalEngine implements StorageEngine {
  readonly kind = "external" as const;
  private readonly pending = new Map<number, Pending>();
  private nextId: number;
  private readonly mono = new MonotonicTime();
  private lease = -1;
  private granting = false;
  /** Monotonic time until which the session is certainly alive at the store. */
  private sessionUntil = Number.NaN;
  private nextKeepalive = 0;
  private keepaliveInFlight = false;
  private nextCampaign = 0;
  private campaigning = false;
  private leading = false;
  private leaderEpoch = -1;
  private closed = false;
  private listeners: ((leading: boolean, epoch: number, now: number) => void)[] = [];

  constructor(
    private readonly o: ExternalEngineOptions,
    private readonly send: (to: number, m: StoreMsg) => void,
    private readonly wake: (localUs: number) => void,
    now: number,
  ) {
    this.nextId = o.idBase;
    this.mono.read(now);
    this.rewake(now);
  }

  get(key: string, now: number, done: EngineDone): void {
    this.meta({ f: "get", key }, now, done);
  }
  exists(key: string, now: number, done: EngineDone): void {
    this.meta({ f: "exists", key }, now, done);
  }
  set(key: string, value: string, now: number, done: EngineDone): void {
    this.meta({ f: "put", key, value }, now, done);
  }
  delete(key: string, now: number, done: EngineDone): void {
    this.meta({ f: "delete", key }, now, done);
  }
  cas(key: string, expected: number | "absent", value: string, now: number, done: EngineDone): void {
    this.meta({ f: "cas", key, expected, value }, now, done);
  }
  list(prefix: string, now: number, done: EngineDone): void {
    this.meta({ f: "list", prefix }, now, done);
  }

  isLeader(): boolean {
    return this.leading && !this.closed;
  }
  epoch(): number {
    return this.isLeader() ? this.leaderEpoch : -1;
  }
  onLeaderChange(cb: (leading: boolean, epoch: number, now: number) => void): void {
    this.listeners.push(cb);
  }

  confirm(now: number, done: (until: number, now: number) => void): void {
    // The session is the confirmation: a live session means the leader key is still ours.
    const t = this.mono.read(now);
    done(this.isLeader() && this.sessionUntil > t ? this.sessionUntil : Number.NaN, now);
  }

  isReady(): boolean {
    return !this.closed && this.lease >= 0;
  }
  close(): void {
    this.closed = true;
  }

  onMessage(_from: number, msg: unknown, now: number): boolean {
    const m = msg as StoreMsg;
    if (m.type !== "srep") return false;
    const p = this.pending.get(m.id);
    if (p !== undefined) {
      this.pending.delete(m.id);
      p.done(m.r, now);
    }
    this.step(now);
    return true;
  }

  onTick(now: number): void {
    const t = this.mono.read(now);
    for (const [id, p] of [...this.pending]) {
      if (p.deadline > t) continue;
      this.pending.delete(id);
      p.done(null, now);
    }
    this.step(now);
  }

  onPersisted(): void {}

  private meta(op: MetaOp, now: number, done: EngineDone): void {
    this.request({ f: "meta", op }, now, (r, t) => {
      if (r === null) return done({ kind: "unavailable" }, t);
      done({ kind: "ok", result: (r as Extract<StoreResult, { f: "meta" }>).result }, t);
    });
  }

  private request(op: StoreOp, now: number, done: (r: StoreResult | null, now: number) => void): void {
    const id = this.nextId++;
    const t = this.mono.read(now);
    // A keepalive's answer counts as long as the session could (etcd's keepalive is a stream,
    // not a request with a deadline); everything else has the request deadline.
    this.pending.set(id, { done, deadline: t + (op.f === "keepalive" ? this.o.timing.sessionTtlUs : this.o.timing.requestUs) });
    this.send(this.o.store, { type: "sreq", id, op });
    this.rewake(now);
  }

  /** The session and election loop: grant, keep alive, campaign, notice the loss. */
  private step(now: number): void {
    if (this.closed) return;
    const t = this.mono.read(now);
    const T = this.o.timing;
    if (this.lease >= 0 && this.o.quorumCheck && !(this.sessionUntil > t)) this.dropSession(now);
    if (this.lease < 0 && !this.granting) {
      this.granting = true;
      const sent = t;
      this.request({ f: "grant", ttlUs: T.sessionTtlUs }, now, (r, t2) => {
        this.granting = false;
        if (r === null || r.f !== "grant") return;
        this.lease = r.lease;
        this.sessionUntil = this.deadlineFrom(sent, this.mono.read(t2));
        this.nextKeepalive = this.mono.read(t2) + T.keepaliveUs;
        this.nextCampaign = 0;
      });
    }
    if (this.lease >= 0 && !this.keepaliveInFlight && t >= this.nextKeepalive) {
      this.keepaliveInFlight = true;
      const sent = t;
      const lease = this.lease;
      this.nextKeepalive = t + T.keepaliveUs;
      this.request({ f: "keepalive", lease }, now, (r, t2) => {
        this.keepaliveInFlight = false;
        if (r === null || r.f !== "keepalive" || lease !== this.lease) return;
        if (!r.alive) return this.dropSession(t2);
        this.sessionUntil = Math.max(this.sessionUntil, this.deadlineFrom(sent, this.mono.read(t2)));
      });
    }
    if (this.lease >= 0 && !this.leading && !this.campaigning && t >= this.nextCampaign) {
      this.campaigning = true;
      this.nextCampaign = t + T.keepaliveUs / 2;
      const lease = this.lease;
      const me = `${this.o.self}:${lease}`;
      this.request({ f: "campaign", key: LEADER_KEY, value: me, lease }, now, (r, t2) => {
        this.campaigning = false;
        if (r === null || r.f !== "campaign" || lease !== this.lease) return;
        if (r.won || r.holder === me) this.setLeading(true, r.revision, t2);
      });
    }
    this.rewake(now);
  }

  /** The session's end: from the keepalive's send (the fix) or its answer's receipt (bug). */
  private deadlineFrom(sent: number, received: number): number {
    const T = this.o.timing;
    const ttl = T.sessionTtlUs - Math.ceil((T.sessionTtlUs * T.driftPpm) / 1e6);
    return (this.o.sessionFromReceipt ? received : sent) + ttl;
  }

  private dropSession(now: number): void {
    this.lease = -1;
    this.sessionUntil = Number.NaN;
    this.setLeading(false, -1, now);
  }

  private setLeading(leading: boolean, epoch: number, now: number): void {
    if (leading === this.leading && epoch === this.leaderEpoch) return;
    this.leading = leading;
    this.leaderEpoch = epoch;
    for (const cb of this.listeners) cb(leading, this.epoch(), now);
  }

  private rewake(now: number): void {
    const t = this.mono.read(now);
    // What is in flight waits for its answer or its deadline (below), not for its next turn.
    let next = Number.POSITIVE_INFINITY;
    if (this.lease < 0) next = this.granting ? next : t + 200_000;
    else {
      if (!this.keepaliveInFlight) next = Math.min(next, this.nextKeepalive);
      if (!this.leading && !this.campaigning) next = Math.min(next, this.nextCampaign);
    }
    next = Math.max(t + 1, next);
    if (this.leading && this.o.quorumCheck && this.sessionUntil === this.sessionUntil) next = Math.min(next, this.sessionUntil + 1);
    for (const p of this.pending.values()) next = Math.min(next, p.deadline);
    if (next === Number.POSITIVE_INFINITY) return;
    // Back to local time (monotonic = local + skew; they differ only after a backward step).
    this.wake(next - (this.mono.peek(1e15) - 1e15));
  }
}
