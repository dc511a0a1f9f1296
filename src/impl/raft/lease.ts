// Lease-based reads (Raft dissertation §6.4.1), beside ReadIndex (§6.4).
//
// A leader in lease mode answers a read from its own state, without a heartbeat round, while it
// holds a lease. The lease rests on a promise that followers keep on their own clocks and that
// CheckQuorum's follower-side check implements (raft.ts, `inLease`): a follower that heard from
// the leader within electionMin ignores every (pre)vote request of a higher term, and its own
// election timer does not fire before electionMin either. So:
//
//   The leader sends a heartbeat round at its local time s (the round's seq is recorded here).
//   Each follower that acknowledges it received it at real time ≥ real(s), and grants no vote
//   for electionMin on its clock, i.e. for ≥ electionMin/(1+ρ) real time if every clock's rate
//   is within 1 ± ρ (ρ = maxDriftPpm/1e6). Once a quorum has acknowledged the round, no other
//   leader can be elected — a new leader needs a vote from that quorum — before
//   real(s) + electionMin/(1+ρ). The leader's clock measures an elapsed d in at most
//   d/(1−ρ) real time, so it may serve reads while
//        local now < s + electionMin·(1−ρ)/(1+ρ) − margin.
//   Within that window no other leader exists, hence nothing was committed that this leader
//   does not hold; once it has committed an entry of its own term (so its commit index covers
//   every entry committed by earlier leaders), its commit index is a valid read index — the
//   read is linearized at the instant of the check.
//
// What the promise needs beyond the vote check, and what this file adds for it:
//   - A follower must not lose its leader, or move to a higher term, through anything but a
//     newer leader's messages while the promise runs: in lease mode a follower in its lease
//     window also ignores higher-term *responses* (vote/append/heartbeat/snapshot replies — a reply to a
//     stale message it sent as an earlier leader), which would otherwise reset its term with no
//     leader and free its vote (`ignoresWhileFollowing`).
//   - A node that restarts has forgotten when it last heard from the leader: in lease mode it
//     refuses votes for electionMin after boot (`bootBlackout`), as if it had just heard one.
//   - Leadership transfer (TimeoutNow → a forced election that bypasses the vote check) ends
//     lease reads for the rest of the leader's term (`revoke`).
//   - Outside the lease (or before the term's first commit) reads fall back to ReadIndex; every
//     ReadIndex round doubles as a lease renewal, and a lease read past half its lease sends one.
//
// The bound ρ is an assumption about the clocks, not something a node can check: a clock that
// runs slower (on the leader) or faster (on a follower) than 1 ± ρ, or stops while the process
// is suspended, breaks it — and the simulator shows the stale read that follows
// (test/sim/cluster/lease.test.ts). Clock *jumps* (NTP stepping a wall clock) are outside any
// drift bound, so every time here — the rounds' send times, the lease's end, a follower's last
// contact with the leader, the boot blackout — is on the node's monotonic clock (RaftState.
// leaseNow: the host's CLOCK_MONOTONIC, which steps never move), not on the wall clock Raft's
// timers read. The planted bug lease-on-wall-clock times them on the wall clock instead.
import type { RaftOptions } from "./api.js";

/** Default drift bound: 1000 ppm (0.1%). Real quartz oscillators are within ±100 ppm; NTP's
 * maximum slew is 500 ppm; the simulator's clock-drift faults draw in ±1000 ppm. The price is
 * tiny — the lease is (1−ρ)/(1+ρ) ≈ 99.8% of electionMin — so we take the widest of these. */
export const DEFAULT_MAX_DRIFT_PPM = 1000;

import type { ReadMode } from "./api.js";

export type { ReadMode };

/** The safety margin subtracted from the lease: 1% of electionMin, at least 1 ms. It absorbs the
 * integer-µs rounding of both clocks (each reading floors; every drift change re-anchors) and
 * leaves room for a follower stepping a heartbeat a little after it arrived. */
export function leaseMarginUs(electionMinUs: number): number {
  return Math.max(1_000, Math.ceil(electionMinUs / 100));
}

/** The lease length on the leader's clock, µs: electionMin·(1−ρ)/(1+ρ) − margin (≥ 0). */
export function leaseDurationUs(electionMinUs: number, maxDriftPpm: number = DEFAULT_MAX_DRIFT_PPM): number {
  if (!(Number.isFinite(maxDriftPpm) && maxDriftPpm >= 0 && maxDriftPpm < 1e6)) {
    throw new Error(`raft invariant: maxDriftPpm must be in [0, 1e6): ${maxDriftPpm}`);
  }
  const rho = maxDriftPpm / 1e6;
  return Math.max(0, Math.floor((electionMinUs * (1 - rho)) / (1 + rho)) - leaseMarginUs(electionMinUs));
}

/** Lease mode needs CheckQuorum's follower-side lease check; turn it on. */
export function withReadMode<T extends { readonly readMode?: ReadMode; readonly checkQuorum: boolean }>(o: T): T {
  return o.readMode === "lease" && !o.checkQuorum ? { ...o, checkQuorum: true } : o;
}

/** Higher-term messages a follower inside its lease window must ignore (see the header). */
export function ignoresWhileFollowing(type: string): boolean {
  return type === "voteResp" || type === "appResp" || type === "hbResp" || type === "snapResp";
}

/** Bound on heartbeat rounds awaiting a quorum (older ones are forgotten: only renewals lost). */
const MAX_PENDING_ROUNDS = 32;

/** The leader's lease and the node's boot blackout; one per Raft instance in lease mode. */
export class ReadLease {
  readonly durationUs: number;
  private readonly electionMinUs: number;
  private readonly bootAt: number;
  // Stryker disable next-line UnaryOperator: the initial state is already what enterTerm() resets to (no lease, no rounds), so starting at term 1 instead of -1 changes nothing
  private term = -1;
  private validUntil = Number.NEGATIVE_INFINITY;
  private revokedTerm = -1;
  private lastRoundAt = Number.NEGATIVE_INFINITY;
  // Rounds sent in `term` and not yet confirmed, seq increasing.
  // Stryker disable next-line ArrayDeclaration: the first roundSent() enters a real term (>= 1, never the initial -1) and clears the array before reading it; confirmed() returns first while the term is -1
  private seqs: number[] = [];
  // Stryker disable next-line ArrayDeclaration: as for seqs: cleared by the first roundSent() before any read
  private sentAt: number[] = [];

  constructor(opts: RaftOptions, bootNow: number) {
    if (opts.readMode !== "lease") throw new Error("raft invariant: ReadLease outside lease mode");
    if (!opts.checkQuorum) throw new Error("raft invariant: lease reads need checkQuorum (the follower-side lease check)");
    this.electionMinUs = opts.electionMinUs;
    this.durationUs = leaseDurationUs(opts.electionMinUs, opts.maxDriftPpm ?? DEFAULT_MAX_DRIFT_PPM);
    this.bootAt = bootNow;
  }

  static create(opts: RaftOptions, bootNow: number): ReadLease | null {
    return opts.readMode === "lease" ? new ReadLease(opts, bootNow) : null;
  }

  /** Within electionMin of (re)starting: refuse votes, as if the leader had just been heard. */
  bootBlackout(now: number): boolean {
    return now - this.bootAt < this.electionMinUs;
  }

  private enterTerm(term: number): void {
    if (term === this.term) return;
    this.term = term;
    this.validUntil = Number.NEGATIVE_INFINITY;
    this.lastRoundAt = Number.NEGATIVE_INFINITY;
    this.seqs.length = 0;
    this.sentAt.length = 0;
  }

  /** A heartbeat round with sequence `seq` went out at local time `now`. */
  roundSent(term: number, seq: number, now: number): void {
    this.enterTerm(term);
    const n = this.seqs.length;
    // Stryker disable next-line ArithmeticOperator: every caller passes a fresh seq (++readSeq), so this early return never fires; seqs[n + 1] reads past the end (undefined), which never fires it either
    if (n > 0 && this.seqs[n - 1] === seq) return; // the earliest send of a seq is what counts
    // Stryker disable next-line ArithmeticOperator: seqs[n + 1] reads past the end (undefined), so the guard never fires — nor does the original, since seqs come from one incrementing counter
    if (n > 0 && this.seqs[n - 1] > seq) throw new Error("raft invariant: lease round seqs must increase");
    if (n >= MAX_PENDING_ROUNDS) {
      this.seqs.shift();
      this.sentAt.shift();
    }
    this.seqs.push(seq);
    this.sentAt.push(now);
    this.lastRoundAt = now;
  }

  /** A quorum (the leader included) has acknowledged every round with seq ≤ `seq`. */
  confirmed(term: number, seq: number): void {
    if (term !== this.term) return;
    let k = -1;
    while (k + 1 < this.seqs.length && this.seqs[k + 1] <= seq) k++;
    if (k < 0) return;
    const until = this.sentAt[k] + this.durationUs;
    if (until > this.validUntil) this.validUntil = until;
    this.seqs.splice(0, k + 1);
    this.sentAt.splice(0, k + 1);
  }

  /** The leader of `term` may answer a read locally at local time `now`. */
  valid(term: number, now: number): boolean {
    return term === this.term && term !== this.revokedTerm && now < this.validUntil;
  }

  /** How long the leader of `term` may still answer reads locally at local time `now`, µs (0:
   * not now). Tools only. */
  remainingUs(term: number, now: number): number {
    return this.valid(term, now) ? this.validUntil - now : 0;
  }

  /** Worth sending a renewal round now: past half the lease, and no round in the last tenth. */
  wantsRenewal(now: number): boolean {
    return this.validUntil - now < this.durationUs / 2 && now - this.lastRoundAt >= this.durationUs / 10;
  }

  /** No more lease reads in `term` (a leadership transfer began). */
  revoke(term: number): void {
    this.revokedTerm = term;
    this.validUntil = Number.NEGATIVE_INFINITY;
  }
}
