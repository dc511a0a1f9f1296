// `lease`: failure detection by lease, the Valkey Modular Clustering RFC's way
// (FAILURE-DETECTION.md §a2, §e D4; valkey-io/valkey-rfc @f46710c ModularClustering.md: "mark a
// node as unhealthy if the lease is not refreshed within 2x the timeout"; the author's Raft
// example: the primary appends an entry every X s and replicas mark it down after 2X).
//
// Three roles, as pure state; the Raft/CAS plumbing is the host's:
// - PrimaryLease (the primary): it renews through the shard log (a CAS on the primaryship key);
//   once a renewal is quorum-acknowledged it may serve writes until (the renewal's *send* time)
//   + L on its own clock. A backward step of that clock revokes the lease (P-L2: a step must not
//   extend a lease; time that "does not pass" after a step would).
// - LeaseWatch (a replica, a Detector): FAIL when no renewal was seen for failAfterMult·L (2L);
//   trust on the next renewal.
// - PrimaryshipGuard (every shard-log member): refuses a primaryship CAS for another node until
//   refuseMult·L (2L) after it last acknowledged the old primary (Raft CheckQuorum stickiness;
//   per-replica FAIL timers alone are not enough: a candidate that missed the last renewal times
//   out early).
//
// Disjointness (P-L1), with local clock rates in [1 - rho, 1 + rho] (the simulator's model:
// local = anchor + rate·virtual, rate = 1 + ppm/1e6): the old primary's lease, L on its clock from
// the send time t_s, ends by true time t_s + L/(1 - rho). A member that acked that renewal at
// t_a ≥ t_s refuses until its clock has advanced refuseMult·L, i.e. until at least
// t_a + refuseMult·L/(1 + rho). A new primaryship needs a quorum, which includes such a member, so
// the successor's first write comes after t_s + refuseMult·L/(1 + rho). The leases are disjoint
// whenever refuseMult·L/(1 + rho) ≥ L/(1 - rho), i.e. the guard must be at least
// L·(1 + rho)/(1 - rho), i.e. rho ≤ (refuseMult - 1)/(refuseMult + 1): 1/3 for the RFC's 2L.
// Clock steps: backward steps on the primary revoke its lease (below); a *forward* step on a
// member shortens its refusal and is not covered (rho bounds rates, not steps).
import type { NodeId } from "../../node.js";
import {
  checkParam,
  type Detector,
  type DetectorSpec,
  FdEventKind,
  type FdOutput,
  type FdSink,
  Outbox,
  S,
} from "./types.js";

export interface LeaseParams {
  /** Lease length L (µs), on the primary's clock from the renewal's send time. */
  readonly leaseUs: number;
  /** How often the primary renews (µs); must be < L to keep serving. */
  readonly renewIntervalUs: number;
  /** Replicas FAIL the primary after this many L without a renewal (RFC: 2). */
  readonly failAfterMult: number;
  /** Members refuse a new primaryship for this many L after their last ack (2). */
  readonly refuseMult: number;
}

// L = 1 s: the failover system's lease design runs with these (src/impl/failover/lease), and a
// failover then costs about 2L + a shard-log election, inside Valkey's test-settings budget.
export const LEASE_DEFAULTS: LeaseParams = { leaseUs: S, renewIntervalUs: 250_000, failAfterMult: 2, refuseMult: 2 };

const RFC = "valkey-io/valkey-rfc @f46710c ModularClustering.md and PR #35 review";

export const LEASE_SPEC: DetectorSpec<LeaseParams> = {
  name: "lease",
  description:
    "Lease through the Raft metadata store (Valkey Modular Clustering RFC): the primary serves writes until send time + L of its last quorum-acked renewal, replicas FAIL it after 2L without a renewal, store members refuse a new primaryship CAS for 2L after their last ack.",
  defaults: LEASE_DEFAULTS,
  params: [
    { name: "leaseUs", default: S, unit: "us", doc: "lease length L (the RFC's heartbeat TTL / X); the RFC gives no number: chosen here (a failover costs about 2L + a shard-log election: within Valkey's test-settings budget of 4.5 s)", source: `${RFC} (no default value)` },
    { name: "renewIntervalUs", default: 250_000, unit: "us", doc: "renewal period (< L); chosen here", source: "derived: L/4 leaves room for 3 lost renewals" },
    { name: "failAfterMult", default: 2, unit: "count", doc: "replicas FAIL after this × L", source: `${RFC}: "if the lease is not refreshed within 2x the timeout"` },
    { name: "refuseMult", default: 2, unit: "count", doc: "members refuse a new primaryship CAS this × L after their last ack", source: "FAILURE-DETECTION.md §a2 gap (derived)" },
  ],
  bound(p, ctx) {
    // The last renewal a replica sees arrives at most one one-way delay after the crash.
    const failUs = p.failAfterMult * p.leaseUs + ctx.rttUs;
    return { suspectUs: failUs, failUs, formula: `failAfterMult·L + RTT = ${p.failAfterMult}·${p.leaseUs} + ${ctx.rttUs} = ${failUs} µs (+ election and one commit for failover)` };
  },
};

export function checkLeaseParams(p: LeaseParams): void {
  checkParam("leaseUs", p.leaseUs, 1);
  checkParam("renewIntervalUs", p.renewIntervalUs, 1, p.leaseUs);
  checkParam("failAfterMult", p.failAfterMult, 1);
  checkParam("refuseMult", p.refuseMult, 1);
}

// ---------------------------------------------------------------------------------------------
// The drift bound (P-L1)

/** The shortest member guard that keeps leases disjoint at clock rate error rho. */
export function minGuardUs(leaseUs: number, rho: number): number {
  return (leaseUs * (1 + rho)) / (1 - rho);
}

/** The largest rate error under which a guard of refuseMult·L keeps leases disjoint. */
export function maxRhoForGuard(refuseMult: number): number {
  return (refuseMult - 1) / (refuseMult + 1);
}

// ---------------------------------------------------------------------------------------------
// Primary side

export class PrimaryLease {
  private leaseFrom = Number.NEGATIVE_INFINITY; // send time of the latest quorum-acked renewal
  private readonly pending = new Map<number, number>(); // renewal id → local send time
  private last = Number.NEGATIVE_INFINITY; // latest clock reading
  private revokedBySteps = 0;

  constructor(private readonly p: LeaseParams = LEASE_DEFAULTS) {
    checkLeaseParams(p);
  }

  /** Every clock reading goes through here: a backward step revokes the lease and forgets the
   * renewals in flight (their send times belong to the old timeline). */
  private observe(now: number): void {
    if (now < this.last) {
      if (this.leaseFrom !== Number.NEGATIVE_INFINITY || this.pending.size > 0) this.revokedBySteps++;
      this.leaseFrom = Number.NEGATIVE_INFINITY;
      this.pending.clear();
    }
    this.last = Math.max(this.last, now);
  }

  /** The host sent renewal `id` (e.g. the CAS's proposal) at local time `now`. */
  renewSent(id: number, now: number): void {
    this.observe(now);
    this.pending.set(id, now);
  }

  /** Renewal `id` is quorum-acknowledged (committed). Earlier pending ones are moot. */
  renewAcked(id: number, now: number): void {
    this.observe(now);
    const sent = this.pending.get(id);
    if (sent === undefined) return;
    for (const k of this.pending.keys()) if (k <= id) this.pending.delete(k);
    if (sent > this.leaseFrom) this.leaseFrom = sent;
  }

  /** Leadership or primaryship lost: no more writes. */
  revoke(): void {
    this.leaseFrom = Number.NEGATIVE_INFINITY;
    this.pending.clear();
  }

  canServeWrites(now: number): boolean {
    this.observe(now);
    return now < this.leaseFrom + this.p.leaseUs;
  }

  /** Local time at which the lease ends (-Infinity: none). */
  get expiresAtLocal(): number {
    return this.leaseFrom + this.p.leaseUs;
  }

  /** How many leases a backward clock step has revoked (for traces). */
  get stepRevocations(): number {
    return this.revokedBySteps;
  }
}

// ---------------------------------------------------------------------------------------------
// Store member side

export class PrimaryshipGuard {
  private primary: NodeId | -1 = -1;
  private lastAck = Number.NEGATIVE_INFINITY;
  private last = Number.NEGATIVE_INFINITY;
  private skew = 0; // monotonic = local + skew (a backward step becomes time that does not pass)

  constructor(private readonly p: LeaseParams = LEASE_DEFAULTS) {
    checkLeaseParams(p);
  }

  private mono(now: number): number {
    let m = now + this.skew;
    if (m < this.last) {
      this.skew += this.last - m;
      m = this.last;
    }
    this.last = m;
    return m;
  }

  /** This member acknowledged a renewal (or the CAS) of `primary` at local time `now`. */
  acked(primary: NodeId, now: number): void {
    this.primary = primary;
    this.lastAck = this.mono(now);
  }

  get currentPrimary(): NodeId | -1 {
    return this.primary;
  }

  /** Local time until which a CAS naming another node is refused. */
  refuseUntilLocal(): number {
    return this.lastAck + this.p.refuseMult * this.p.leaseUs - this.skew;
  }

  /** May this member accept a primaryship CAS naming `candidate` now? The current primary may
   * always renew; anyone else waits out refuseMult·L after the last ack. */
  mayAccept(candidate: NodeId, now: number): boolean {
    const m = this.mono(now);
    if (candidate === this.primary) return true;
    return m >= this.lastAck + this.p.refuseMult * this.p.leaseUs;
  }
}

// ---------------------------------------------------------------------------------------------
// Replica side: a Detector whose events are fail (no renewal for failAfterMult·L) and trust

export class LeaseWatch implements Detector<never> {
  readonly name = "lease" as const;
  private readonly out: Outbox<never>;
  private primary: NodeId | -1;
  private lastSeen: number;
  private failed = false;

  /** `primary`: the primary known at start (-1: none yet); the watch starts as if a renewal had
   * been seen at `startLocalUs`. */
  constructor(
    readonly self: NodeId,
    primary: NodeId | -1,
    private readonly p: LeaseParams = LEASE_DEFAULTS,
    startLocalUs = 0,
  ) {
    checkLeaseParams(p);
    this.out = new Outbox(self);
    this.primary = primary;
    this.lastSeen = startLocalUs;
  }

  get watched(): NodeId | -1 {
    return this.primary;
  }

  /** The replica saw a renewal by `primary` (applied from the shard log) at local time `now`. */
  renewalSeen(primary: NodeId, now: number): void {
    if (primary !== this.primary) {
      this.primary = primary;
      this.failed = false;
    } else if (this.failed) {
      this.failed = false;
      this.out.event(FdEventKind.trust, primary, now);
    }
    if (now > this.lastSeen) this.lastSeen = now;
  }

  tick(now: number): void {
    if (this.primary === -1 || this.failed) return;
    if (now >= this.lastSeen + this.p.failAfterMult * this.p.leaseUs) {
      this.failed = true;
      this.out.event(FdEventKind.fail, this.primary, now);
    }
  }

  onMessage(): boolean {
    return false;
  }

  nextWakeUs(): number {
    return this.primary === -1 || this.failed ? Number.POSITIVE_INFINITY : this.lastSeen + this.p.failAfterMult * this.p.leaseUs;
  }

  suspects(target: NodeId): boolean {
    return this.failed && target === this.primary;
  }

  drainTo(sink: FdSink<never>): void {
    this.out.drainTo(sink);
  }

  drain(): FdOutput<never> {
    return this.out.drain();
  }
}
