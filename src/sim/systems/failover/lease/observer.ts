// The lease design's online checks and measurements (FAILURE-DETECTION.md §e R2 for D4), fed
// by the nodes' notes, the world's crashes and, after every event, the nodes' own lease state
// read at that true instant (never by the nodes' verdicts about each other).
//
// Hard (CheckFailure):
//   P-L1  lease disjointness: at every event instant at most one node per shard holds a lease
//         (holder of its boot, before its lease deadline on its own lease clock);
//   P-FO4 single writer: per shard, the true-time intervals in which a node served (answered a
//         read or acknowledged a write) under one primaryship epoch never overlap another
//         node's;
//   P-FD3 no FAIL of a live holder in a calm run;
//   P-FD1 bounded completeness: a holder crashed in a calm window (nothing else happening, its
//         shard's other members up) is FAILed, or replaced, by every other member of its shard
//         within B_D = failAfterMult·L + election timeout;
//   P-FO6 bounded failover: and replaced by a new holder within B_F = failAfterMult·L +
//         election timeout + candidate delay + a grant round + one commit.
// Measured: detection and failover times, FAILs of live holders (outside calm runs), takeovers.
// The dual-writable window is 0 by construction: P-L1 stops the run at its first instant.
import type { LeaseNode } from "../../../../impl/failover/lease/node.js";
import { LN, shardOfNode, type LeaseTopology } from "../../../../impl/failover/lease/types.js";
import { CheckFailure, type AnyWorld } from "../../../runner/system.js";
import type { Disturbances } from "../disturbance.js";
import { ShardAvailability } from "../metrics.js";

const MS = 1_000;

export interface LeaseBounds {
  readonly detectUs: number;
  readonly failoverUs: number;
  /** Calm needed before a crash for the bounded checks (the lease state of the last 2L). */
  readonly lookbackUs: number;
  /** The clock-rate error (as ppm of any node's drift) up to which leases are disjoint: a holder
   * serves L on its clock, a member refuses for refuseMult·L on its own, so with rates within
   * 1 ± x the guard outlasts the lease while refuseMult(1 - x) >= 1 + x, x <= (m - 1)/(m + 1):
   * 1/3 at m = 2. P-L1 is hard only "given rho <= rho_max" (FAILURE-DETECTION.md §e R2). */
  readonly maxDriftPpm: number;
}

interface Crash {
  readonly q: number;
  readonly shard: number;
  readonly at: number;
  readonly epoch: number;
  readonly armed: boolean;
  /** Other members of the shard -> when they FAILed q or applied a new holder (NaN: not yet). */
  readonly seen: Map<number, number>;
  failedOverAt: number;
  fd1Checked: boolean;
  done: boolean;
}

interface Interval {
  epoch: number;
  first: number;
  last: number;
}

export class LeaseObserver {
  private w!: AnyWorld;
  private readonly down: Uint8Array;
  private readonly serving: (Interval | null)[];
  /** Per shard: the newest primaryship applied anywhere (epoch, holder). */
  private readonly shardEpoch: number[];
  private readonly shardHolder: number[];
  private readonly crashes: Crash[] = [];
  readonly tdUs: number[] = [];
  readonly failoverUs: number[] = [];
  falseFails = 0;
  holderCrashes = 0;
  takeovers = 0;
  /** Takeovers while the holder they replaced was up (a "false failover", as for Valkey). */
  takeoversOfLiveHolder = 0;
  serves = 0;
  /** Measurements only: a shard is available while one of its nodes is up and holds a lease
   * (metrics.ts ShardAvailability; unlike Valkey's, clients' reachability is not asked); sends
   * per server for messages per node per second. */
  readonly availability: ShardAvailability;
  readonly sends: Float64Array;
  /** The largest |drift| any node's clock had in the run (ppm), and the single-writer
   * violations seen once it passed maxDriftPpm (then a measurement, not a failed check). */
  driftSeenPpm = 0;
  beyondDriftBound: string | null = null;
  violationsBeyondDriftBound = 0;
  readonly checked = { fd1: 0, fo6: 0 };

  constructor(
    private readonly topo: LeaseTopology,
    private readonly b: LeaseBounds,
    private readonly dist: Disturbances,
  ) {
    const n = topo.servers;
    const shards = n / topo.size;
    this.down = new Uint8Array(n);
    this.serving = new Array<Interval | null>(n).fill(null);
    this.shardEpoch = new Array<number>(shards).fill(0);
    this.shardHolder = new Array<number>(shards).fill(-1);
    this.availability = new ShardAvailability(shards);
    this.sends = new Float64Array(n);
  }

  onSend(from: number): void {
    this.sends[from]++;
  }

  attach(w: AnyWorld): void {
    this.w = w;
  }

  /** The drift assumption holds so far (P-L1, P-FO4, P-FO5 are hard while it does). */
  get withinDriftBound(): boolean {
    return this.driftSeenPpm <= this.b.maxDriftPpm;
  }

  /** A single-writer violation: a failed check within the drift bound, else counted. */
  private unsafe(msg: string): void {
    if (this.withinDriftBound) this.fail(msg);
    this.violationsBeyondDriftBound++;
    this.beyondDriftBound ??= `${msg} (t=${(this.w.now / MS).toFixed(1)}ms, a clock drifted ${Math.round(this.driftSeenPpm)} ppm)`;
  }

  private fail(msg: string): never {
    throw new CheckFailure(`${msg} (t=${(this.w.now / MS).toFixed(1)}ms)`, this.w.now);
  }

  onNote(id: number, code: number, a: number, b: number): void {
    const now = this.w.now;
    switch (code) {
      case LN.shard:
        this.down[id] = 0;
        for (const c of this.crashes) if (c.q === id) c.done = true; // back: it may resume
        return;
      case LN.serve: return this.onServe(id, a, now);
      case LN.holder: {
        const s = shardOfNode(this.topo, id);
        if (b > this.shardEpoch[s]) {
          const old = this.shardHolder[s];
          if (old >= 0 && old !== a && this.down[old] === 0) this.takeoversOfLiveHolder++;
          this.shardEpoch[s] = b;
          this.shardHolder[s] = a;
          this.takeovers++;
        }
        for (const c of this.crashes) {
          if (c.shard !== s || b <= c.epoch) continue;
          if (c.seen.has(id) && c.seen.get(id) !== c.seen.get(id)) c.seen.set(id, now);
          if (c.failedOverAt !== c.failedOverAt) {
            c.failedOverAt = now;
            this.failoverUs.push(now - c.at);
          }
        }
        return;
      }
      case LN.fail: {
        if (b !== 1) return;
        if (this.down[a] === 0) {
          this.falseFails++;
          if (this.dist.calm) this.fail(`P-FD3: node ${id} FAILed holder ${a}, which is up, in a calm run`);
        }
        for (const c of this.crashes) {
          if (c.q !== a || !c.seen.has(id) || c.seen.get(id) === c.seen.get(id)) continue;
          c.seen.set(id, now);
          this.tdUs.push(now - c.at);
        }
        return;
      }
    }
  }

  private onServe(id: number, epoch: number, now: number): void {
    this.serves++;
    let iv = this.serving[id];
    if (iv === null || iv.epoch !== epoch) {
      iv = { epoch, first: now, last: now };
      this.serving[id] = iv;
    } else iv.last = now;
    const s = shardOfNode(this.topo, id);
    for (let j = s * this.topo.size; j < (s + 1) * this.topo.size; j++) {
      const o = this.serving[j];
      if (j === id || o === null) continue;
      if (o.last >= iv.first) {
        this.unsafe(`P-FO4: node ${id} serves shard ${s} (epoch ${epoch}, since ${(iv.first / MS).toFixed(1)}ms) while node ${j} served it at ${(o.last / MS).toFixed(1)}ms (epoch ${o.epoch})`);
      }
    }
  }

  onCrash(q: number): void {
    this.down[q] = 1;
    const now = this.w.now;
    const s = shardOfNode(this.topo, q);
    // Any crash ends the calm of the open windows of its shard.
    for (const c of this.crashes) if (c.shard === s && c.q !== q) c.done = true;
    if (this.shardHolder[s] !== q) return;
    this.holderCrashes++;
    let othersUp = true;
    const seen = new Map<number, number>();
    for (let j = s * this.topo.size; j < (s + 1) * this.topo.size; j++) {
      if (j === q) continue;
      if (this.down[j] === 1) othersUp = false;
      seen.set(j, NaN);
    }
    const armed = othersUp && !this.dist.any(now - this.b.lookbackUs, now + this.b.failoverUs);
    this.crashes.push({ q, shard: s, at: now, epoch: this.shardEpoch[s], armed, seen, failedOverAt: NaN, fd1Checked: false, done: false });
  }

  afterEvent(w: AnyWorld): void {
    const now = w.now;
    const size = this.topo.size;
    for (let i = 0; i < w.servers; i++) {
      const d = Math.abs(w.clocks[i].driftPpm);
      if (d > this.driftSeenPpm) this.driftSeenPpm = d;
    }
    for (let s = 0; s < this.shardEpoch.length; s++) {
      let first = -1;
      for (let j = s * size; j < (s + 1) * size; j++) {
        const n = w.nodes[j] as LeaseNode | null;
        if (n === null || !w.isUp(j) || !n.holdsLease(w.localNow(j))) continue;
        if (first < 0) first = j;
        else this.unsafe(`P-L1: nodes ${first} and ${j} both hold a lease on shard ${s}`);
      }
      this.availability.set(s, first >= 0, now);
    }
    for (const c of this.crashes) {
      if (c.done || !c.armed) continue;
      if (now >= c.at + this.b.detectUs && !c.fd1Checked) this.checkFd1(c);
      if (now >= c.at + this.b.failoverUs) {
        c.done = true;
        this.checked.fo6++;
        if (c.failedOverAt !== c.failedOverAt) this.fail(`P-FO6: holder ${c.q} of shard ${c.shard} crashed at ${(c.at / MS).toFixed(1)}ms and no new holder within ${this.b.failoverUs / MS}ms`);
      }
    }
  }

  private checkFd1(c: Crash): void {
    c.fd1Checked = true;
    this.checked.fd1++;
    for (const [j, t] of c.seen) {
      if (t !== t) this.fail(`P-FD1: node ${j} neither FAILed crashed holder ${c.q} nor applied a new holder within ${this.b.detectUs / MS}ms`);
    }
  }

  finish(now: number): void {
    // Crashes still open at the end are left unjudged (their windows did not elapse).
    this.availability.finish(now);
  }
}
