// raft-module: a Clustering module (contract.ts) built on raftsim's Raft and metadata store.
//
// Shard log: one Raft group per shard (an EmbeddedGroup, src/impl/embed, hosted in each member;
// its voters are the shard's members, its group id the shard's index in the plan). Every
// UpdateShardLog is one store txn (src/impl/metadata/ops.ts: TxnOp), so a multi-op update is one
// log entry: all compares and all writes, or nothing, on every member in the same order.
//
// The revision. A shard-log revision is {shard, index}: the Raft index of the entry that last
// wrote the key (the store's revision), tagged with the shard's group. The RFC suggests term and
// index; the index alone is enough *within one group's log*: a revision is only ever handed out
// after its entry is applied, and an applied (committed) index holds the same entry on every
// member forever (Log Matching plus Leader Completeness), so no two different committed writes
// share an index, and a key's revision strictly increases with every write — also a rewrite of
// the same value and a re-insert after a delete, so value-ABA cannot pass a revision CAS. The
// term would only tell apart entries at one index in different terms, i.e. uncommitted ones,
// which no caller ever sees. What the index cannot guard against is a log that starts again from
// index 1 (a shard's group re-created from scratch, a restore from an old backup): a revision
// from the previous log could match a different write. Such a module would need a log epoch in
// the revision (term and index would do, if terms also survive the reset); raft-module never
// resets a log, and says so here instead. The shard tag makes a revision of one shard fail on
// another (bare indexes of two logs do collide).
//
// Heartbeat and local failure (RFC "VM_ClusterProviderClusterHeartbeat"): every heartbeatEveryUs
// the module writes its own alive key (an internal key, hidden from the Core) through the shard
// log. When that write is acknowledged — committed by a quorum at some instant after it was sent
// at local time t — and the local store has applied it, the module calls clusterHeartbeat with a
// TTL ending at t + leaseUs. Without a quorum no write is acknowledged, so the Core's OK state
// lapses at most leaseUs after the last successful send; the module then calls clusterDown.
// Waiting for the local apply is also the restart sync: the alive write's index is above every
// entry committed before it was proposed, so a restarted node claims OK only once its local
// shard log holds everything committed before its restart (RFC "Restart").
//
// Remote failure (RFC §4.2): a member's alive key is rewritten every heartbeatEveryUs while it
// holds a quorum; another member that sees no new revision of it for leaseUs marks it PFAIL, for
// 2 x leaseUs FAIL (the RFC review's "replicas mark the primary down after 2X"). Nodes of other
// shards are judged by their own shard: a member holding a lease publishes its shard's states on
// the gossip bus (gossip-bus.ts), newest report wins. So cross-shard detection takes one gossip
// spread longer than intra-shard detection (one of the review's open questions, answered by
// construction).
//
// GLOBAL and SHARD gossip: the cluster bus in gossip-bus.ts (why not a cluster-wide group: see
// there). JoinShard / RemoveFromShard change the shard's Raft configuration (shard-commands.ts);
// JoinCluster / RemoveFromCluster are not built (cluster membership is the plan) and say so.
import type { NodeId } from "../../node.js";
import { EmbeddedGroup, type EmbedReply, type GroupEnvelope } from "../../embed/group.js";
import { WakeMux } from "../../embed/wake-mux.js";
import type { MetaOp, TxnWrite } from "../../metadata/ops.js";
import {
  mintRevision,
  revisionPayload,
  shardOf,
  type ClusteringModule,
  type ClusterMembership,
  type ConsistentRead,
  type CommandResult,
  type Done,
  type GossipScope,
  type MemberState,
  type MetadataEntry,
  type MetadataOp,
  type ModuleContext,
  type Revision,
  type ShardLogUpdate,
  type ShardPlan,
  type UpdateResult,
} from "../contract.js";
import { GossipBus, type BusMessage } from "./gossip-bus.js";
import { ShardCommands, type ShardCmd, type ShardCmdReply } from "./shard-commands.js";

export interface RaftModuleOptions {
  /** L: the heartbeat TTL, counted from the send of the acknowledged alive write. */
  readonly leaseUs: number;
  /** How often the alive key is written (well under leaseUs, so one lost write is survived). */
  readonly heartbeatEveryUs: number;
  readonly electionMinUs: number;
  readonly electionMaxUs: number;
  /** Raft's leader heartbeat. */
  readonly raftHeartbeatUs: number;
  /** A shard-log request's deadline (then "unavailable"). */
  readonly requestTimeoutUs: number;
  /** One gossip round (a random peer, and a random shard peer) every this long. */
  readonly gossipEveryUs: number;
  /** false: Raft's and the store's own assertions are off. Default true. */
  readonly asserts?: boolean;
  /**
   * What a shard-log revision is (the valkey system's design variants, issue 15 part 5):
   * - "index" (default): the store-wide revision, the Raft index of the last write (see above);
   * - "term-index": (term, index) of that entry, as the RFC suggests;
   * - "version": the key's etcd-style version (1 on insert, +1 per write, back to 1 when the key
   *   is deleted and re-created: revisions repeat, the ABA hazard of a delete/re-insert);
   * - "value": the value itself (value-compare CAS: A -> B -> A passes a stale compare).
   * "version" and "value" compares are translated to the store's index through the local entry
   * (a stale local view fails the compare, as a stale index would).
   */
  readonly revision?: RevisionKind;
  /** true: updateShardLog writes every op blindly (one put/delete each, in order, no compare):
   * the Core must compare itself before writing (the Kvrocks controller's UpdateCluster
   * pattern). Unsafe by design; a variant to measure. Default false. */
  readonly blindWrites?: boolean;
}

export type RevisionKind = "index" | "term-index" | "version" | "value";
export const REVISION_KINDS: readonly RevisionKind[] = ["index", "term-index", "version", "value"];

export const RAFT_MODULE_DEFAULTS: RaftModuleOptions = Object.freeze({
  leaseUs: 400_000,
  heartbeatEveryUs: 100_000,
  electionMinUs: 150_000,
  electionMaxUs: 300_000,
  raftHeartbeatUs: 30_000,
  requestTimeoutUs: 300_000,
  gossipEveryUs: 50_000,
});

export type RaftModuleMessage = GroupEnvelope | BusMessage | ShardCmd | ShardCmdReply;

/** Keys the module keeps for itself in the shard log; the Core may not use this prefix. */
const INTERNAL = "\u0000";
const ALIVE = `${INTERNAL}alive/`;
const aliveKey = (n: NodeId): string => ALIVE + n;

/** A shard-log revision's payload: the shard's group and the Raft index of the last write
 * ("index"); with the term of that entry ("term-index"); the key's version ("version"); or the
 * value ("value"). */
type ShardRev =
  | { readonly k: "s"; readonly s: number; readonly i: number }
  | { readonly k: "t"; readonly s: number; readonly t: number; readonly i: number }
  | { readonly k: "v"; readonly s: number; readonly v: number }
  | { readonly k: "x"; readonly s: number; readonly x: string };

export class RaftModule implements ClusteringModule<RaftModuleMessage> {
  readonly group: EmbeddedGroup;
  private readonly bus: GossipBus;
  private readonly cmds: ShardCommands;
  private readonly mux: WakeMux;
  private readonly ownSlot: number;
  private readonly shard: ShardPlan;
  private readonly shardIdx: number;
  private readonly o: RaftModuleOptions;
  /** Shard-log keys as the Core was last told (key -> revision index). */
  private readonly told = new Map<string, number>();
  private toldApplied = 0;
  /** Alive writes sent and not yet answered. Several may be in flight: one lost message must not
   * hold the next heartbeat back until the request deadline (that lapsed leases under 2% loss). */
  private hbOutstanding = 0;
  private hbSeq = 0;
  private nextHbAt: number;
  private nextGossipAt: number;
  /** Acknowledged alive writes waiting for the local apply of their index (any may be applied
   * first: keeping only the newest would wait for the newest index). */
  private pendingLeases: { readonly sentAt: number; readonly index: number }[] = [];
  private leaseUntil = Number.NEGATIVE_INFINITY;
  private ok = false;
  /** Own-shard members: the alive revision last seen, and the local time it was first seen. */
  private readonly seen = new Map<NodeId, { rev: number; at: number }>();
  private lastMembership = "";
  /** "term-index" answers held until the local store applies their index (see updateShardLog). */
  private heldAnswers: { readonly index: number; readonly answer: () => void }[] = [];
  private lastNow = 0;

  constructor(private readonly ctx: ModuleContext<RaftModuleMessage, unknown>, opts: Partial<RaftModuleOptions> = {}) {
    this.o = { ...RAFT_MODULE_DEFAULTS, ...opts };
    if (!(this.o.heartbeatEveryUs > 0 && this.o.heartbeatEveryUs * 2 < this.o.leaseUs)) {
      throw new Error(`raft-module: heartbeatEveryUs (${this.o.heartbeatEveryUs}) must be positive and under leaseUs/2 (${this.o.leaseUs / 2})`);
    }
    const shard = shardOf(ctx.plan, ctx.id);
    if (shard === undefined) throw new Error(`raft-module: node ${ctx.id} is in no shard of the plan`);
    this.shard = shard;
    this.shardIdx = ctx.plan.shards.indexOf(shard);
    const now = ctx.now;
    this.mux = new WakeMux((t) => ctx.env.wakeAt(t));
    const groupSlot = this.mux.slot();
    this.ownSlot = this.mux.slot();
    const asserts = this.o.asserts;
    this.group = new EmbeddedGroup(ctx.id, {
      group: this.shardIdx,
      timeoutUs: this.o.requestTimeoutUs,
      server: {
        raft: {
          voters: shard.members.map((m) => m.nodeId),
          electionMinUs: this.o.electionMinUs,
          electionMaxUs: this.o.electionMaxUs,
          heartbeatUs: this.o.raftHeartbeatUs,
          preVote: true,
          checkQuorum: true,
          maxInflight: 8,
          maxBatch: 64,
          bugs: new Set(),
          ...(asserts === undefined ? {} : { asserts }),
        },
        dedupSessions: true,
        maxPending: 256,
        ...(asserts === undefined ? {} : { asserts }),
      },
    }, ctx.env, (t) => this.mux.set(groupSlot, t), ctx.recovered, now);
    this.bus = new GossipBus(ctx.id, (u, t) => ctx.core.notifyGossipUpdate(u, t));
    this.cmds = new ShardCommands(ctx.id, this.group, (to, m) => ctx.env.send(to, m), this.o.requestTimeoutUs);
    // Members start with a grace period: a (re)started node has seen nobody yet.
    for (const m of shard.members) if (m.nodeId !== ctx.id) this.seen.set(m.nodeId, { rev: 0, at: now });
    this.nextHbAt = now;
    this.nextGossipAt = now + ctx.env.rng.int(0, this.o.gossipEveryUs);
    this.mux.set(this.ownSlot, now);
    this.pushMembership(now);
  }

  // ---- host inputs ----

  onMessage(from: NodeId, msg: RaftModuleMessage, now: number): void {
    if (msg.type === "grp") {
      if (msg.g === this.shardIdx) this.group.onMessage(from, msg.m, now);
    } else if (msg.type === "bus") {
      this.bus.merge(msg, this.inShard(from), now);
    } else if (msg.type === "vcm" || msg.type === "vcmRep") {
      this.cmds.onMessage(from, msg, now);
    }
    this.after(now);
  }

  onTick(now: number): void {
    this.mux.fire(now, (slot) => (slot === this.ownSlot ? this.ownTick(now) : this.group.onTick(now)));
    this.after(now);
  }

  onPersisted(token: number, now: number): void {
    this.group.onPersisted(token, now);
    this.after(now);
  }

  // ---- Core commands ----

  joinCluster(_n: NodeId, _a: string, _s: string, now: number, done: Done<CommandResult>): void {
    done(NOT_BUILT, now);
  }

  removeFromCluster(_n: NodeId, now: number, done: Done<CommandResult>): void {
    done(NOT_BUILT, now);
  }

  /** A planned member of this node's shard back into its Raft group (as a learner, promoted
   * once caught up): shard-commands.ts. */
  joinShard(n: NodeId, s: string, now: number, done: Done<CommandResult>): void {
    const bad = this.shardCommandError(n, s);
    if (bad !== null) return done({ kind: "error", reason: bad }, now);
    this.cmds.request({ kind: "add-learner", node: n }, now, done);
    this.after(now);
  }

  removeFromShard(n: NodeId, s: string, now: number, done: Done<CommandResult>): void {
    const bad = this.shardCommandError(n, s);
    if (bad !== null) return done({ kind: "error", reason: bad }, now);
    this.cmds.request({ kind: "remove", node: n }, now, done);
    this.after(now);
  }

  updateGossip(scope: GossipScope, ops: readonly MetadataOp[], now: number, done: Done<UpdateResult>): void {
    const bad = invalid(ops);
    const r: UpdateResult = bad !== null ? { kind: "rejected", reason: bad } : this.bus.update(scope, ops, now);
    done(r, now);
  }

  updateShardLog(ops: readonly MetadataOp[], now: number, done: Done<UpdateResult>): void {
    const bad = invalid(ops);
    if (bad !== null) return done({ kind: "rejected", reason: bad }, now);
    if (this.o.blindWrites === true) return this.blindWrite(ops, 0, [], now, done);
    const writes: TxnWrite[] = [];
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      const expected = op.expectedRevision === null ? "absent" : this.indexOf(op.expectedRevision, op.key);
      // A revision of another shard, or not one of ours at all, can never be current.
      if (expected === null) return done({ kind: "conflict", failed: i, current: this.readShardLog(op.key)?.revision ?? null }, now);
      writes.push({ key: op.key, expected, value: op.value });
    }
    // The versions the ops write (the "version" revision): the compared entry's version + 1.
    const versions = ops.map((op) => (op.expectedRevision === null ? 1 : this.localVersion(op.key) + 1));
    this.group.request({ f: "txn", ops: writes }, now, (r, t) => {
      // "term-index": the term of the entry is only known once the local log holds it (the
      // answer may come from the leader first); answer when the local store has applied it.
      if (this.o.revision === "term-index" && r.kind === "ok" && r.result.f === "txn" && r.result.ok && this.group.server.store.appliedIndex() < r.result.revision) {
        this.heldAnswers.push({ index: r.result.revision, answer: () => done(this.toUpdate(r, ops, versions), this.lastNow) });
      } else done(this.toUpdate(r, ops, versions), t);
      this.after(t);
    });
  }

  /**
   * Optional contract member (contract.ts readShardLogConsistent): the keys as of a ReadIndex
   * read of the shard's group (linearizable: a "list" served by the leader after it confirmed
   * its leadership and its store applied the read index).
   */
  readShardLogConsistent(keys: readonly string[], now: number, done: Done<ConsistentRead>): void {
    this.group.request({ f: "list", prefix: "" }, now, (r, t) => {
      if (r.kind !== "ok" || r.result.f !== "list") {
        done({ kind: "unavailable" }, t);
      } else {
        const items = r.result.items;
        done({ kind: "ok", entries: keys.map((k) => {
          const e = k.startsWith(INTERNAL) ? undefined : items.find((x) => x.key === k);
          return e === undefined ? null : { key: k, value: e.value, revision: this.rev(e.revision, e.key, e.value, e.version) };
        }) }, t);
      }
      this.after(t);
    });
  }

  /** blindWrites: op i as a put or delete, then the next; ok with every revision, or
   * unavailable at the first op without an answer (the ops before it stay written). */
  private blindWrite(ops: readonly MetadataOp[], i: number, revs: (Revision | null)[], now: number, done: Done<UpdateResult>): void {
    if (i === ops.length) return done({ kind: "ok", revisions: revs }, now);
    const op = ops[i]!;
    const version = op.value === null ? 0 : (this.group.server.store.get(op.key).found ? this.localVersion(op.key) + 1 : 1);
    const req: MetaOp = op.value === null ? { f: "delete", key: op.key } : { f: "put", key: op.key, value: op.value };
    this.group.request(req, now, (r, t) => {
      if (r.kind !== "ok" || (r.result.f !== "put" && r.result.f !== "delete")) {
        done(r.kind === "not-leader" && i === 0 ? { kind: "rejected", reason: "no shard leader known" } : { kind: "unavailable" }, t);
      } else {
        revs.push(op.value === null ? null : this.rev(r.result.revision, op.key, op.value, version));
        this.blindWrite(ops, i + 1, revs, t, done);
      }
      this.after(t);
    });
  }

  private localVersion(key: string): number {
    const e = this.group.server.store.get(key);
    return e.found ? e.version : 0;
  }

  readGossip(scope: GossipScope, key: string): MetadataEntry | null {
    return this.bus.read(scope, key);
  }

  readShardLog(key: string): MetadataEntry | null {
    if (key.startsWith(INTERNAL)) return null;
    const e = this.group.server.store.get(key);
    return e.found ? { key, value: e.value, revision: this.rev(e.revision, key, e.value, e.version) } : null;
  }

  /** For tests and inspection: does the module hold a lease now (the Core is OK)? */
  isOk(now: number): boolean {
    return this.ok && now < this.leaseUntil;
  }

  // ---- internals ----

  /** Why a shard command cannot run here (null: it can). */
  private shardCommandError(n: NodeId, s: string): string | null {
    if (s !== this.shard.shardId) return `node ${this.ctx.id} is in shard ${this.shard.shardId}, not ${s}: give the command on a member of ${s}`;
    if (!this.inShard(n)) return `raft-module: node ${n} is not planned in shard ${s} (a node can only be in the shard the plan puts it in)`;
    return null;
  }

  private ownTick(now: number): void {
    const due = now >= this.nextHbAt && this.hbOutstanding < MAX_HB_IN_FLIGHT;
    // The period advances either way (else a skipped beat stays due and the slot spins at now).
    if (due) this.nextHbAt = now + this.o.heartbeatEveryUs;
    // A node removed from its shard has no quorum to speak of: no alive writes, its lease lapses.
    if (due && this.cmds.isMember(this.ctx.id)) {
      this.hbOutstanding++;
      const sentAt = now;
      this.group.request({ f: "put", key: aliveKey(this.ctx.id), value: String(++this.hbSeq) }, now, (r, t) => {
        this.hbOutstanding--;
        if (r.kind === "ok" && r.result.f === "put") this.pendingLeases.push({ sentAt, index: r.result.revision });
        this.after(t);
      });
    }
    if (now >= this.nextGossipAt) {
      this.nextGossipAt = now + this.o.gossipEveryUs;
      this.gossipRound(now);
    }
  }

  /** After every input: tell the Core what changed, renew or end the lease, push membership. */
  private after(now: number): void {
    this.lastNow = now;
    this.syncShardLog(now);
    if (this.heldAnswers.length > 0) {
      const applied = this.group.server.store.appliedIndex();
      const due = this.heldAnswers.filter((h) => h.index <= applied);
      this.heldAnswers = this.heldAnswers.filter((h) => h.index > applied);
      for (const h of due) h.answer();
    }
    this.cmds.poll(now);
    if (this.pendingLeases.length > 0) {
      // The latest send among the writes applied here (answers may arrive out of order).
      const applied = this.group.server.store.appliedIndex();
      let sentAt = Number.NEGATIVE_INFINITY;
      for (const p of this.pendingLeases) if (p.index <= applied && p.sentAt > sentAt) sentAt = p.sentAt;
      this.pendingLeases = this.pendingLeases.filter((p) => p.index > applied && p.sentAt > sentAt);
      const until = sentAt + this.o.leaseUs;
      if (until > now && until > this.leaseUntil) {
        this.leaseUntil = until;
        this.ok = true;
        this.ctx.core.clusterHeartbeat(until - now, now);
      }
    }
    if (this.ok && now >= this.leaseUntil) {
      this.ok = false;
      this.ctx.core.clusterDown(now);
    }
    this.pushMembership(now);
    let at = this.hbOutstanding >= MAX_HB_IN_FLIGHT ? this.nextGossipAt : Math.min(this.nextHbAt, this.nextGossipAt);
    if (this.ok) at = Math.min(at, this.leaseUntil);
    at = Math.min(at, this.nextStateChange(now), this.cmds.nextDeadline());
    if (this.mux.get(this.ownSlot) !== at) this.mux.set(this.ownSlot, Math.max(at, now));
  }

  /** The local store's changes since the Core was last told, in one call. */
  private syncShardLog(now: number): void {
    const store = this.group.server.store;
    const applied = store.appliedIndex();
    if (applied === this.toldApplied) return;
    this.toldApplied = applied;
    const changes: { u: ShardLogUpdate; i: number }[] = [];
    const present = new Set<string>();
    for (const e of store.list("").items) {
      if (e.key.startsWith(INTERNAL)) {
        const s = e.key.startsWith(ALIVE) ? this.seen.get(Number(e.key.slice(ALIVE.length))) : undefined;
        if (s !== undefined && s.rev !== e.revision) {
          s.rev = e.revision;
          s.at = now;
        }
        continue;
      }
      present.add(e.key);
      if (this.told.get(e.key) === e.revision) continue;
      this.told.set(e.key, e.revision);
      changes.push({ u: { key: e.key, value: e.value, revision: this.rev(e.revision, e.key, e.value, e.version) }, i: e.revision });
    }
    for (const key of [...this.told.keys()]) {
      if (present.has(key)) continue;
      this.told.delete(key);
      changes.push({ u: { key, value: null, revision: null }, i: Number.MAX_SAFE_INTEGER });
    }
    if (changes.length === 0) return;
    changes.sort((a, b) => a.i - b.i || (a.u.key < b.u.key ? -1 : 1));
    this.ctx.core.notifyShardLogUpdate(changes.map((c) => c.u), now);
  }

  private gossipRound(now: number): void {
    const env = this.ctx.env;
    const all = this.ctx.plan.shards.flatMap((s) => s.members.map((m) => m.nodeId)).filter((n) => n !== this.ctx.id);
    const peers = this.shard.members.map((m) => m.nodeId).filter((n) => n !== this.ctx.id);
    // Only a member with a quorum behind it speaks for its shard: a cut-off member would report
    // every peer FAIL.
    if (this.isOk(now)) {
      for (const m of this.shard.members) this.bus.report(m.nodeId, this.stateOf(m.nodeId, now));
      this.bus.reportMembers(this.shard.shardId, this.ownMembers());
    }
    const targets = new Set<NodeId>();
    if (all.length > 0) targets.add(all[env.rng.int(0, all.length - 1)]!);
    if (peers.length > 0) targets.add(peers[env.rng.int(0, peers.length - 1)]!);
    for (const t of targets) env.send(t, this.bus.message(this.inShard(t)));
  }

  private stateOf(node: NodeId, now: number): MemberState {
    if (node === this.ctx.id) return this.isOk(now) ? "OK" : "PFAIL";
    const s = this.seen.get(node);
    if (s === undefined) return this.bus.reports.get(node)?.state ?? "OK";
    const age = now - s.at;
    return age > 2 * this.o.leaseUs ? "FAIL" : age > this.o.leaseUs ? "PFAIL" : "OK";
  }

  /** The next local time an own-shard member's state changes by age alone. */
  private nextStateChange(now: number): number {
    let next = Number.POSITIVE_INFINITY;
    for (const s of this.seen.values()) {
      for (const edge of [s.at + this.o.leaseUs + 1, s.at + 2 * this.o.leaseUs + 1]) if (edge > now && edge < next) next = edge;
    }
    return next;
  }

  /** This shard's members as this node's Raft configuration has them, by id. */
  private ownMembers(): NodeId[] {
    return this.shard.members.map((m) => m.nodeId).filter((n) => this.cmds.isMember(n)).sort((a, b) => a - b);
  }

  private pushMembership(now: number): void {
    const m: ClusterMembership = {
      shards: this.ctx.plan.shards.map((s) => {
        // Own shard: this node's configuration; others: their last report (the plan before one).
        const ids = s === this.shard ? this.ownMembers() : this.bus.members.get(s.shardId)?.members ?? s.members.map((x) => x.nodeId);
        const members = [...s.members].filter((x) => ids.includes(x.nodeId)).sort((a, b) => a.nodeId - b.nodeId);
        return { shardId: s.shardId, members: members.map((x) => ({ nodeId: x.nodeId, address: x.address, state: this.stateOf(x.nodeId, now) })) };
      }),
    };
    const key = JSON.stringify(m);
    if (key === this.lastMembership) return;
    this.lastMembership = key;
    this.ctx.core.updateMembership(m, now);
  }

  private inShard(n: NodeId): boolean {
    return this.shard.members.some((m) => m.nodeId === n);
  }

  /** The revision of a write at `index` that left `key` at `value`, version `version`. */
  private rev(index: number, _key: string, value: string, version: number): Revision {
    let p: ShardRev;
    switch (this.o.revision ?? "index") {
      case "index": p = { k: "s", s: this.shardIdx, i: index }; break;
      case "term-index": p = { k: "t", s: this.shardIdx, t: this.group.server.raft.entry(index)?.term ?? this.group.server.raft.term(), i: index }; break;
      case "version": p = { k: "v", s: this.shardIdx, v: version }; break;
      case "value": p = { k: "x", s: this.shardIdx, x: value }; break;
    }
    return mintRevision(Object.freeze(p));
  }

  /** The store index an expected revision of `key` names; null: it cannot be current here (not
   * a revision of this shard's log, or — version and value — not the local entry's). */
  private indexOf(r: Revision, key: string): number | null {
    const p = revisionPayload(r) as Partial<Record<string, unknown>> | null;
    if (p === null || typeof p !== "object" || p.s !== this.shardIdx) return null;
    const kind = this.o.revision ?? "index";
    const idx = (x: unknown): number | null => (typeof x === "number" && Number.isSafeInteger(x) && x > 0 ? x : null);
    if (kind === "index") return p.k === "s" ? idx(p.i) : null;
    if (kind === "term-index") {
      const i = p.k === "t" ? idx(p.i) : null;
      if (i === null) return null;
      const e = this.group.server.raft.entry(i);
      // A term that does not match the local log's entry at i cannot name a committed write here.
      return e !== undefined && e.term !== p.t ? null : i;
    }
    const e = this.group.server.store.get(key);
    if (!e.found) return null;
    if (kind === "version") return p.k === "v" && p.v === e.version ? e.revision : null;
    return p.k === "x" && p.x === e.value ? e.revision : null;
  }

  private toUpdate(r: EmbedReply, ops: readonly MetadataOp[], versions: readonly number[]): UpdateResult {
    if (r.kind === "not-leader") return { kind: "rejected", reason: r.leader < 0 ? "no shard leader known" : `not the leader (try node ${r.leader})` };
    if (r.kind === "unavailable") return { kind: "unavailable" };
    const res = r.result;
    if (res.f !== "txn") return { kind: "rejected", reason: `unexpected store result ${res.f}` };
    if (res.ok) return { kind: "ok", revisions: ops.map((op, i) => (op.value === null ? null : this.rev(res.revision, op.key, op.value, versions[i]!))) };
    const cur = ops[res.failed] === undefined ? null : this.readShardLog(ops[res.failed]!.key);
    return { kind: "conflict", failed: res.failed, current: res.currentRevision > 0 ? (cur?.revision ?? this.rev(res.currentRevision, "", "", 0)) : null };
  }
}

/** Bound on alive writes in flight (a node without a quorum must not pile them up). */
const MAX_HB_IN_FLIGHT = 4;

const NOT_BUILT: CommandResult = Object.freeze({ kind: "error", reason: "raft-module: cluster membership is the plan; joinCluster and removeFromCluster are not built (joinShard and removeFromShard are)" });

/** Why a list of ops cannot be run (null: it can). */
function invalid(ops: readonly MetadataOp[]): string | null {
  if (ops.length === 0) return "no ops";
  const keys = new Set<string>();
  for (const op of ops) {
    if (op.key.length === 0) return "empty key";
    if (op.key.startsWith(INTERNAL)) return `key ${JSON.stringify(op.key)}: the prefix \\u0000 is the module's own`;
    if (keys.has(op.key)) return `key ${JSON.stringify(op.key)} twice in one update`;
    keys.add(op.key);
  }
  return null;
}

/** A ModuleFactory for raft-module with these options. */
export function raftModule(opts: Partial<RaftModuleOptions> = {}): (ctx: ModuleContext<RaftModuleMessage, unknown>) => RaftModule {
  return (ctx) => new RaftModule(ctx, opts);
}
