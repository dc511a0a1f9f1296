// The failover system's online checks and measurements, fed by the nodes' notes, the messages
// they send and the world's crashes (never by the nodes' own verdicts).
//
// Hard (CheckFailure):
//   P-FD1 bounded completeness: a crash in a calm window is suspected (PFAIL or FAIL) by every
//         correct observer within T + P + 2C (+ a delivery margin); and (gossip) a crashed
//         voting primary, the only node down, is FAIL at every observer within
//         T + 2P + 2C + RTT (§e R2's "FAIL everywhere" bound; here with 4C and 2 RTT);
//   P-FD3 no suspicion at all in a calm run (no faults);
//   P-FD4 justified FAIL: a node that originates a FAIL holds reports from a majority of voting
//         primaries (itself included if it is one), each younger than 2T on its own clock, as
//         this checker recorded them from its notes, each from a reporter that did send it a
//         gossip entry flagging the node PFAIL or FAIL (seen by this checker as sent);
//   P-FO1 one vote per voter and epoch, across restarts (every ACK sent is seen);
//   P-FO2 at most one winner per shard and epoch;
//   P-FO6 bounded failover: a voting primary crashed in a settled cluster, nothing else
//         happening, is replaced within T + 2P + 6C + 1000 + 1000 x rank + 2 RTT.
// Measured: detection times, false suspicions and FAILs, crash-to-failover times, the
// dual-writable window, epoch collisions.
import type { ValkeyNode } from "../../../impl/failover/valkey/node.js";
import { G_FAIL, G_PFAIL, VN, type ValkeyMsg } from "../../../impl/failover/valkey/types.js";
import { CheckFailure, type AnyWorld } from "../../runner/system.js";
import { NodeStatus } from "../../kernel/world.js";
import type { Disturbances } from "./disturbance.js";
import type { Shape } from "./options.js";
import { settled } from "./settled.js";
import { PairQos, ShardAvailability, Traffic } from "./metrics.js";

const MS = 1_000;
/** Delivery margin for one message (default net: 1 ms median, lognormal tail). */
const RTT_US = 25 * MS;
/** The FAIL-everywhere check needs the network calm from this long before the crash. */
const FAIL_LOOKBACK_US = 500 * MS;

interface Crash {
  readonly q: number;
  readonly at: number;
  /** Observers up at the crash that did not suspect q yet -> first suspicion time (NaN). */
  readonly first: Map<number, number>;
  /** P-FD1 armed (calm window), checked at `deadline`. */
  fd1: boolean;
  readonly deadline: number;
  /** P-FD1 for FAIL (gossip only): armed, and its deadline. */
  fail1: boolean;
  readonly failDeadline: number;
  /** Observers up at the crash that must hold q FAIL by failDeadline. */
  readonly failWait: number[];
  /** Shard of q if it was a voting primary, else -1. */
  readonly shard: number;
  /** The P-FD1 bound this crash is checked against (µs). */
  readonly bound: number;
  /** Crash-to-failover sample taken. */
  failedOver: boolean;
  /** P-FO6 armed: base deadline for a rank-0 winner, and the last deadline (max rank). */
  fo6: boolean;
  readonly foBase: number;
  readonly foLast: number;
  down: boolean;
}

export interface Timing {
  readonly T: number;
  readonly P: number;
  readonly C: number;
  readonly electionFixedUs: number;
  readonly electionRandomUs: number;
  readonly electionRankUs: number;
  /** A hosted detector's B_D (its spec's bound), in place of the bus's T + P; absent: gossip. */
  readonly detectUs?: number;
  /** How far before a crash the network must have been calm for the bounded checks to be
   * armed (default T: the bus forgets a disturbance after T; a detector may remember longer). */
  readonly lookbackUs?: number;
  /** A hosted detector's warm-up (Hosted.warmupUs): a crash within it of an observer's start
   * is checked against start + warm-up + B_D instead of crash + B_D. */
  readonly warmupUs?: number;
  /** A hosted detector's B_D once the observer or the target has restarted (Hosted.restartBoundUs). */
  readonly restartDetectUs?: number;
}

export { percentile } from "./metrics.js";

export class FailoverObserver {
  private w!: AnyWorld;
  private readonly n: number;
  /** susp[p * n + q]: p suspects q (PFAIL or FAIL), from its notes. */
  private readonly susp: Uint8Array;
  /** True µs each node's current incarnation started (0: the run's start). */
  private readonly startedAt: Float64Array;
  /** failFlag[p * n + q]: p holds q FAIL, from its notes. */
  private readonly failFlag: Uint8Array;
  /** flagged[p][q][r] = 1: r has sent p a gossip entry flagging q PFAIL or FAIL (ever). */
  private readonly flagged: Uint8Array;
  /** Shadow failure reports: [p][q][r] -> p's local µs of the last report (NaN: none). */
  private readonly reports: Float64Array;
  private readonly down: Uint8Array;
  /** Nodes marked down (so that afterEvent scans for restarts only while there are some). */
  private downCount = 0;
  private readonly votes = new Map<string, number>();
  private readonly winners = new Map<string, number>();
  private readonly crashes: Crash[] = [];
  private readonly writableShard: Int32Array;
  private readonly writableCount: Int32Array;
  private readonly dualSince: Float64Array;
  /** The node that last became writable for each shard. */
  private readonly shardPrimary: Int32Array;
  /** Wins while the shard's previous primary was up (P-FO7: a metric outside calm runs). */
  failoversOfLivePrimary = 0;
  dualWritableUs = 0;
  readonly tdUs: number[] = [];
  readonly failoverUs: number[] = [];
  falseSuspicions = 0;
  falseFails = 0;
  epochCollisions = 0;
  elections = 0;
  wins = 0;
  primaryCrashes = 0;
  readonly fd1Checked = { crashes: 0, observers: 0 };
  /** Crashes the FAIL-everywhere check ran to its deadline for. */
  failChecked = 0;
  fo6Checked = 0;
  /** Measurements only (metrics.ts): QoS per pair, unavailability per shard, traffic. */
  readonly qos: PairQos;
  readonly availability: ShardAvailability;
  readonly traffic: Traffic;

  constructor(
    private readonly shape: Shape,
    private readonly t: Timing,
    private readonly dist: Disturbances,
  ) {
    const n = shape.topo.servers;
    this.n = n;
    this.susp = new Uint8Array(n * n);
    this.startedAt = new Float64Array(n);
    this.failFlag = new Uint8Array(n * n);
    this.reports = new Float64Array(n * n * n).fill(NaN);
    this.flagged = new Uint8Array(n * n * n);
    this.down = new Uint8Array(n);
    this.writableShard = new Int32Array(n).fill(-1);
    this.writableCount = new Int32Array(shape.shards);
    this.dualSince = new Float64Array(shape.shards).fill(NaN);
    this.shardPrimary = new Int32Array(shape.shards).fill(-1);
    this.qos = new PairQos(n);
    this.availability = new ShardAvailability(shape.shards);
    this.traffic = new Traffic(n);
  }

  attach(w: AnyWorld): void {
    this.w = w;
  }

  private node(i: number): ValkeyNode | null {
    return this.w.nodes[i] as ValkeyNode | null;
  }

  private fail(msg: string): never {
    throw new CheckFailure(`${msg} (t=${(this.w.now / MS).toFixed(1)}ms)`, this.w.now);
  }

  get fd1BoundUs(): number {
    return (this.t.detectUs ?? this.t.T + this.t.P) + 2 * this.t.C + RTT_US;
  }

  /** FAIL at every observer (gossip): T + 2P + 4C + 2 RTT. */
  get failBoundUs(): number {
    return this.t.T + 2 * this.t.P + 4 * this.t.C + 2 * RTT_US;
  }

  foBoundUs(rank: number): number {
    const t = this.t;
    return (t.detectUs ?? t.T + t.P) + t.P + 6 * t.C + t.electionFixedUs + t.electionRandomUs + rank * t.electionRankUs + 2 * RTT_US;
  }

  // ---- inputs ----

  onNote(p: number, code: number, a: number, b: number): void {
    const now = this.w.now;
    switch (code) {
      case VN.pfail:
      case VN.fail:
        this.onSuspicion(p, a, code, b, now);
        break;
      case VN.report: {
        const node = this.node(p);
        if (node !== null && node.view.isVotingPrimary(b)) this.reports[(p * this.n + a) * this.n + b] = this.w.localNow(p);
        break;
      }
      case VN.reportDel:
        this.reports[(p * this.n + a) * this.n + b] = NaN;
        break;
      case VN.election:
        this.elections++;
        break;
      case VN.win:
        this.onWin(p, a, b, now);
        break;
      case VN.writable:
        this.onWritable(p, b === 1 ? a : -1, now);
        break;
      case VN.collision:
        this.epochCollisions++;
        break;
    }
  }

  private onSuspicion(p: number, q: number, code: number, b: number, now: number): void {
    const k = p * this.n + q;
    const on = b !== 0;
    if (code === VN.fail && b === 1) this.justifiedFail(p, q);
    if (code === VN.fail && on && this.down[q] === 0) this.falseFails += b === 1 ? 1 : 0;
    if (code === VN.fail) this.failFlag[k] = on ? 1 : 0;
    const was = this.susp[k];
    // FAIL replaces PFAIL (a PFAIL-cleared note does not follow): a clear of either clears.
    this.susp[k] = on ? 1 : 0;
    // Excusable (spec §b.3): q paused or its link to p cut when p began to suspect it.
    this.qos.suspect(p, q, on, now, on && (this.w.status[q] === NodeStatus.paused || this.w.net.isCut(q, p)));
    if (!on || was !== 0) return;
    if (this.down[q] === 0) {
      this.falseSuspicions++;
      if (this.dist.calm) this.fail(`P-FD3: node ${p} suspects node ${q} (${code === VN.pfail ? "PFAIL" : "FAIL"}) in a calm run`);
      return;
    }
    for (const c of this.crashes) {
      if (c.q !== q || !c.down) continue;
      const f = c.first.get(p);
      if (f !== undefined && f !== f) {
        c.first.set(p, now);
        this.tdUs.push(now - c.at);
      }
    }
  }

  /** P-FD4 at p's FAIL of q: reports from a majority of voting primaries, younger than 2T. */
  private justifiedFail(p: number, q: number): void {
    const node = this.node(p);
    if (node === null) return;
    const local = this.w.localNow(p);
    const ttl = node.opts.failReportValidityMult * node.T;
    let count = 0;
    const base = (p * this.n + q) * this.n;
    for (let r = 0; r < this.n; r++) {
      const t = this.reports[base + r];
      // A report counts only if its reporter ever told p that q was PFAIL or FAIL (a gossip
      // entry with the flag, seen as sent): a report is the flag, not any word about q.
      if (t === t && local - t <= ttl && this.flagged[base + r] !== 0) count++;
    }
    if (node.view.isVotingPrimary(p)) count++;
    const quorum = node.view.quorum();
    if (count < quorum) this.fail(`P-FD4: node ${p} marked node ${q} FAIL with ${count} fresh voting-primary report(s), quorum ${quorum}`);
  }

  private onWin(p: number, epoch: number, rank: number, now: number): void {
    this.wins++;
    const node = this.node(p)!;
    const slot = node.firstSlot(p);
    const shard = slot < 0 ? -1 : this.shape.shardOfSlot[slot];
    const key = `${shard}/${epoch}`;
    const had = this.winners.get(key);
    if (had !== undefined && had !== p) this.fail(`P-FO2: two winners for shard ${shard} in epoch ${epoch}: nodes ${had} and ${p}`);
    this.winners.set(key, p);
    const old = shard >= 0 ? this.shardPrimary[shard] : -1;
    if (old >= 0 && old !== p && this.down[old] === 0) this.failoversOfLivePrimary++;
    for (const c of this.crashes) {
      if (c.shard !== shard || c.failedOver) continue;
      c.failedOver = true;
      this.failoverUs.push(now - c.at);
      if (c.fo6) this.fo6Checked++;
      if (c.fo6 && now > c.at + this.foBoundUs(rank)) {
        this.fail(`P-FO6: shard ${shard} failed over ${((now - c.at) / MS).toFixed(0)}ms after node ${c.q} crashed; bound ${(this.foBoundUs(rank) / MS).toFixed(0)}ms at rank ${rank}`);
      }
      c.fo6 = false;
    }
  }

  private onWritable(p: number, slot: number, now: number): void {
    const old = this.writableShard[p];
    const shard = slot < 0 ? -1 : this.shape.shardOfSlot[slot];
    if (old === shard) return;
    if (old >= 0) this.bumpWritable(old, -1, now);
    this.writableShard[p] = shard;
    if (shard >= 0) {
      this.bumpWritable(shard, 1, now);
      this.shardPrimary[shard] = p;
    }
  }

  private bumpWritable(shard: number, d: number, now: number): void {
    const c = (this.writableCount[shard] += d);
    const since = this.dualSince[shard];
    if (c >= 2 && since !== since) this.dualSince[shard] = now;
    else if (c < 2 && since === since) {
      this.dualWritableUs += now - since;
      this.dualSince[shard] = NaN;
    }
  }

  onSend(from: number, to: number, msg: ValkeyMsg): void {
    this.traffic.onSend(from, msg);
    if (msg.type === "ping" || msg.type === "pong") {
      for (const e of msg.gossip) if ((e.flags & (G_PFAIL | G_FAIL)) !== 0) this.flagged[(to * this.n + e.node) * this.n + from] = 1;
      return;
    }
    if (msg.type !== "authAck") return;
    const key = `${from}/${msg.hdr.currentEpoch}`;
    const had = this.votes.get(key);
    if (had !== undefined && had !== to) this.fail(`P-FO1: node ${from} voted twice in epoch ${msg.hdr.currentEpoch}: for nodes ${had} and ${to}`);
    this.votes.set(key, to);
  }

  onCrash(q: number): void {
    const w = this.w;
    const now = w.now;
    const node = this.node(q);
    this.onWritable(q, -1, now);
    for (let i = 0; i < this.n; i++) this.susp[q * this.n + i] = 0;
    this.qos.down(q, now);
    this.failFlag.fill(0, q * this.n, (q + 1) * this.n);
    let othersDown = false;
    for (let i = 0; i < this.n; i++) if (i !== q && this.down[i] !== 0) othersDown = true;
    this.reports.fill(NaN, q * this.n * this.n, (q + 1) * this.n * this.n);
    // Any other crash ends the calm of every open failover window.
    for (const c of this.crashes) {
      c.fo6 = false;
      c.fail1 = false;
    }
    const first = new Map<number, number>();
    for (let p = 0; p < this.n; p++) if (p !== q && this.down[p] === 0 && this.susp[p * this.n + q] === 0) first.set(p, NaN);
    // An observer that started (or restarted) less than the detector's warm-up ago may be late
    // by the rest of it (hosted.ts, warmupUs); the deadline moves by what is left of the latest.
    let from = now;
    const warm = this.t.warmupUs ?? 0;
    let restarted = this.startedAt[q] > 0;
    for (const p of first.keys()) {
      if (this.startedAt[p] > 0) restarted = true;
      if (warm > 0 && this.startedAt[p] + warm > from) from = this.startedAt[p] + warm;
    }
    const bound = restarted && this.t.restartDetectUs !== undefined ? this.t.restartDetectUs + 2 * this.t.C + RTT_US : this.fd1BoundUs;
    const deadline = from + bound;
    const fd1 = !this.dist.any(now - (this.t.lookbackUs ?? this.t.T), deadline);
    let shard = -1;
    if (node !== null && node.view.isVotingPrimary(q)) {
      shard = this.shape.shardOfSlot[node.firstSlot(q)];
      this.primaryCrashes++;
    }
    // Detection later than B_D (warm-up, restart bound) delays the failover as much.
    const late = deadline - (now + this.fd1BoundUs);
    const foBase = now + late + this.foBoundUs(0);
    const foLast = now + late + this.foBoundUs(this.shape.replicas - 1);
    const why = shard >= 0 ? settled(w, this.shape, q) : "no shard";
    const fo6 = shard >= 0 && this.shape.replicas > 0 && why === null && !this.dist.any(now - (this.t.lookbackUs ?? this.t.T), foLast);
    if (this.down[q] === 0) this.downCount++;
    this.down[q] = 1;
    const failDeadline = now + this.failBoundUs;
    // Armed for a crash in a settled cluster (views agree, nobody suspected: a disturbance
    // before it has left nothing behind) with no disturbance from shortly before it to the
    // deadline, and no clock step whose size reaches into that window (a node's monotonic time
    // stands still for the size of a step back).
    const fail1 = this.t.detectUs === undefined && shard >= 0 && !othersDown && why === null &&
      !this.dist.any(now - FAIL_LOOKBACK_US, failDeadline) && !this.dist.clockStep(now - FAIL_LOOKBACK_US, failDeadline);
    const failWait: number[] = [];
    for (let p = 0; p < this.n; p++) if (p !== q && this.down[p] === 0) failWait.push(p);
    this.crashes.push({ q, at: now, first, fd1, deadline, bound, fail1, failDeadline, failWait, shard, failedOver: false, fo6, foBase, foLast, down: true });
  }

  /** After every event: restarts, and the deadlines of P-FD1 and P-FO6. */
  afterEvent(w: AnyWorld): void {
    const now = w.now;
    // Hot (every event): the O(N) scan for restarts only while some node is down.
    for (let i = 0; this.downCount > 0 && i < this.n; i++) {
      if (this.down[i] === 0 || w.nodes[i] === null) continue;
      this.down[i] = 0; // restarted
      this.downCount--;
      this.startedAt[i] = now;
      this.qos.restart(i, now);
      for (const c of this.crashes) {
        if (c.q === i) c.down = false;
        c.first.delete(i);
        c.fo6 = false;
        c.fail1 = false;
      }
    }
    for (let k = 0; k < this.crashes.length; k++) {
      const c = this.crashes[k];
      if (c.fd1 && now >= c.deadline) {
        c.fd1 = false;
        if (c.down) {
          this.fd1Checked.crashes++;
          for (const [p, f] of c.first) {
            if (this.down[p] !== 0) continue;
            this.fd1Checked.observers++;
            if (f !== f && this.susp[p * this.n + c.q] === 0)
              this.fail(`P-FD1: node ${p} does not suspect node ${c.q}, crashed ${((now - c.at) / MS).toFixed(0)}ms ago (bound ${(c.bound / MS).toFixed(0)}ms${c.deadline - c.bound > c.at ? `, from ${((c.deadline - c.bound) / MS).toFixed(0)}ms: an observer's warm-up` : ""})`);
          }
        }
      }
      if (c.fail1 && now >= c.failDeadline) {
        c.fail1 = false;
        if (c.down) {
          this.failChecked++;
          for (const p of c.failWait) {
            if (this.down[p] === 0 && this.failFlag[p * this.n + c.q] === 0)
              this.fail(`P-FD1: node ${p} does not hold node ${c.q} FAIL, a voting primary crashed ${((now - c.at) / MS).toFixed(0)}ms ago (bound ${(this.failBoundUs / MS).toFixed(0)}ms)`);
          }
        }
      }
      if (c.fo6 && now >= c.foLast) {
        c.fo6 = false;
        this.fo6Checked++;
        if (!c.failedOver) this.fail(`P-FO6: shard ${c.shard} not failed over ${((now - c.at) / MS).toFixed(0)}ms after its primary ${c.q} crashed (bound ${(this.foBoundUs(this.shape.replicas - 1) / MS).toFixed(0)}ms)`);
      }
    }
    this.measureAvailability(w, now);
    while (this.crashes.length > 0 && !this.crashes[0].fd1 && !this.crashes[0].fo6 && !this.crashes[0].fail1 && !this.crashes[0].down) this.crashes.shift();
  }

  /** Each shard's availability now (metrics.ts ShardAvailability says what counts). */
  private measureAvailability(w: AnyWorld, now: number): void {
    const shards = this.shape.shards;
    const net = w.net;
    const anyCut = net.anyCut;
    const E = net.endpoints;
    for (let s = 0; s < shards; s++) {
      // Hot (every event): no writable node, or (no cut anywhere) the shard's last writable
      // primary up and still writable, decide without the O(N) scan.
      if (this.writableCount[s] === 0) {
        this.availability.set(s, false, now);
        continue;
      }
      const sp = this.shardPrimary[s];
      if (!anyCut && sp >= 0 && this.writableShard[sp] === s && w.status[sp] === 0) {
        this.availability.set(s, true, now);
        continue;
      }
      let ok = false;
      for (let i = 0; i < this.n && !ok; i++) {
        if (this.writableShard[i] !== s || w.status[i] !== 0) continue;
        if (!anyCut) ok = true;
        else for (let c = this.n; c < E && !ok; c++) if (!net.isCut(c, i) && !net.isCut(i, c)) ok = true;
      }
      this.availability.set(s, ok, now);
    }
  }

  /** Close the dual-writable intervals at the end of the run. */
  finish(now: number): void {
    this.qos.finish(now);
    this.availability.finish(now);
    for (let s = 0; s < this.dualSince.length; s++) {
      const since = this.dualSince[s];
      if (since === since) {
        this.dualWritableUs += now - since;
        this.dualSince[s] = now;
      }
    }
  }
}
