// A shard node of the lease design (FAILURE-DETECTION.md §a2 and §e D4, variant V2): the
// shard's primaryship lives in the shard log (shard-log.ts: Raft + the metadata store over the
// shard's own nodes) as a `primaryship` key written by revisioned CAS. Revisions are the
// store's: the Raft index of the entry that last wrote the key (unique and increasing, as a
// committed index is; the term adds nothing once an entry is committed). A holder's epoch is the
// revision of its takeover entry.
//
// - The holder renews by CAS(primaryship, its last applied revision, holder.nonce.seq) every
//   renewUs; it serves reads and acknowledges writes only until (the successful renewal's *send*
//   time) + L on its monotonic clock. It also heartbeats its shard (the RFC's module heartbeat).
// - A replica FAILs the holder failAfterMult·L (2L) after its last heartbeat, waits a random
//   delay and asks the shard's members for grants; with a majority it proposes the takeover
//   CAS (expected revision: the newest a granter applied); whoever's CAS commits first is the new
//   holder. A node that finds its own earlier boot named holder takes over the same way.
// - Every member refuses a grant for refuseMult·L (2L) after it last applied a primaryship entry
//   (and while its log holds entries it has not applied: it may have acknowledged a renewal it
//   does not know is committed; and for 2L after a restart: it forgot what it acknowledged). Any
//   grant majority meets the majority that acknowledged the old holder's last renewal, so the new
//   holder's first write comes after the old lease ended (drift below (m-1)/(m+1), see
//   detectors/lease.ts). A candidate's own FAIL timer is not enough: it may have missed the
//   heartbeats (FAILURE-DETECTION.md §a2).
// - Writes are WAIT-style: the primary acknowledges an APPEND once a majority of the shard
//   (itself included) has it durably (fsynced) in its data epoch; reads return the state at that
//   majority point, and a new holder serves nothing until its inherited data is on a majority.
//   The winner first pulls the data of its most up-to-date granter (largest data epoch, then
//   offset: Raft's up-to-date order), which holds every acknowledged write (any grant majority
//   meets the write's majority), so no acknowledged write is lost.
//
// Pure: effects through the NodeEnv, randomness from env.rng, time from the readings handed in
// and the monotonic clock reader the host supplies.
import type { NodeId, Recovered, SimNode } from "../../node.js";
import type { KvRep, KvReq } from "../valkey/types.js";
import { keySlot } from "../valkey/types.js";
import { ReplicatedKv } from "../valkey/kv.js";
import type { DataRecord } from "../valkey/types.js";
import { ShardLog } from "./shard-log.js";
import {
  LN, PRIMARYSHIP_KEY, membersOf, parseHolder, shardOfNode,
  type DataMsg, type LeaseMsg, type LeaseOptions, type LeaseRecord, type LeaseTopology,
} from "./types.js";
import type { NodeEnv } from "../../node.js";

export type LeaseEnv = NodeEnv<LeaseMsg, LeaseRecord, KvRep>;

/** Reads the node's monotonic clock (local µs, never stepped by clock jumps). */
export type MonoClock = () => number;

const RESYNC_US = 200_000;

export class LeaseNode implements SimNode<LeaseMsg, KvReq> {
  readonly shard: number;
  readonly members: readonly number[];
  readonly log: ShardLog;
  kv: ReplicatedKv;
  /** The primaryship epoch the data set belongs to (Raft's last log term, for the data). */
  dataEpoch = 0;
  /** Offset known durable on this node's disk. */
  durableOffset = 0;
  /** The primaryship as applied here: holder (-1 none), its boot nonce, epoch, revision. */
  holder = -1;
  holderNonce = 0;
  holderEpoch = 0;
  lastRev = 0;
  /** Clock (monotonic, or wall with bug #5) of the last applied primaryship change. */
  lastAck = Number.NEGATIVE_INFINITY;
  readonly nonce: number;
  private readonly bootClk: number;
  private readonly restarted: boolean;
  /** Lease: send time of the latest successful renewal (clock). */
  leaseFrom = Number.NEGATIVE_INFINITY;
  private readonly pendingRenew = new Map<number, number>();
  private renewSeq = 0;
  private lastRenewSent = Number.NEGATIVE_INFINITY;
  /** FAIL of the holder (replica side). */
  failed = false;
  /** Candidacy: round, phase (0 idle, 1 waiting out its jitter, 2 asking, 3 proposed). */
  round = 0;
  phase = 0;
  private phaseAt = 0;
  private grants = new Set<number>();
  private grantRev = 0;
  /** The most up-to-date granter of this round (its data epoch and offset). */
  private best = -1;
  private bestEpoch = 0;
  private bestOffset = 0;
  /** A new holder pulls the data of that granter before it serves (-1: its own is the best). */
  pullFrom = -1;
  private pullRound = 0;
  private lastPull = Number.NEGATIVE_INFINITY;
  private pullSince = 0;
  /** Clock of the holder's last heartbeat (or of its takeover). */
  private lastHb = Number.NEGATIVE_INFINITY;
  private lastHbSent = Number.NEGATIVE_INFINITY;
  /** Primary side of replication: durable offsets acknowledged per member, the majority point. */
  private readonly match = new Map<number, number>();
  commitOffset = 0;
  /** The data this node held when it took over (reads wait until it is committed). */
  private readyOffset = 0;
  private readonly waiting: { offset: number; client: number; id: number }[] = [];
  /** The holder's own writes above the majority point, by offset; and the values at that point
   * (built by appending, so they share their strings with the data set's). */
  private readonly recent = new Map<number, { key: string; token: string }>();
  private committed = new Map<string, string>();
  /** Replica side. */
  private needSync = true;
  private lastPsync = Number.NEGATIVE_INFINITY;
  private readonly persistAcks: { token: number; offset: number; epoch: number; to: number }[] = [];
  /** Per client, the last APPEND request id answered or applied here (a copy is ignored). */
  private readonly appended = new Map<number, number>();
  /** Routing hints: shard -> the node that last announced itself its primary. */
  readonly hint: number[];
  private lastAnnounce = Number.NEGATIVE_INFINITY;
  private nextTick: number;
  private notedPrimary = -1;
  private notedFail = false;

  constructor(
    readonly env: LeaseEnv,
    readonly topo: LeaseTopology,
    readonly opts: LeaseOptions,
    recovered: Recovered<LeaseRecord> | null,
    now: number,
    private readonly mono: MonoClock,
  ) {
    this.shard = shardOfNode(topo, env.id);
    this.members = membersOf(topo, this.shard);
    // The shard log runs on the monotonic clock, as a Raft module would (its deadlines then
    // never wait out a backward step of the wall clock).
    this.log = new ShardLog(env as never, this.members, opts, recovered, mono());
    const data: DataRecord[] = [];
    if (recovered !== null) {
      for (let i = 0; i < recovered.corruptFrom; i++) {
        const r = recovered.records[i];
        if (!("t" in r)) continue; // the shard log's
        if (r.t === "w" || r.t === "snap") data.push(r);
        else if (r.t === "epoch") this.dataEpoch = r.epoch;
      }
    }
    this.kv = ReplicatedKv.recover(data);
    this.durableOffset = this.kv.offset;
    this.nonce = env.rng.int(1, 999_999_999);
    this.restarted = recovered !== null;
    this.bootClk = this.clk(now);
    this.nextTick = this.mono();
    this.hint = [];
    const shards = topo.servers / topo.size;
    for (let s = 0; s < shards; s++) this.hint.push(s * topo.size);
    env.note(LN.shard, this.shard, 0);
    this.after(now);
  }

  get id(): NodeId {
    return this.env.id;
  }

  /** The clock every lease deadline is on: monotonic; the wall reading with bug #5. */
  clk(wall: number): number {
    return this.opts.bugs.wallClockLease === true ? wall : this.mono();
  }

  private get L(): number {
    return this.opts.leaseUs;
  }

  private get majority(): number {
    return Math.floor(this.members.length / 2) + 1;
  }

  /** This node is the holder of its boot (not a record left by an earlier boot). */
  get isHolder(): boolean {
    return this.holder === this.id && this.holderNonce === this.nonce;
  }

  /** A replica following the holder's data stream (no full sync pending, no gap). */
  get synced(): boolean {
    return !this.needSync && this.kv.stashed === 0;
  }

  /** Whether this node may serve now (holder with an unexpired lease), read-only. */
  holdsLease(wall: number): boolean {
    return this.isHolder && this.clk(wall) < this.leaseFrom + this.L;
  }

  // ---- inputs ----

  onTick(now: number): void {
    this.log.onTick(this.mono());
    const t = this.mono();
    if (t >= this.nextTick) {
      this.nextTick = t + this.opts.tickUs;
      this.housekeeping(now, t);
    }
    this.after(now);
  }

  onMessage(from: NodeId, msg: LeaseMsg, now: number): void {
    switch (msg.type) {
      case "grp": this.log.onMessage(from, msg.m, this.mono()); break;
      case "hb":
        if (from === this.holder && !this.isHolder) {
          this.lastHb = this.clk(now);
          this.failed = false;
        }
        break;
      case "grantReq": this.onGrantReq(from, msg.round, now); break;
      case "grant": if (msg.ok) this.onGrant(from, msg.round, msg.rev, msg.epoch, msg.offset, now); break;
      case "announce": if (msg.shard !== this.shard) this.hint[msg.shard] = msg.node; break;
      default: this.onData(from, msg, now);
    }
    this.after(now);
  }

  onClient(client: number, req: KvReq, now: number): void {
    const slot = keySlot(req.key, this.topo.slots);
    const s = this.topo.shardOfSlot[slot];
    if (req.type === "append" && (this.appended.get(client) ?? -1) >= req.id) {
      // A copy of an APPEND this node already answered or applied (the network duplicates
      // requests, and a duplicated MOVED makes the client send one twice): nothing. Applying it
      // after a "moved" or "down" would make a write its client was told did not happen.
    } else if (s !== this.shard) {
      this.env.reply(client, { type: "moved", id: req.id, slot, node: this.hint[s] });
    } else if (this.holder >= 0 && this.holder !== this.id) {
      this.env.reply(client, { type: "moved", id: req.id, slot, node: this.holder });
    } else if (!this.holdsLease(now) || this.pullFrom >= 0) {
      this.env.reply(client, { type: "down", id: req.id });
    } else if (req.type === "get") {
      if (this.commitOffset < this.readyOffset) this.env.reply(client, { type: "down", id: req.id });
      else {
        const v = this.committed.get(req.key) ?? "";
        this.env.note(LN.serve, this.holderEpoch, 0);
        this.env.reply(client, { type: "ok", id: req.id, value: v });
      }
    } else {
      const rec = this.kv.apply(req.key, req.token);
      this.recent.set(rec.offset, { key: req.key, token: req.token });
      const tok = this.env.persist([rec], true);
      this.persistAcks.push({ token: tok, offset: rec.offset, epoch: this.dataEpoch, to: -1 });
      this.waiting.push({ offset: rec.offset, client, id: req.id });
      const m: DataMsg = { type: "repl", epoch: this.dataEpoch, from: rec.offset - 1, key: req.key, token: req.token };
      for (const j of this.members) if (j !== this.id) this.env.send(j, m);
    }
    if (req.type === "append" && req.id > (this.appended.get(client) ?? -1)) this.appended.set(client, req.id);
    this.after(now);
  }

  onPersisted(token: number, now: number): void {
    this.log.onPersisted(token, this.mono());
    while (this.persistAcks.length > 0 && this.persistAcks[0].token <= token) {
      const a = this.persistAcks.shift()!;
      if (a.epoch !== this.dataEpoch) continue;
      if (a.offset > this.durableOffset) this.durableOffset = a.offset;
      if (a.to >= 0) this.env.send(a.to, { type: "replAck", epoch: a.epoch, offset: a.offset });
    }
    if (this.isHolder) this.advanceCommit(now);
    this.after(now);
  }

  // ---- the primaryship, as applied from the shard log ----

  /** After every input: what the log applied, the role, the wake-up. */
  private after(now: number): void {
    const t = this.clk(now);
    const e = this.log.read(PRIMARYSHIP_KEY);
    if (e !== null && e.revision !== this.lastRev) this.applied(e.value, e.revision, now, t);
    const primary = this.holdsLease(now) ? 1 : 0;
    if (primary !== this.notedPrimary) {
      this.notedPrimary = primary;
      this.env.note(LN.primary, primary, this.holderEpoch);
      if (primary === 1) this.announce(this.mono());
    }
    if (this.failed !== this.notedFail) {
      this.notedFail = this.failed;
      this.env.note(LN.fail, this.holder, this.failed ? 1 : 0);
    }
    // Wake-ups: the housekeeping tick (on the lease clock, mapped to the wall clock now) and the
    // shard log's own.
    const m = this.mono();
    let wake = now + Math.max(0, this.nextTick - m);
    if (this.log.wake === this.log.wake) wake = Math.min(wake, now + Math.max(0, this.log.wake - m));
    this.env.wakeAt(wake);
  }

  private applied(value: string, rev: number, now: number, t: number): void {
    const p = parseHolder(value);
    const changed = p.holder !== this.holder || p.nonce !== this.holderNonce;
    const wasHolder = this.isHolder;
    this.lastRev = rev;
    this.lastAck = t;
    if (changed) {
      // A new holder: its heartbeats are awaited afresh, this candidacy is over.
      this.lastHb = t;
      this.failed = false;
      this.holder = p.holder;
      this.holderNonce = p.nonce;
      this.holderEpoch = rev;
      this.env.note(LN.holder, p.holder, rev);
      this.phase = 0;
      if (wasHolder) this.stepDown();
      if (this.isHolder) this.takeOver(now);
      else if (p.holder !== this.id) {
        this.pullFrom = -1;
        this.needSync = true;
        this.lastPsync = Number.NEGATIVE_INFINITY;
      }
    }
    if (p.holder === this.id && p.nonce === this.nonce) {
      const sent = this.pendingRenew.get(p.seq);
      if (sent !== undefined) {
        const from = this.opts.bugs.leaseFromReceive === true ? t : sent;
        if (from > this.leaseFrom) this.leaseFrom = from;
        this.env.note(LN.renewed, p.seq, 0);
      }
      for (const k of [...this.pendingRenew.keys()]) if (k <= p.seq) this.pendingRenew.delete(k);
    }
  }

  private takeOver(now: number): void {
    if (this.pullFrom >= 0) {
      // First the most up-to-date granter's data (it holds every acknowledged write).
      this.pullRound++;
      this.pullSince = this.mono();
      this.lastPull = this.pullSince;
      this.env.send(this.pullFrom, { type: "pull", round: this.pullRound });
      return;
    }
    // Reads wait until a majority holds the inherited data in this epoch (Raft's "commit an
    // entry of your term first"): before that, the majority point of this epoch says nothing.
    this.readyOffset = this.kv.offset;
    this.committed = new Map(this.kv.data);
    this.recent.clear();
    this.dataEpoch = this.holderEpoch;
    this.env.persist([{ t: "epoch", epoch: this.dataEpoch }], true);
    this.match.clear();
    this.commitOffset = 0;
    // Fsyncs in flight count for this node's own durability in the new epoch (same data).
    for (let i = 0; i < this.persistAcks.length; i++) this.persistAcks[i] = { ...this.persistAcks[i], epoch: this.dataEpoch, to: -1 };
    this.advanceCommit(now);
  }

  private stepDown(): void {
    this.pullFrom = -1;
    this.leaseFrom = Number.NEGATIVE_INFINITY;
    this.pendingRenew.clear();
    this.waiting.length = 0; // outcome unknown to their clients: no answer
  }

  // ---- timers ----

  /** Timers run on the monotonic clock (even with bug #5: the bug is in the deadlines); `t`
   * is its reading, lease deadlines are compared on clk(now). */
  private housekeeping(now: number, t: number): void {
    const L = this.L;
    if (this.holder === this.id && !this.isHolder) {
      // The record names an earlier boot of this node: that holder is dead, and what this boot
      // recovered may lack writes it acknowledged with another member's copy. A takeover like
      // any other: grants (after the guard) and the most up-to-date granter's data.
      this.campaign(now, t);
    } else if (this.holder === this.id) {
      // Renew.
      const pendingOld = this.pendingRenew.size > 0 && t - this.lastRenewSent < this.opts.roundTimeoutUs;
      // A holder that cannot get its data from the granter it chose gives the primaryship up:
      // it stops renewing, its lease runs out, and the others take over.
      const stuck = this.pullFrom >= 0 && t - this.pullSince > this.opts.refuseMult * L;
      if (!stuck && !pendingOld && t - this.lastRenewSent >= this.opts.renewUs) this.propose(t, now, this.lastRev);
      if (this.pullFrom >= 0 && this.isHolder && t - this.lastPull >= RESYNC_US) {
        this.lastPull = t;
        this.env.send(this.pullFrom, { type: "pull", round: this.pullRound });
      }
      if (this.holdsLease(now) && this.pullFrom < 0) {
        if (t - this.lastAnnounce >= this.opts.announceUs) this.announce(t);
        if (t - this.lastHbSent >= this.opts.renewUs) {
          this.lastHbSent = t;
          for (const j of this.members) if (j !== this.id) this.env.send(j, { type: "hb", epoch: this.holderEpoch });
        }
      }
    } else if (this.holder < 0) {
      // No primaryship yet: the shard's first member claims it at once, the others after 2L.
      const first = this.members[0] === this.id;
      if (first || this.clk(now) - this.bootClk >= this.opts.failAfterMult * L) this.campaign(now, t);
    } else {
      if (!this.failed && this.clk(now) >= this.lastHb + this.opts.failAfterMult * L) this.failed = true;
      if (this.failed) this.campaign(now, t);
      this.replicaSync(t);
    }
  }

  private propose(t: number, now: number, expected: number, takeover = false): void {
    const seq = ++this.renewSeq;
    this.pendingRenew.set(seq, this.clk(now)); // the send time, on the lease clock
    this.lastRenewSent = t;
    // A success is read from the log as this member applies it (every member must see it); a
    // takeover that did not happen (no leader known, refused CAS) lets the candidate try again.
    const round = this.round;
    this.log.cas(PRIMARYSHIP_KEY, expected === 0 ? "absent" : expected, `${this.id}.${this.nonce}.${seq}`, this.mono(), (r) => {
      if (!takeover || this.phase !== 3 || this.round !== round) return;
      if (r.kind === "not-leader" || (r.kind === "ok" && r.result.f === "cas" && !r.result.ok)) this.phase = 0;
    });
  }

  private campaign(now: number, t: number): void {
    const to = this.opts.roundTimeoutUs;
    if (this.phase === 0) {
      this.phase = 1;
      this.phaseAt = t + this.env.rng.int(0, this.opts.candidateJitterUs);
    } else if (this.phase === 1 && t >= this.phaseAt) {
      this.phase = 2;
      this.phaseAt = t;
      this.round++;
      this.grants = new Set();
      this.grantRev = 0;
      this.best = -1;
      this.env.note(LN.candidate, this.round, 0);
      if (this.mayGrant(this.clk(now))) this.grant(this.id, this.lastRev, this.dataEpoch, this.kv.offset, now, t);
      for (const j of this.members) if (j !== this.id) this.env.send(j, { type: "grantReq", round: this.round });
    } else if (this.phase >= 2 && t - this.phaseAt >= (this.phase === 2 ? to : to + this.opts.raft.electionMaxUs)) {
      this.phase = 0; // no majority or no commit in time: again, after a new delay
    } else if (this.phase === 2) {
      // Ask again those that have not granted (requests and answers may be lost).
      for (const j of this.members) if (!this.grants.has(j)) this.env.send(j, { type: "grantReq", round: this.round });
    }
  }

  // ---- grants ----

  /** May this member grant a takeover now? Not while its log holds entries it has not
   * applied, nor within refuseMult·L of the last primaryship entry it applied (or of its boot,
   * after a restart: it forgot what it acknowledged). Data does not decide: the winner pulls the
   * most up-to-date granter's data before it serves. */
  private mayGrant(t: number): boolean {
    const wait = this.opts.refuseMult * this.L;
    const skip = this.opts.bugs.noPostAckWait === true;
    if (!skip && this.restarted && t < this.bootClk + wait) return false;
    if (this.log.unapplied > 0) return false;
    if (!skip && this.lastRev > 0 && t < this.lastAck + wait) return false;
    return true;
  }

  private onGrantReq(from: number, round: number, now: number): void {
    if (!this.members.includes(from) || from === this.id) return;
    const ok = this.mayGrant(this.clk(now));
    if (ok) this.env.note(LN.grant, from, round);
    this.env.send(from, { type: "grant", round, ok, rev: this.lastRev, epoch: this.dataEpoch, offset: this.kv.offset });
  }

  private onGrant(from: number, round: number, rev: number, epoch: number, offset: number, now: number): void {
    if (round !== this.round || this.phase !== 2) return;
    this.grant(from, rev, epoch, offset, now, this.mono());
  }

  private grant(from: number, rev: number, epoch: number, offset: number, now: number, t: number): void {
    if (this.grants.has(from)) return;
    this.grants.add(from);
    if (rev > this.grantRev) this.grantRev = rev;
    if (this.best < 0 || epoch > this.bestEpoch || (epoch === this.bestEpoch && offset > this.bestOffset)) {
      this.best = from;
      this.bestEpoch = epoch;
      this.bestOffset = offset;
    }
    if (this.grants.size < this.majority) return;
    this.phase = 3;
    this.phaseAt = t;
    this.env.note(LN.candidate, this.round, 1);
    this.pullFrom = this.best === this.id ? -1 : this.best;
    this.propose(t, now, this.grantRev, true);
  }

  // ---- data plane ----

  private onData(from: number, msg: DataMsg, now: number): void {
    switch (msg.type) {
      case "replAck":
        if (this.isHolder && msg.epoch === this.dataEpoch && msg.offset > (this.match.get(from) ?? 0)) {
          this.match.set(from, msg.offset);
          this.advanceCommit(now);
        }
        return;
      case "pull":
        this.env.send(from, { type: "pulled", round: msg.round, epoch: this.dataEpoch, offset: this.kv.offset, data: this.kv.snapshot() });
        return;
      case "pulled": {
        if (!this.isHolder || from !== this.pullFrom || msg.round !== this.pullRound) return;
        this.recent.clear();
        const rec = this.kv.load(msg.offset, msg.data);
        this.persistAcks.length = 0;
        this.durableOffset = 0;
        const tok = this.env.persist([rec], true);
        this.persistAcks.push({ token: tok, offset: msg.offset, epoch: this.holderEpoch, to: -1 });
        this.pullFrom = -1;
        this.takeOver(now);
        return;
      }
      case "psync":
        if (this.isHolder && this.pullFrom < 0) this.env.send(from, { type: "fullsync", epoch: this.dataEpoch, offset: this.kv.offset, data: this.kv.snapshot() });
        return;
      case "fullsync": {
        if (from !== this.holder || this.isHolder) return;
        this.recent.clear();
        this.dataEpoch = msg.epoch;
        const rec = this.kv.load(msg.offset, msg.data);
        this.persistAcks.length = 0;
        this.durableOffset = 0;
        const tok = this.env.persist([rec, { t: "epoch", epoch: msg.epoch }], true);
        this.persistAcks.push({ token: tok, offset: msg.offset, epoch: msg.epoch, to: from });
        this.needSync = false;
        return;
      }
      case "repl": {
        if (from !== this.holder || this.isHolder) return;
        if (this.needSync) return;
        if (msg.epoch !== this.dataEpoch) {
          this.needSync = true;
          return;
        }
        const r = this.kv.receive(msg.from, msg.key, msg.token);
        if (r.applied.length === 0) return;
        const tok = this.env.persist(r.applied, true);
        this.persistAcks.push({ token: tok, offset: this.kv.offset, epoch: this.dataEpoch, to: from });
        return;
      }
    }
  }

  private replicaSync(t: number): void {
    if (this.holder < 0 || this.holder === this.id) return;
    const behind = this.needSync || this.kv.stashed > 0;
    if (behind && t - this.lastPsync >= RESYNC_US) {
      this.lastPsync = t;
      this.needSync = true;
      this.env.send(this.holder, { type: "psync", offset: this.kv.offset });
    }
  }

  /** The majority point: the largest offset a majority of the shard holds durably in this
   * epoch; writes up to it are acknowledged while the lease lasts. */
  private advanceCommit(now: number): void {
    const acks: number[] = [this.durableOffset];
    for (const j of this.members) if (j !== this.id) acks.push(this.match.get(j) ?? 0);
    acks.sort((a, b) => b - a);
    const c = Math.min(acks[this.majority - 1], this.kv.offset);
    if (c <= this.commitOffset) return;
    const from = Math.max(this.commitOffset, this.readyOffset);
    this.commitOffset = c;
    for (let o = from + 1; o <= c; o++) {
      const w = this.recent.get(o);
      if (w === undefined) continue;
      this.recent.delete(o);
      this.committed.set(w.key, (this.committed.get(w.key) ?? "") + w.token);
    }
    const serving = this.holdsLease(now);
    while (this.waiting.length > 0 && this.waiting[0].offset <= c) {
      const w = this.waiting.shift()!;
      if (!serving) continue; // the lease ran out first: no answer (the write is durable on a majority)
      this.env.note(LN.serve, this.holderEpoch, 1);
      this.env.reply(w.client, { type: "ok", id: w.id });
    }
  }

  private announce(t: number): void {
    this.lastAnnounce = t;
    for (let j = 0; j < this.topo.servers; j++) if (shardOfNode(this.topo, j) !== this.shard) this.env.send(j, { type: "announce", shard: this.shard, node: this.id });
  }
}
