// gossip-module: a Clustering module (contract.ts) on the legacy Valkey cluster bus — the
// "less-correct" module the RFC allows. Design and weaknesses: docs/valkey-contract.md,
// "gossip-module".
//
// The bus. Every pingEveryUs a node PINGs its shard's members (as the plan places them), a few
// random other nodes, and every node it has not had a PONG from for T/2 (Valkey's clusterCron
// rule); the PONG answers at once. Both carry a gossip section (failure-reports.ts: the sender's
// PFAIL/FAIL flags for every node), the GLOBAL (and, between shard peers, SHARD) gossip entries,
// the shards' member lists, and between shard peers the shard log's anti-entropy: a PING carries
// what the pinger knows (a commit number per writer), its PONG brings back every committed write
// the pinger lacks.
//
// Failure detection: PFAIL after T without a PONG, FAIL once a majority of the cluster's nodes
// report it (failure-reports.ts says why every node votes), FAIL broadcast, cleared by a PONG.
// Membership is pushed to the Core after every input that changes it.
//
// GLOBAL and SHARD gossip: raft-module's bus entries (raft-module/gossip-bus.ts: each entry a
// Lamport counter and the writer's id — an epoch and a node id — the higher pair wins everywhere;
// every change notified to the Core), carried on this module's PING/PONG instead of its own
// messages. Shared rather than copied: the conflict rule is the one the brief asks for.
//
// The shard log (epoch-log.ts, writes.ts): each update is a txn stamped (epoch = max seen + 1,
// writer id), accepted by a majority of the shard's members against their own state, committed
// by its writer, acknowledged to the Core once a majority has the commit on disk. Revision =
// {shard, epoch, node id}.
//
// Heartbeat: a PONG to the round sent at local time t proves the peer was reached after t. While
// the node is a member of its shard and PONGs to rounds at or after t have come from enough
// peers to make a majority of the shard with itself, and every committed write those PONGs
// brought is applied, the Core is OK until t + leaseUs: clusterHeartbeat with that TTL. Without
// a majority the OK state lapses (clusterDown). A restarted node's first heartbeat thus waits for
// PONGs from a majority, each carrying the writes the node lacked: the restart sync.
//
// Membership commands: a shard's member list is a record (members, epoch, node id) spread by
// gossip, the higher (epoch, node id) wins; JoinShard / RemoveFromShard write a new one on any
// node (persisted before the answer). JoinCluster / RemoveFromCluster are not built (the plan is
// the cluster).
import type { NodeId } from "../../node.js";
import {
  mintRevision,
  revisionPayload,
  shardOf,
  type ClusteringModule,
  type ClusterMembership,
  type CommandResult,
  type Done,
  type GossipScope,
  type MetadataEntry,
  type MetadataOp,
  type ModuleContext,
  type Revision,
  type ShardPlan,
  type UpdateResult,
} from "../contract.js";
import { GossipBus, type BusMessage } from "../raft-module/gossip-bus.js";
import { EpochLog, type LogChange, type Stamp, type Txn } from "./epoch-log.js";
import { FailureReports, type Flag } from "./failure-reports.js";
import { ShardWrites, type LogRecord, type WriteMsg, type WriteOp, type WriteResult } from "./writes.js";

export interface GossipModuleOptions {
  /** One PING round every this long (Valkey's ping interval; its tests run 100 ms). */
  readonly pingEveryUs: number;
  /** T, cluster-node-timeout: PFAIL after a ping pending this long. */
  readonly nodeTimeoutUs: number;
  /** Failure reports are valid this many T (Valkey: 2). */
  readonly failReportValidityMult: number;
  /** Random nodes beyond the shard pinged each round (Valkey pings one random node per second,
   * and every node silent for T/2). */
  readonly randomPeers: number;
  /** L: the heartbeat TTL, counted from the send of the PING round that proved a majority. */
  readonly leaseUs: number;
  /** A shard-log write's deadline (accept phase: then rejected; commit phase: unavailable). */
  readonly requestTimeoutUs: number;
  /** Unanswered PROPOSE / COMMIT messages are sent again this often. */
  readonly resendEveryUs: number;
  /** A member releases a key locked by an undecided write after this long. */
  readonly lockTimeoutUs: number;
  /** Planted bugs, each breaking one promise (for testing the conformance suite and the valkey
   * system's checks); none by default. */
  readonly bugs?: ReadonlySet<GossipModuleBug>;
}

/**
 * Planted bugs:
 * - no-majority: a shard-log write is committed and acknowledged on the writer's own acceptance;
 * - no-locks: members accept concurrent writes on the same revision of a key;
 * - no-epoch-bump: a write reuses its expected revision's epoch instead of max seen + 1;
 * - lease-from-arrival: the heartbeat TTL counts from a PONG's arrival, not from its PING's send;
 * - ok-before-sync: the heartbeat does not wait for the writes a PONG brought to be applied.
 */
export type GossipModuleBug = "no-majority" | "no-locks" | "no-epoch-bump" | "lease-from-arrival" | "ok-before-sync";
export const GOSSIP_MODULE_BUGS: readonly GossipModuleBug[] = ["no-majority", "no-locks", "no-epoch-bump", "lease-from-arrival", "ok-before-sync"];

export const GOSSIP_MODULE_DEFAULTS: GossipModuleOptions = Object.freeze({
  pingEveryUs: 100_000,
  nodeTimeoutUs: 800_000,
  failReportValidityMult: 2,
  randomPeers: 1,
  leaseUs: 400_000,
  requestTimeoutUs: 500_000,
  resendEveryUs: 50_000,
  lockTimeoutUs: 1_000_000,
});

/** A shard's members as gossiped: the higher (e, n) wins. */
export interface MembersRec {
  readonly members: readonly NodeId[];
  readonly e: number;
  readonly n: NodeId;
}

interface BusCarry {
  readonly flags: readonly Flag[];
  readonly bus: BusMessage;
  readonly members: readonly (readonly [string, MembersRec])[];
}

export interface PingMsg extends BusCarry {
  readonly type: "gping";
  readonly term: 0;
  /** The pinger's local send time (echoed in the PONG). */
  readonly at: number;
  /** Shard peers only: what the pinger knows of the shard log (writer -> contiguous commit number). */
  readonly vec: readonly (readonly [NodeId, number])[] | null;
}

export interface PongMsg extends BusCarry {
  readonly type: "gpong";
  readonly term: 0;
  readonly echo: number;
  /** Shard peers only: the committed writes the pinger lacked. */
  readonly txns: readonly Txn[];
}

export interface FailMsg {
  readonly type: "gfail";
  readonly term: 0;
  readonly node: NodeId;
}

export type GossipModuleMessage = PingMsg | PongMsg | FailMsg | WriteMsg;

type DiskRecord = LogRecord | { readonly t: "mem"; readonly shard: string; readonly rec: MembersRec };

/** A shard-log revision's payload: the shard's index in the plan and the write's stamp. */
interface EpochRev {
  readonly k: "e";
  readonly s: number;
  readonly e: number;
  readonly n: NodeId;
}

const newerRec = (a: MembersRec, b: MembersRec): boolean => a.e > b.e || (a.e === b.e && a.n > b.n);

export class GossipModule implements ClusteringModule<GossipModuleMessage> {
  private readonly o: GossipModuleOptions;
  private readonly shard: ShardPlan;
  private readonly shardIdx: number;
  private readonly all: readonly NodeId[];
  private readonly bus: GossipBus;
  private readonly fd: FailureReports;
  readonly log = new EpochLog();
  private readonly writes: ShardWrites;
  private readonly recs = new Map<string, MembersRec>();
  private maxMemEpoch = 0;
  private readonly onDurable = new Map<number, ((now: number) => void)[]>();
  /** Own-shard peer -> the latest own round time it answered (since the last member change). */
  private readonly acked = new Map<NodeId, number>();
  private ackFloor = Number.NEGATIVE_INFINITY;
  private lastRoundAt = Number.NEGATIVE_INFINITY;
  private nextRoundAt: number;
  private leaseUntil = Number.NEGATIVE_INFINITY;
  private ok = false;
  private wakeAsked = Number.NaN;
  private lastMembership = "";

  constructor(private readonly ctx: ModuleContext<GossipModuleMessage, DiskRecord>, opts: Partial<GossipModuleOptions> = {}) {
    this.o = { ...GOSSIP_MODULE_DEFAULTS, ...opts };
    const o = this.o;
    for (const k of ["pingEveryUs", "nodeTimeoutUs", "leaseUs", "requestTimeoutUs", "resendEveryUs", "lockTimeoutUs", "failReportValidityMult"] as const) {
      if (!(Number.isFinite(o[k]) && o[k] > 0)) throw new RangeError(`gossip-module: ${k} must be positive, got ${o[k]}`);
    }
    for (const b of o.bugs ?? []) if (!GOSSIP_MODULE_BUGS.includes(b)) throw new RangeError(`gossip-module: unknown bug ${JSON.stringify(b)} (known: ${GOSSIP_MODULE_BUGS.join(", ")})`);
    if (!(Number.isSafeInteger(o.randomPeers) && o.randomPeers >= 0)) throw new RangeError(`gossip-module: randomPeers must be a non-negative integer, got ${o.randomPeers}`);
    // A writer decides within requestTimeoutUs of its proposal, and every acceptance it counts was
    // made after the proposal was sent, so each counted accepter still holds its lock at the
    // decision (clocks running at one rate): two writes on one revision cannot both be decided.
    if (!(o.requestTimeoutUs < o.lockTimeoutUs)) throw new RangeError(`gossip-module: requestTimeoutUs (${o.requestTimeoutUs}) must be under lockTimeoutUs (${o.lockTimeoutUs}), or a lock may lapse before the write holding it is decided`);
    if (!(o.pingEveryUs * 2 < o.leaseUs)) throw new RangeError(`gossip-module: pingEveryUs (${o.pingEveryUs}) must be under leaseUs/2 (${o.leaseUs / 2}), or one lost round lapses the heartbeat`);
    const shard = shardOf(ctx.plan, ctx.id);
    if (shard === undefined) throw new Error(`gossip-module: node ${ctx.id} is in no shard of the plan`);
    this.shard = shard;
    this.shardIdx = ctx.plan.shards.indexOf(shard);
    this.all = ctx.plan.shards.flatMap((s) => s.members.map((m) => m.nodeId));
    const now = ctx.now;
    for (const s of ctx.plan.shards) this.recs.set(s.shardId, { members: s.members.map((m) => m.nodeId).sort((a, b) => a - b), e: 0, n: -1 });
    this.bus = new GossipBus(ctx.id, (u, t) => ctx.core.notifyGossipUpdate(u, t));
    this.fd = new FailureReports(ctx.id, this.all, o.nodeTimeoutUs, o.nodeTimeoutUs * o.failReportValidityMult, now);
    this.writes = new ShardWrites(
      {
        self: ctx.id,
        rng: ctx.env.rng,
        members: () => this.recs.get(this.shard.shardId)!.members,
        send: (to, m) => ctx.env.send(to, m),
        persist: (rec, then) => this.persist(rec, then),
        applied: (groups, t) => this.tellCore(groups, t),
      },
      this.log,
      o,
    );
    this.recover(now);
    // PONGs to a previous incarnation's PINGs may still arrive: they prove nothing about this one
    // (they would renew a restarted node's heartbeat before its restart sync).
    this.ackFloor = now;
    this.nextRoundAt = now + ctx.env.rng.int(0, o.pingEveryUs);
    this.after(now);
  }

  // ---- host inputs ----

  onMessage(from: NodeId, msg: GossipModuleMessage, now: number): void {
    switch (msg.type) {
      case "gping":
        this.onPing(from, msg, now);
        break;
      case "gpong":
        this.onPong(from, msg, now);
        break;
      case "gfail":
        if (msg.node !== this.ctx.id) this.fd.onFail(msg.node);
        break;
      case "gprop":
        if (this.inPlanShard(from)) this.writes.onPropose(from, msg.txn, now);
        break;
      case "gvote":
        this.writes.onVote(from, msg, now);
        break;
      case "gcommit":
        if (this.inPlanShard(from)) this.writes.onCommit(from, msg.txn, now);
        break;
      case "gcommitted":
        this.writes.onCommitted(from, msg, now);
        break;
      case "gabort":
        this.writes.onAbort(msg.id);
        break;
    }
    this.after(now);
  }

  onTick(now: number): void {
    this.wakeAsked = Number.NaN; // this tick used the host's wake-up
    if (now >= this.nextRoundAt) this.round(now);
    this.after(now);
  }

  onPersisted(token: number, now: number): void {
    // fsyncs complete in order: everything up to `token` is durable.
    for (const [t, fs] of [...this.onDurable]) {
      if (t > token) continue;
      this.onDurable.delete(t);
      for (const f of fs) f(now);
    }
    this.after(now);
  }

  // ---- Core commands ----

  joinCluster(_n: NodeId, _a: string, _s: string, now: number, done: Done<CommandResult>): void {
    done(NOT_BUILT, now);
  }

  removeFromCluster(_n: NodeId, now: number, done: Done<CommandResult>): void {
    done(NOT_BUILT, now);
  }

  joinShard(n: NodeId, s: string, now: number, done: Done<CommandResult>): void {
    this.changeMembers(n, s, true, now, done);
  }

  removeFromShard(n: NodeId, s: string, now: number, done: Done<CommandResult>): void {
    this.changeMembers(n, s, false, now, done);
  }

  updateGossip(scope: GossipScope, ops: readonly MetadataOp[], now: number, done: Done<UpdateResult>): void {
    const bad = invalid(ops);
    done(bad !== null ? { kind: "rejected", reason: bad } : this.bus.update(scope, ops, now), now);
  }

  updateShardLog(ops: readonly MetadataOp[], now: number, done: Done<UpdateResult>): void {
    const bad = invalid(ops);
    if (bad !== null) return done({ kind: "rejected", reason: bad }, now);
    const wops: WriteOp[] = ops.map((op) => ({ key: op.key, value: op.value, base: op.expectedRevision === null ? null : this.stampOf(op.expectedRevision) }));
    this.writes.request(wops, now, (r, t) => done(this.toUpdate(r), t));
    this.after(now);
  }

  readGossip(scope: GossipScope, key: string): MetadataEntry | null {
    return this.bus.read(scope, key);
  }

  readShardLog(key: string): MetadataEntry | null {
    const e = this.log.get(key);
    return e === null ? null : { key, value: e.value!, revision: this.rev(e) };
  }

  /** For tests and inspection: is the Core OK now (a heartbeat's TTL running)? */
  isOk(now: number): boolean {
    return this.ok && now < this.leaseUntil;
  }

  /** For tests and inspection: this node's view of a node (OK / PFAIL / FAIL). */
  stateOf(node: NodeId, now: number): string {
    return node === this.ctx.id ? (this.isOk(now) ? "OK" : "PFAIL") : this.fd.state(node);
  }

  // ---- the bus ----

  private round(now: number): void {
    this.nextRoundAt = now + this.o.pingEveryUs;
    this.lastRoundAt = now;
    const me = this.ctx.id;
    const targets = new Set<NodeId>();
    for (const m of this.shard.members) if (m.nodeId !== me) targets.add(m.nodeId);
    const others = this.all.filter((n) => n !== me && !targets.has(n));
    for (let i = 0; i < this.o.randomPeers && others.length > 0; i++) targets.add(others[this.ctx.env.rng.int(0, others.length - 1)]!);
    // Valkey: every node not heard from for T/2 is pinged, whatever the random draw.
    for (const n of others) if (now - this.fd.lastPong(n) > this.o.nodeTimeoutUs / 2) targets.add(n);
    const flags = this.fd.flags();
    const members = [...this.recs];
    for (const t of targets) {
      const same = this.inPlanShard(t);
      this.fd.onPingSent(t, now);
      this.ctx.env.send(t, { type: "gping", term: 0, at: now, flags, bus: this.bus.message(same), members, vec: same ? this.log.vector() : null });
    }
  }

  private onPing(from: NodeId, m: PingMsg, now: number): void {
    const same = this.inPlanShard(from);
    this.carry(from, m, same, now);
    const txns = same && m.vec !== null ? this.log.missing(m.vec) : [];
    this.ctx.env.send(from, { type: "gpong", term: 0, echo: m.at, flags: this.fd.flags(), bus: this.bus.message(same), members: [...this.recs], txns });
  }

  private onPong(from: NodeId, m: PongMsg, now: number): void {
    const same = this.inPlanShard(from);
    this.fd.onPong(from, now);
    this.carry(from, m, same, now);
    if (same) for (const t of m.txns) this.writes.learn(t, now);
    // Planted bug "lease-from-arrival": the PONG's arrival taken as the time the peer was reached.
    const at = this.bug("lease-from-arrival") ? now : m.echo;
    if (m.echo >= this.ackFloor && at > (this.acked.get(from) ?? Number.NEGATIVE_INFINITY)) this.acked.set(from, at);
  }

  private carry(from: NodeId, m: BusCarry, same: boolean, now: number): void {
    this.fd.onGossip(from, m.flags, now);
    this.bus.merge(m.bus, same, now);
    for (const [s, rec] of m.members) this.adoptRec(s, rec, now);
  }

  /** A newer member list for shard `s` (persisted; own shard: the heartbeat starts over). */
  private adoptRec(s: string, rec: MembersRec, now: number, then?: (now: number) => void): void {
    const cur = this.recs.get(s);
    if (cur === undefined || !newerRec(rec, cur)) return;
    this.recs.set(s, rec);
    if (rec.e > this.maxMemEpoch) this.maxMemEpoch = rec.e;
    if (s === this.shard.shardId) {
      // Only rounds sent from now on prove a majority of the new member list.
      this.acked.clear();
      this.ackFloor = now;
    }
    this.persist({ t: "mem", shard: s, rec }, then ?? (() => {}));
  }

  private changeMembers(n: NodeId, s: string, join: boolean, now: number, done: Done<CommandResult>): void {
    const plan = this.ctx.plan.shards.find((x) => x.shardId === s);
    if (plan === undefined) return done({ kind: "error", reason: `gossip-module: no shard ${s} in the plan` }, now);
    if (!plan.members.some((m) => m.nodeId === n)) return done({ kind: "error", reason: `gossip-module: node ${n} is not planned in shard ${s} (a node can only be in the shard the plan puts it in)` }, now);
    const cur = this.recs.get(s)!;
    if (cur.members.includes(n) === join) return done(OK, now); // in effect already: a retry is ok
    const members = join ? [...cur.members, n].sort((a, b) => a - b) : cur.members.filter((m) => m !== n);
    if (members.length === 0) return done({ kind: "error", reason: `gossip-module: node ${n} is the last member of ${s}` }, now);
    this.adoptRec(s, { members, e: this.maxMemEpoch + 1, n: this.ctx.id }, now, (t) => done(OK, t));
    this.after(now);
  }

  // ---- after every input ----

  private after(now: number): void {
    this.writes.poll(now);
    for (const j of this.fd.check(now, this.all.length)) {
      for (const n of this.all) if (n !== this.ctx.id) this.ctx.env.send(n, { type: "gfail", term: 0, node: j });
    }
    this.renewLease(now);
    this.pushMembership(now);
    let at = Math.min(this.nextRoundAt, this.fd.nextEdge(now), this.writes.nextDeadline());
    if (this.ok) at = Math.min(at, this.leaseUntil);
    at = Math.max(at, now);
    if (at !== this.wakeAsked) {
      this.wakeAsked = at;
      this.ctx.env.wakeAt(at);
    }
  }

  private renewLease(now: number): void {
    const members = this.recs.get(this.shard.shardId)!.members;
    if (members.includes(this.ctx.id) && (this.writes.settled() || this.bug("ok-before-sync"))) {
      const need = Math.floor(members.length / 2); // peers, with this node a majority
      const heard = members.filter((m) => m !== this.ctx.id).map((m) => this.acked.get(m) ?? Number.NEGATIVE_INFINITY).sort((a, b) => b - a);
      const base = need === 0 ? this.lastRoundAt : heard[need - 1]!;
      const until = base + this.o.leaseUs;
      if (until > now && until > this.leaseUntil) {
        this.leaseUntil = until;
        this.ok = true;
        this.ctx.core.clusterHeartbeat(until - now, now);
      }
    } else if (!members.includes(this.ctx.id)) {
      this.leaseUntil = Math.min(this.leaseUntil, now); // removed: no more OK on old rounds
    }
    if (this.ok && now >= this.leaseUntil) {
      this.ok = false;
      this.ctx.core.clusterDown(now);
    }
  }

  private pushMembership(now: number): void {
    const m: ClusterMembership = {
      shards: this.ctx.plan.shards.map((s) => {
        const ids = this.recs.get(s.shardId)!.members;
        const members = s.members.filter((x) => ids.includes(x.nodeId)).sort((a, b) => a.nodeId - b.nodeId);
        return { shardId: s.shardId, members: members.map((x) => ({ nodeId: x.nodeId, address: x.address, state: this.stateOf(x.nodeId, now) as "OK" | "PFAIL" | "FAIL" })) };
      }),
    };
    const key = JSON.stringify(m);
    if (key === this.lastMembership) return;
    this.lastMembership = key;
    this.ctx.core.updateMembership(m, now);
  }

  // ---- disk ----

  private persist(rec: DiskRecord, then: (now: number) => void): void {
    const token = this.ctx.env.persist([rec], true);
    const list = this.onDurable.get(token);
    if (list === undefined) this.onDurable.set(token, [then]);
    else list.push(then);
  }

  /** Replay the disk: member lists, commits (in the order written), open acceptances; then tell
   * the fresh Core the whole recovered shard log. */
  private recover(now: number): void {
    const r = this.ctx.recovered;
    if (r === null) return;
    const accs: Txn[] = [];
    for (const rec of r.records.slice(0, r.corruptFrom)) {
      if (rec.t === "mem") {
        const cur = this.recs.get(rec.shard);
        if (cur !== undefined && newerRec(rec.rec, cur)) this.recs.set(rec.shard, rec.rec);
        if (rec.rec.e > this.maxMemEpoch) this.maxMemEpoch = rec.rec.e;
      } else if (rec.t === "com") {
        this.log.commit(rec.txn);
        if (rec.txn.n === this.ctx.id && rec.txn.cs > this.writes.commitSeq) this.writes.commitSeq = rec.txn.cs;
      } else {
        accs.push(rec.txn);
        if (rec.txn.e > this.log.maxEpoch) this.log.maxEpoch = rec.txn.e;
      }
    }
    for (const t of accs) this.writes.recoverAccepted(t, now);
    const live = this.log.live();
    if (live.length > 0) this.ctx.core.notifyShardLogUpdate(live.map(({ key, entry }) => ({ key, value: entry.value, revision: this.rev(entry) })), now);
  }

  // ---- helpers ----

  private tellCore(groups: readonly (readonly LogChange[])[], now: number): void {
    for (const g of groups) this.ctx.core.notifyShardLogUpdate(g.map((c) => ({ key: c.key, value: c.value, revision: c.value === null ? null : this.rev(c.stamp) })), now);
  }

  private bug(b: GossipModuleBug): boolean {
    return this.o.bugs?.has(b) ?? false;
  }

  private inPlanShard(n: NodeId): boolean {
    return this.shard.members.some((m) => m.nodeId === n);
  }

  private rev(s: Stamp): Revision {
    const p: EpochRev = Object.freeze({ k: "e", s: this.shardIdx, e: s.e, n: s.n });
    return mintRevision(p);
  }

  /** The stamp a revision of this shard names; "bad": not one of this shard's revisions. */
  private stampOf(r: Revision): Stamp | "bad" {
    const p = revisionPayload(r) as Partial<EpochRev> | null;
    if (p === null || typeof p !== "object" || p.k !== "e" || p.s !== this.shardIdx || !Number.isSafeInteger(p.e) || !Number.isSafeInteger(p.n)) return "bad";
    return { e: p.e!, n: p.n! };
  }

  private toUpdate(r: WriteResult): UpdateResult {
    if (r.kind === "ok") return { kind: "ok", revisions: r.stamps.map((s) => (s === null ? null : this.rev(s))) };
    if (r.kind === "conflict") return { kind: "conflict", failed: r.failed, current: r.current === null ? null : this.rev(r.current) };
    return r;
  }
}

const OK: CommandResult = Object.freeze({ kind: "ok" });
const NOT_BUILT: CommandResult = Object.freeze({ kind: "error", reason: "gossip-module: cluster membership is the plan; joinCluster and removeFromCluster are not built (joinShard and removeFromShard are)" });

/** Why a list of ops cannot be run (null: it can). */
function invalid(ops: readonly MetadataOp[]): string | null {
  if (ops.length === 0) return "no ops";
  const keys = new Set<string>();
  for (const op of ops) {
    if (op.key.length === 0) return "empty key";
    if (keys.has(op.key)) return `key ${JSON.stringify(op.key)} twice in one update`;
    keys.add(op.key);
  }
  return null;
}

/** A ModuleFactory for gossip-module with these options. */
export function gossipModule(opts: Partial<GossipModuleOptions> = {}): (ctx: ModuleContext<GossipModuleMessage, unknown>) => GossipModule {
  return (ctx) => new GossipModule(ctx as ModuleContext<GossipModuleMessage, DiskRecord>, opts);
}
