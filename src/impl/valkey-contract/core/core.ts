// A Valkey-like Core on the modular-clustering contract (issue 15 part 3). It uses only the
// contract (ClusteringModule / CoreCallbacks), so any module plugs in:
// - the shard log holds the shard's slot range, its primaryship (`primary`: a node id, written by
//   CAS on the revision the Core read) and the primaryship epoch (`epoch`, bumped in the same
//   atomic update), and a manual failover's FENCED marker;
// - GLOBAL gossip holds the slot routes (route/<shard>: "primary:epoch:lo-hi", written by a
//   primary when it starts serving) and addresses; SHARD gossip the replication offsets;
// - the module's heartbeat (clusterHeartbeat TTL) is the node's lease: a primary serves only
//   while its TTL runs.
// Failover as the RFC sketches it (§5.7): a replica that sees its primary FAIL in a membership
// push writes `primary := me` (and epoch + 1) with the revisions it read; one succeeds. The new
// primary serves only once it holds the primaryship, its own TTL is valid and (leaseWait) it
// has waited leaseWaitMult x L since its CAS succeeded: the old primary's last acknowledged
// heartbeat was sent before that CAS committed, so its TTL (L from that send) has run out by
// then, for clock rates within (m - 1)/(m + 1) of each other. Then it pulls the data of the
// most up-to-date member of a majority (every WAIT-acknowledged write is on a majority) before
// it serves. A manual failover (CLUSTER FAILOVER [FORCE]) inserts FENCED first (the primary
// stops writing and gossips its final offset), catches up (unless FORCE) and takes over in one
// update that also deletes FENCED; on timeout it reverts FENCED by CAS. A restarted holder
// re-claims its primaryship with a new epoch, and so serves only after a heartbeat (the
// module's restart sync) and the same wait.
// Pure: effects through the host's CoreEnv, time from the readings handed in.
import type { NodeId, Recovered } from "../../node.js";
import { ReplicatedKv } from "../../failover/valkey/kv.js";
import { keySlot, type DataRecord } from "../../failover/valkey/types.js";
import type { ClusterMembership, ClusterPlan, ClusteringModule, CoreCallbacks, GossipUpdate, MetadataEntry, MetadataOp, Revision, ShardLogUpdate, ShardPlan, UpdateResult } from "../contract.js";
import { CN, K, offsetKey, routeKey, type CoreEnv, type CoreOptions, type CoreRecord, type CoreReq, type DataMsg } from "./types.js";
export type { CoreEnv } from "./types.js";
import { Takeover, type TakeoverHost } from "./takeover.js";

export interface CoreConfig {
  readonly id: NodeId;
  readonly plan: ClusterPlan;
  /** Slots in the cluster (split evenly over the plan's shards, in order). */
  readonly slots: number;
  readonly opts: CoreOptions;
}

type Phase = "none" | "wait" | "probe" | "fetch" | "ready";

export class Core implements CoreCallbacks, TakeoverHost {
  module!: ClusteringModule;
  readonly id: NodeId;
  readonly shard: ShardPlan;
  readonly shardIdx: number;
  readonly peers: readonly NodeId[];
  readonly o: CoreOptions;
  readonly lo: number;
  readonly hi: number;
  readonly kv: ReplicatedKv;
  /** The shard log as this node was notified of it. */
  readonly log = new Map<string, { value: string; revision: Revision }>();
  /** Gossip as notified (GLOBAL and SHARD keys are disjoint by name). */
  readonly gossip = new Map<string, { value: string; revision: Revision }>();
  readonly states = new Map<NodeId, string>();
  okUntil = Number.NEGATIVE_INFINITY;
  /** The same TTL on the wall clock (bug wallClockTtl). */
  private okUntilWall = Number.NEGATIVE_INFINITY;
  /** The wall-clock reading of the current input (the host sets it). */
  wall = 0;
  /** Data epoch: the primaryship epoch the data set belongs to. */
  de = 0;
  durable = 0;
  private readonly syncs: { token: number; offset: number }[] = [];
  /** Primary side: the epoch won in this incarnation, and the way to serving it. */
  ownedEpoch = 0;
  phase: Phase = "none";
  private readyAt = 0;
  private probeReps = new Map<NodeId, { de: number; offset: number }>();
  private probeAt = 0;
  private fetchFrom = -1;
  private readonly acks = new Map<NodeId, number>();
  private waits: { client: number; id: number; offset: number; de: number }[] = [];
  /** Replica side: the primary followed, and whether a full sync is due. */
  following = -1;
  private needSync = false;
  private lastPsync = Number.NEGATIVE_INFINITY;
  private nextOffsetGossip = 0;
  private lastOffsetValue = "";
  private bootstrapping = false;
  private fenceSeen: { rev: Revision; at: number } | null = null;
  private fenceClearing = false;
  readonly takeover: Takeover;
  readonly restarted: boolean;
  private routeWrittenAt = Number.NEGATIVE_INFINITY;
  private wakeAt = Number.POSITIVE_INFINITY;
  private stepNow = Number.NEGATIVE_INFINITY;

  constructor(readonly env: CoreEnv, cfg: CoreConfig, recovered: Recovered<unknown> | null, now: number) {
    this.id = cfg.id;
    this.o = cfg.opts;
    const idx = cfg.plan.shards.findIndex((s) => s.members.some((m) => m.nodeId === cfg.id));
    if (idx < 0) throw new Error(`valkey core: node ${cfg.id} is in no shard of the plan`);
    this.shardIdx = idx;
    this.shard = cfg.plan.shards[idx]!;
    this.peers = this.shard.members.map((m) => m.nodeId).filter((n) => n !== cfg.id);
    const per = cfg.slots / cfg.plan.shards.length;
    this.lo = Math.floor(idx * per);
    this.hi = Math.floor((idx + 1) * per) - 1;
    this.slots = cfg.slots;
    const recs: DataRecord[] = [];
    if (recovered !== null) {
      const n = Math.min(recovered.corruptFrom, recovered.records.length);
      for (let i = 0; i < n; i++) {
        const r = recovered.records[i] as Partial<CoreRecord> | null;
        if (r === null || typeof r !== "object" || !("t" in r)) continue;
        if (r.t === "de") this.de = (r as { de: number }).de;
        else recs.push(r as DataRecord);
      }
    }
    this.kv = ReplicatedKv.recover(recs);
    this.durable = this.kv.offset;
    this.restarted = recovered !== null;
    this.takeover = new Takeover(this);
    this.nextOffsetGossip = now;
  }

  readonly slots: number;

  // ---- CoreCallbacks (state only: the work happens in step) ----

  updateMembership(m: ClusterMembership): void {
    for (const s of m.shards) for (const x of s.members) this.states.set(x.nodeId, x.state);
  }

  notifyGossipUpdate(u: GossipUpdate): void {
    if (u.value === null) this.gossip.delete(u.key);
    else this.gossip.set(u.key, { value: u.value, revision: u.revision });
  }

  notifyShardLogUpdate(changes: readonly ShardLogUpdate[], now: number): void {
    for (const c of changes) {
      if (c.value === null) this.log.delete(c.key);
      else this.log.set(c.key, { value: c.value, revision: c.revision! });
    }
    // bug restartNoLease: a restarted holder trusts its recovered log and its old lease.
    if (this.o.bugs.restartNoLease === true && this.restarted && this.ownedEpoch === 0 && this.primary() === this.id) {
      this.ownedEpoch = this.epoch();
      this.phase = "ready";
      this.de = this.epoch();
      this.okUntil = Math.max(this.okUntil, now + this.o.leaseUs);
      this.okUntilWall = Math.max(this.okUntilWall, this.wall + this.o.leaseUs);
      this.env.note(CN.serving, this.ownedEpoch, 2);
    }
  }

  clusterHeartbeat(ttlUs: number, now: number): void {
    this.okUntil = Math.max(this.okUntil, now + ttlUs);
    this.okUntilWall = Math.max(this.okUntilWall, this.wall + ttlUs);
  }

  clusterDown(now: number): void {
    this.okUntil = Math.min(this.okUntil, now);
    // bug wallClockTtl: the Core keeps its own expiry (on the wall clock) and trusts it alone.
    if (this.o.bugs.wallClockTtl !== true) this.okUntilWall = Math.min(this.okUntilWall, this.wall);
  }

  // ---- what the shard log says ----

  primary(): NodeId {
    const p = this.log.get(K.primary);
    return p === undefined ? -1 : Number(p.value);
  }

  epoch(): number {
    const e = this.log.get(K.epoch);
    return e === undefined ? 0 : Number(e.value);
  }

  entry(key: string): MetadataEntry | null {
    const e = this.log.get(key);
    return e === undefined ? null : { key, value: e.value, revision: e.revision };
  }

  /** The node's heartbeat TTL runs now (bug wallClockTtl: on the wall clock). */
  okValid(now: number, wall = this.wall): boolean {
    return this.o.bugs.wallClockTtl === true ? wall < this.okUntilWall : now < this.okUntil;
  }

  /** Does this node accept writes now? (The harness's single-writer check reads this.) */
  writable(now: number, wall = this.wall): boolean {
    if (!this.okValid(now, wall) || this.log.has(K.fenced)) return false;
    if (this.o.bugs.gossipAuthority === true) {
      const r = this.gossip.get(routeKey(this.shard.shardId));
      return r !== undefined && Number(r.value.split(":")[0]) === this.id && this.de > 0;
    }
    return this.phase === "ready" && this.primary() === this.id && this.epoch() === this.ownedEpoch;
  }

  // ---- host inputs ----

  onClient(client: number, req: CoreReq, now: number): void {
    if (req.type === "failover") return this.takeover.manual(client, req.id, req.force, now);
    const slot = keySlot(req.key, this.slots);
    if (slot < this.lo || slot > this.hi) {
      const to = this.routeOf(slot);
      return this.env.reply(client, to < 0 ? { type: "down", id: req.id } : { type: "moved", id: req.id, slot, node: to });
    }
    if (!this.writable(now)) {
      const p = this.o.bugs.gossipAuthority === true ? this.routeOf(slot) : this.primary();
      if (p < 0 || p === this.id) return this.env.reply(client, { type: "down", id: req.id });
      return this.env.reply(client, { type: "moved", id: req.id, slot, node: p });
    }
    if (req.type === "get") return this.env.reply(client, { type: "ok", id: req.id, value: this.kv.get(req.key) });
    const rec = this.kv.apply(req.key, req.token);
    this.syncs.push({ token: this.env.persist([rec], true), offset: rec.offset });
    for (const p of this.peers) this.env.sendData(p, { type: "repl", e: this.de, from: rec.offset - 1, key: req.key, token: req.token });
    this.env.note(CN.accept, slot, req.wait ? 1 : 0);
    if (!req.wait) return this.env.reply(client, { type: "ok", id: req.id });
    this.waits.push({ client, id: req.id, offset: rec.offset, de: this.de });
    this.checkWaits();
  }

  onData(from: NodeId, msg: DataMsg, now: number): void {
    switch (msg.type) {
      case "repl": {
        if (from !== this.following || this.needSync) return;
        if (msg.e !== this.de) {
          this.needSync = true;
          return;
        }
        const r = this.kv.receive(msg.from, msg.key, msg.token);
        if (r.applied.length > 0) this.syncs.push({ token: this.env.persist(r.applied, true), offset: this.kv.offset });
        if (r.gap) this.needSync = true;
        return;
      }
      case "psync":
        // Only a serving primary feeds replicas (a primary still waiting has no data set yet).
        if (this.phase === "ready" && this.primary() === this.id && msg.e === this.epoch()) this.sendFull(from, msg.e);
        return;
      case "fetch":
        this.sendFull(from, msg.e);
        return;
      case "fullsync":
        if (from === this.fetchFrom && this.phase === "fetch" && msg.e === this.ownedEpoch) {
          this.load(msg.de, msg.offset, msg.data);
          this.becomeReady(now);
        } else if (from === this.following && msg.e === this.epoch() && msg.de === msg.e) {
          this.load(msg.de, msg.offset, msg.data);
          this.needSync = false;
        }
        return;
      case "ack":
        if (msg.de === this.de) this.acks.set(from, Math.max(this.acks.get(from) ?? 0, msg.offset));
        this.checkWaits();
        return;
      case "probe":
        this.env.sendData(from, { type: "probeRep", e: msg.e, de: this.de, offset: this.kv.offset });
        return;
      case "probeRep":
        if (this.phase === "probe" && msg.e === this.ownedEpoch) this.probeReps.set(from, { de: msg.de, offset: msg.offset });
        return;
    }
  }

  onPersisted(token: number): void {
    let off = this.durable;
    while (this.syncs.length > 0 && this.syncs[0]!.token <= token) off = Math.max(off, this.syncs.shift()!.offset);
    if (off === this.durable) return;
    this.durable = off;
    if (this.following >= 0 && this.primary() !== this.id) this.env.sendData(this.following, { type: "ack", de: this.de, offset: this.durable });
    this.checkWaits();
  }

  /** After every input: bootstrap, primary and replica duties, failover; returns the next
   * local time the Core wants to be called at. */
  step(now: number): number {
    this.stepNow = now;
    this.wakeAt = now + this.o.retryUs;
    this.bootstrap(now);
    const p = this.primary();
    if (p === this.id) this.primaryDuties(now);
    else this.replicaDuties(p, now);
    this.takeover.step(now);
    this.gossipOffset(now);
    this.wake(this.nextOffsetGossip);
    return this.wakeAt;
  }

  /** Ask to be stepped again at `at` (past instants are ignored: the step is running now). */
  wake(at: number): void {
    if (at > this.stepNow && at < this.wakeAt) this.wakeAt = at;
  }

  // ---- internals ----

  /** The shard's first planned member creates its shard-log entries, once its lease runs. */
  private bootstrap(now: number): void {
    if (this.log.has(K.primary) || this.bootstrapping || this.shard.members[0]!.nodeId !== this.id || !this.okValid(now)) return;
    this.bootstrapping = true;
    const ops: MetadataOp[] = [
      { key: K.primary, value: String(this.id), expectedRevision: null },
      { key: K.epoch, value: "1", expectedRevision: null },
      { key: K.slots, value: `${this.lo}-${this.hi}`, expectedRevision: null },
    ];
    this.module.updateShardLog(ops, now, (r: UpdateResult, t: number) => {
      this.bootstrapping = false;
      if (r.kind === "ok") this.won(1, t, 3);
    });
  }

  /** A takeover of `epoch` committed (kind: 0 auto, 1 manual, 2 re-claim, 3 bootstrap). */
  won(epoch: number, now: number, kind: number): void {
    this.ownedEpoch = epoch;
    this.acks.clear();
    this.waits = [];
    this.env.note(CN.takeover, kind, epoch);
    const wait = kind !== 3 && this.o.leaseWait ? this.o.leaseWaitMult * this.o.leaseUs : 0;
    this.phase = "wait";
    this.readyAt = now + wait;
    this.wake(this.readyAt);
  }

  private primaryDuties(now: number): void {
    this.following = -1;
    // Won, and the local log has not applied the win yet: wait for it.
    if (this.ownedEpoch > this.epoch()) return;
    if (this.ownedEpoch < this.epoch()) {
      // The log names this node for an epoch it did not win in this incarnation (a restart; or
      // its own takeover answered "unavailable" that applied after all): re-claim it with a new
      // epoch, serving again only after a heartbeat, the wait and the majority's data.
      this.phase = "none";
      this.takeover.reclaim(now);
      return;
    }
    if (this.phase === "wait" && now >= this.readyAt) {
      if (this.o.bugs.noCatchUp === true) return this.becomeReady(now);
      this.phase = "probe";
      this.probeReps = new Map();
      this.probeAt = Number.NEGATIVE_INFINITY;
    }
    if (this.phase === "probe") {
      if (now - this.probeAt >= 3 * this.o.retryUs) {
        this.probeAt = now;
        for (const x of this.peers) this.env.sendData(x, { type: "probe", e: this.ownedEpoch });
        this.wake(now + 3 * this.o.retryUs);
      }
      if (this.probeReps.size + 1 >= this.majority()) {
        let best = -1;
        let b = { de: this.de, offset: this.kv.offset };
        for (const [n, s] of this.probeReps) if (s.de > b.de || (s.de === b.de && s.offset > b.offset)) (best = n), (b = s);
        if (best < 0) this.becomeReady(now);
        else {
          this.phase = "fetch";
          this.fetchFrom = best;
          this.probeAt = now;
          this.env.sendData(best, { type: "fetch", e: this.ownedEpoch });
        }
      }
    }
    if (this.phase === "fetch" && now - this.probeAt >= 5 * this.o.retryUs) this.phase = "probe"; // no answer: ask again
    // The route must name this primary; a gossip winner that does not (an older writer with a
    // higher Lamport counter) is overwritten, at most once per retry period.
    if (this.phase === "ready" && this.gossip.get(routeKey(this.shard.shardId))?.value !== this.routeValue() && now - this.routeWrittenAt >= this.o.retryUs) this.writeRoute(now);
    this.clearStaleFence(now);
  }

  private becomeReady(now: number): void {
    this.phase = "ready";
    if (this.de !== this.ownedEpoch) {
      this.de = this.ownedEpoch;
      this.syncs.push({ token: this.env.persist([{ t: "de", de: this.de }], true), offset: this.kv.offset });
    }
    this.acks.clear();
    this.env.note(CN.serving, this.ownedEpoch, 0);
    this.writeRoute(now);
  }

  private routeValue(): string {
    return `${this.id}:${this.ownedEpoch}:${this.lo}-${this.hi}`;
  }

  private writeRoute(now: number): void {
    this.routeWrittenAt = now;
    const key = routeKey(this.shard.shardId);
    const cur = this.gossip.get(key);
    this.module.updateGossip("GLOBAL", [{ key, value: this.routeValue(), expectedRevision: cur?.revision ?? null }], now, () => {});
  }

  /** A FENCED marker left by a fencer that never came back is cleared by the primary. */
  private clearStaleFence(now: number): void {
    const f = this.log.get(K.fenced);
    if (f === undefined) {
      this.fenceSeen = null;
      return;
    }
    if (this.fenceSeen === null || this.fenceSeen.rev !== f.revision) this.fenceSeen = { rev: f.revision, at: now };
    if (this.o.bugs.fencedNeverReverted === true || this.fenceClearing || !this.okValid(now)) return;
    if (now - this.fenceSeen.at < this.o.fenceStaleUs) return this.wake(this.fenceSeen.at + this.o.fenceStaleUs);
    this.fenceClearing = true;
    this.module.updateShardLog([{ key: K.fenced, value: null, expectedRevision: f.revision }], now, () => {
      this.fenceClearing = false;
    });
  }

  private replicaDuties(p: NodeId, now: number): void {
    if (this.phase !== "none") {
      this.phase = "none";
      this.ownedEpoch = 0;
      for (const w of this.waits) this.env.reply(w.client, { type: "down", id: w.id });
      this.waits = [];
    }
    if (p !== this.following) {
      this.following = p;
      this.needSync = p >= 0;
      this.lastPsync = Number.NEGATIVE_INFINITY;
    }
    if (this.needSync && p >= 0 && now - this.lastPsync >= 2 * this.o.retryUs) {
      this.lastPsync = now;
      this.env.sendData(p, { type: "psync", e: this.epoch() });
    }
  }

  private sendFull(to: NodeId, e: number): void {
    this.env.sendData(to, { type: "fullsync", e, de: this.de, offset: this.kv.offset, data: this.kv.snapshot() });
  }

  private load(de: number, offset: number, data: readonly (readonly [string, string])[]): void {
    const rec = this.kv.load(offset, data);
    this.de = de;
    // A new data set: nothing of it is known durable until its snapshot's fsync completes (the
    // old set's durable offset must not vouch for it: a WAIT ack of a write this node lacks).
    this.durable = 0;
    this.syncs.length = 0;
    this.syncs.push({ token: this.env.persist([rec, { t: "de", de }], true), offset });
  }

  majority(): number {
    return Math.floor(this.shard.members.length / 2) + 1;
  }

  private checkWaits(): void {
    if (this.waits.length === 0) return;
    const keep: typeof this.waits = [];
    for (const w of this.waits) {
      let n = this.durable >= w.offset && this.de === w.de ? 1 : 0;
      for (const x of this.peers) if (this.o.bugs.waitBeforeReplicas === true || (this.acks.get(x) ?? 0) >= w.offset) n++;
      if (n >= this.majority() && this.de === w.de) this.env.reply(w.client, { type: "ok", id: w.id });
      else keep.push(w);
    }
    this.waits = keep;
  }

  /** SHARD gossip of this node's replication state ("de:offset", ":f" while fenced). */
  private gossipOffset(now: number): void {
    const fenced = this.log.has(K.fenced) && this.primary() === this.id;
    const value = `${this.de}:${this.kv.offset}${fenced ? ":f" : ""}`;
    // A change is gossiped at once; otherwise nothing (the bus re-spreads what it holds).
    if (value === this.lastOffsetValue) {
      if (now >= this.nextOffsetGossip) this.nextOffsetGossip = now + this.o.offsetGossipUs;
      return;
    }
    this.nextOffsetGossip = now + this.o.offsetGossipUs;
    this.lastOffsetValue = value;
    const key = offsetKey(this.id);
    this.module.updateGossip("SHARD", [{ key, value, expectedRevision: this.gossip.get(key)?.revision ?? null }], now, (r) => {
      if (r.kind !== "ok") this.lastOffsetValue = "";
    });
  }

  /** The node a slot routes to: this shard's log, other shards' GLOBAL gossip (-1: unknown). */
  routeOf(slot: number): NodeId {
    if (slot >= this.lo && slot <= this.hi && this.o.bugs.gossipAuthority !== true) return this.primary();
    for (const [k, v] of this.gossip) {
      if (!k.startsWith("route/")) continue;
      const [node, , range] = v.value.split(":");
      const [a, b] = range!.split("-").map(Number);
      if (slot >= a! && slot <= b!) return Number(node);
    }
    return -1;
  }

  /** A member's replication state from SHARD gossip (null: none heard). */
  offsetOf(node: NodeId): { de: number; offset: number; fenced: boolean } | null {
    const v = this.gossip.get(offsetKey(node))?.value;
    if (v === undefined) return null;
    const [de, off, f] = v.split(":");
    return { de: Number(de), offset: Number(off), fenced: f === "f" };
  }
}
