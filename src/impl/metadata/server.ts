// The metadata server node: Raft + the metadata store + client request handling. This is the
// node the simulator runs. Writes go through the Raft log and are answered when applied; reads
// go through ReadIndex and are answered from the local store once it has applied far enough.
// With followerReads, a follower serves reads too (etcd's follower read): it asks the leader it
// knows for a read index (readReq; the leader registers a ReadIndex read — or a lease read — on
// its behalf and answers with the confirmed index, or -1), waits until it has applied that far,
// and answers from its own store. Safe because the index covers every entry committed when the
// leader registered the read, which is after the client sent it, and the follower's applied
// entries are committed ones. A forwarded read with no answer within electionMin is answered
// "unavailable" (the leader may be gone): the server asks its host for a wake-up at the
// oldest such read's expiry, since nothing else need wake a follower then (its election timer
// moves on with every heartbeat; swarm seed 532 once ended with a read pending for seconds).
// With applyDelayUs, apply is asynchronous, as in Kvrocks' controller: Raft hands committed
// entries over a channel (RaftApp.apply only enqueues them) and the store applies them
// applyDelayUs later, in a step of its own (a tick). Raft's applied index then runs ahead of the
// store's: writes are answered and reads served only once the store has applied far enough;
// a snapshot drains the channel first (it must hold every entry up to Raft's applied index);
// an installed snapshot supersedes whatever the channel still holds.
import type { NodeEnv, NodeId, Recovered, SimNode } from "../node.js";
import type { RaftApp, RaftEntry, RaftOptions } from "../raft/api.js";
import { Raft, type RaftMessage, type RaftRecord } from "../raft/raft.js";
import { MetadataStore, type StoreSnapshot } from "./store.js";
import type { MetaEntry, StoreOp } from "./ops.js";
import type { SessionEntry } from "./sessions.js";
import { isExpired, isReadOp, isStale, type MetaCommand } from "./commands.js";
import type { StoreRequest, ServerReply } from "./protocol.js";
import type { ConfChange } from "../raft/config.js";
import { MonotonicTime } from "../raft/monotonic.js";

export interface ServerOptions {
  readonly raft: RaftOptions;
  /** false = planted bug "no-session-dedup": a retried command is applied twice. */
  readonly dedupSessions: boolean;
  /** Bound on client requests awaiting an answer; beyond it new ones are refused. */
  readonly maxPending: number;
  /** Default true. false: the server's and store's own assertions are off (`--sut-asserts off`);
   * Raft's follow RaftOptions.asserts. */
  readonly asserts?: boolean;
  /** Followers serve reads, with a read index from the leader (see the header). Default false. */
  readonly followerReads?: boolean;
  /** Asynchronous apply (see the header): committed entries reach the store this long after
   * Raft hands them over (0: in the next step). Undefined: applied in the commit step. */
  readonly applyDelayUs?: number;
  /** Session expiry, in log entries (MetadataStore's sessionTtl). Undefined: never. */
  readonly sessionTtl?: number;
}

/** Engula's join (node-to-node): a server asks any member to let it join the universe. */
export interface JoinRequest {
  readonly type: "join";
  readonly term: number; // unused by Raft: 0
  readonly from: NodeId;
}

/** added: the leader proposed the joiner as a learner (it is promoted once caught up);
 * member: it already is one; redirect: ask `leader` instead (-1: unknown, ask again later);
 * retry: the leader cannot change the configuration now (a change is pending, or its term has
 * no committed entry yet). */
export interface JoinResponse {
  readonly type: "joinResp";
  readonly term: number;
  readonly from: NodeId;
  readonly status: "added" | "member" | "redirect" | "retry";
  readonly leader: NodeId;
}

/** Follower read: `from` asks the leader for a read index for its read `ctx`. */
export interface ReadIndexRequest {
  readonly type: "readReq";
  readonly term: number; // unused by Raft: 0
  readonly from: NodeId;
  readonly ctx: number;
}

/** The leader's answer: the confirmed read index, or -1 (not the leader, or leadership lost). */
export interface ReadIndexResponse {
  readonly type: "readResp";
  readonly term: number; // unused by Raft: 0
  readonly from: NodeId;
  readonly ctx: number;
  readonly index: number;
}

export type ServerMessage = RaftMessage<MetaCommand<StoreOp>> | JoinRequest | JoinResponse | ReadIndexRequest | ReadIndexResponse;

/** The admin query "list members" (Engula's GET /members, /nodes): answered by the leader;
 * any other server redirects to the leader it knows (-1: none known). */
export type MembersReply =
  | { readonly kind: "members"; readonly leader: NodeId; readonly members: readonly { readonly node: NodeId; readonly role: "voter" | "learner" }[]; readonly pending: boolean }
  | { readonly kind: "redirect"; readonly leader: NodeId };

/** How many redirects a join follows before it waits for the operator to retry. */
const MAX_JOIN_HOPS = 3;
export type ServerRecord = RaftRecord<MetaCommand<StoreOp>>;
export type ServerEnv = NodeEnv<ServerMessage, ServerRecord, ServerReply>;

interface PendingWrite {
  readonly endpoint: number;
  readonly seq: number;
  readonly index: number;
}

/** Chunk 0 of a store snapshot: what the item chunks that follow hold. */
interface SnapshotHeader {
  readonly appliedIndex: number;
  readonly entries: number;
  readonly sessions: number;
}

/** Chunks 1..: up to maxItems store entries, then sessions (a chunk holds one kind). */
interface SnapshotItems {
  readonly entries: readonly MetaEntry[];
  readonly sessions: readonly SessionEntry[];
}

const NO_ITEMS: readonly never[] = Object.freeze([]);

/** Split a store snapshot into a header and chunks of at most maxItems items each. */
export function chunkStoreSnapshot(snap: StoreSnapshot, maxItems: number): readonly unknown[] {
  if (!(maxItems >= 1)) throw new Error("server invariant: snapshot chunk bound must be >= 1");
  const header: SnapshotHeader = { appliedIndex: snap.appliedIndex, entries: snap.entries.length, sessions: snap.sessions.length };
  const out: unknown[] = [header];
  for (let i = 0; i < snap.entries.length; i += maxItems) {
    const c: SnapshotItems = { entries: snap.entries.slice(i, i + maxItems), sessions: NO_ITEMS };
    out.push(c);
  }
  for (let i = 0; i < snap.sessions.length; i += maxItems) {
    const c: SnapshotItems = { entries: NO_ITEMS, sessions: snap.sessions.slice(i, i + maxItems) };
    out.push(c);
  }
  return Object.freeze(out);
}

/** Reassemble chunkStoreSnapshot's output (checks counts). */
export function unchunkStoreSnapshot(chunks: readonly unknown[]): StoreSnapshot {
  const h = chunks[0] as SnapshotHeader;
  const entries: MetaEntry[] = [];
  const sessions: SessionEntry[] = [];
  for (let k = 1; k < chunks.length; k++) {
    const c = chunks[k] as SnapshotItems;
    for (const e of c.entries) entries.push(e);
    for (const x of c.sessions) sessions.push(x);
  }
  if (entries.length !== h.entries || sessions.length !== h.sessions) {
    throw new Error(`server invariant: snapshot chunks hold ${entries.length}/${sessions.length} items, header says ${h.entries}/${h.sessions}`);
  }
  return { appliedIndex: h.appliedIndex, entries, sessions };
}

interface PendingRead {
  readonly endpoint: number;
  readonly req: StoreRequest;
  index: number; // -1 until ReadIndex confirms
  /** A follower read, forwarded to the leader (false: a leader's own read). */
  readonly forwarded: boolean;
  /** A follower read: local time it was forwarded (a local clock may read below zero after a
   * clock-offset fault, so this is never a marker: a -1 here once made such a read a "leader's
   * own", whose answer was dropped and which never expired — found by deposed-reads-failed,
   * swarm seeds 446, 532, 570, every-fault 489). */
  readonly forwardedAt: number;
}


export class MetaServer implements SimNode<ServerMessage, StoreRequest>, RaftApp<MetaCommand<StoreOp>> {
  readonly raft: Raft<MetaCommand<StoreOp>>;
  /** Replaced wholesale when a snapshot is installed or loaded. */
  store: MetadataStore;
  /** Writes this node proposed, by session (client id): at most one outstanding per session. */
  private readonly writes = new Map<number, PendingWrite>();
  /** Reads by ReadIndex context, in registration order. */
  private readonly reads = new Map<number, PendingRead>();
  private nextReadCtx = 1;
  /** Asynchronous apply: entries handed over by Raft and not yet applied, with their due time
   * (monotonic µs); Raft's last wake-up request (local µs); the wake-up asked of the host. */
  private readonly channel: { readonly entry: RaftEntry<MetaCommand<StoreOp>>; readonly due: number }[] = [];
  private channelHead = 0;
  private readonly mono = new MonotonicTime();
  /** The local clock reading of the input being handled (every entry point sets it). apply()
   * times the channel with it, not with the `now` Raft passes: that is Raft's own monotonic
   * time (raft/monotonic.ts), ahead of the local clock by every backward step Raft has seen.
   * Read into this.mono as if it were a local reading, it looked like a forward jump of that
   * size: the entry's due time, and the wake-up asked for it, fell that much later, and a
   * follower whose election deadline heartbeats keep moving applied nothing for that long
   * (seed 45483: followers' stores seconds behind their commit index after the heal, reads
   * waiting on them never served). */
  private inputLocal = 0;
  private raftWake = Number.NaN;
  private askedWake = Number.NaN;
  /** Follower reads: local µs at which the oldest forwarded read still without a read index
   * expires (NaN: none). */
  private readWake = Number.NaN;
  /** Leader side of follower reads: our ReadIndex ctx -> the asking follower and its ctx. */
  private readonly remoteReads = new Map<number, { readonly from: NodeId; readonly ctx: number }>();
  /** Redirects left for the join in progress (-1: not joining). */
  private joinHops = -1;
  /** Reads this server answered as a follower (follower reads; tests read it). */
  followerReadsServed = 0;
  /** The last join answer this server got (operators and tests read it). */
  lastJoin: JoinResponse["status"] | null = null;

  private readonly opts: ServerOptions;

  constructor(
    readonly id: NodeId,
    given: ServerOptions,
    private readonly env: ServerEnv,
    recovered: Recovered<ServerRecord> | null,
    now: number,
  ) {
    // Every key, in one order: the options' optional keys vary from seed to seed, and each key
    // set would be a different hidden class for the hot reads below (see raft/options-shape.ts).
    const opts: { readonly [K in keyof Required<ServerOptions>]: ServerOptions[K] } = {
      raft: given.raft,
      dedupSessions: given.dedupSessions,
      maxPending: given.maxPending,
      asserts: given.asserts,
      followerReads: given.followerReads,
      applyDelayUs: given.applyDelayUs,
      sessionTtl: given.sessionTtl,
    };
    this.opts = opts;
    this.inputLocal = now;
    this.store = new MetadataStore({ dedupSessions: opts.dedupSessions, asserts: opts.asserts, ...(opts.sessionTtl !== undefined ? { sessionTtl: opts.sessionTtl } : {}) });
    if (opts.applyDelayUs !== undefined && !(Number.isSafeInteger(opts.applyDelayUs) && opts.applyDelayUs >= 0)) throw new Error(`server: applyDelayUs must be a non-negative integer, got ${opts.applyDelayUs}`);
    // With asynchronous apply or follower reads the server shares the host's one wake-up with
    // Raft (the channel's next due entry, a forwarded read's expiry).
    const raftEnv = opts.applyDelayUs === undefined && opts.followerReads !== true ? env : this.sharedWakeEnv(env);
    this.raft = new Raft<MetaCommand<StoreOp>>(id, opts.raft, raftEnv as NodeEnv<ServerMessage, ServerRecord, unknown>, this, recovered, now);
  }

  onMessage(from: NodeId, msg: ServerMessage, now: number): void {
    this.inputLocal = now;
    if (msg.type === "join") this.handleJoin(from, now);
    else if (msg.type === "joinResp") this.handleJoinResponse(from, msg);
    else if (msg.type === "readReq") this.handleReadRequest(from, msg, now);
    else if (msg.type === "readResp") this.handleReadResponse(msg);
    else this.raft.onMessage(from, msg, now);
  }

  // --- membership: Engula's bootstrap / join / list, on top of Raft's single-server changes ---

  /** Operator: join the universe through `via` (any member; it redirects to the leader). */
  join(via: NodeId, _now: number): void {
    this.joinHops = MAX_JOIN_HOPS;
    this.lastJoin = null;
    const req: JoinRequest = { type: "join", term: 0, from: this.id };
    this.env.send(via, req);
  }

  /** Operator: a configuration change on this server (it must be the leader). */
  changeMembership(ch: ConfChange, now: number): { index: number; term: number } | string {
    this.inputLocal = now;
    return this.raft.proposeConfChange(ch, now);
  }

  listMembers(): MembersReply {
    if (this.raft.role() !== "leader") return { kind: "redirect", leader: this.raft.leader() };
    const members: { node: NodeId; role: "voter" | "learner" }[] = [];
    for (const v of this.raft.voters()) members.push({ node: v, role: "voter" });
    for (const l of this.raft.learners()) members.push({ node: l, role: "learner" });
    members.sort((a, b) => a.node - b.node);
    return { kind: "members", leader: this.id, members, pending: this.raft.confChangePending() };
  }

  private handleJoin(from: NodeId, now: number): void {
    let status: JoinResponse["status"];
    if (this.raft.role() !== "leader") status = "redirect";
    else if (this.raft.voters().includes(from) || this.raft.learners().includes(from)) status = "member";
    else status = typeof this.raft.proposeConfChange({ kind: "add-learner", node: from }, now) === "string" ? "retry" : "added";
    const resp: JoinResponse = { type: "joinResp", term: 0, from: this.id, status, leader: this.raft.leader() };
    this.env.send(from, resp);
  }

  private handleJoinResponse(from: NodeId, m: JoinResponse): void {
    if (this.joinHops < 0) return;
    this.lastJoin = m.status;
    if (m.status === "redirect" && m.leader >= 0 && m.leader !== from && m.leader !== this.id && this.joinHops > 0) {
      this.joinHops--;
      const req: JoinRequest = { type: "join", term: 0, from: this.id };
      this.env.send(m.leader, req);
      return;
    }
    this.joinHops = -1;
  }

  onTick(now: number): void {
    this.inputLocal = now;
    // A tick may be the channel's rather than Raft's: Raft ignores one before its deadlines and
    // asks for its next wake-up again — or for none (a server outside the configuration): the
    // tick used the host's wake-up, and Raft's last request with it.
    this.askedWake = Number.NaN;
    this.raftWake = Number.NaN;
    this.raft.onTick(now);
    if (this.opts.applyDelayUs !== undefined) this.applyDue(now);
    if (this.opts.followerReads === true && this.reads.size > 0) {
      this.expireForwardedReads(now);
      // A read not yet expired by the local clock (it stepped back) is asked for again.
      this.rewake();
    }
  }

  // --- asynchronous apply ---

  private sharedWakeEnv(env: ServerEnv): ServerEnv {
    return {
      id: env.id,
      rng: env.rng,
      send: (to, m) => env.send(to, m),
      persist: (records, sync) => env.persist(records, sync),
      writeFile: (name, data) => env.writeFile(name, data),
      renameFile: (from, to) => env.renameFile(from, to),
      deleteFile: (name) => env.deleteFile(name),
      syncFile: () => env.syncFile(),
      rotateWal: () => env.rotateWal(),
      dropWalBefore: (b) => env.dropWalBefore(b),
      reply: (c, r) => env.reply(c, r),
      wakeAt: (local) => {
        this.raftWake = local;
        // Without the channel, passed on as Raft asked it, as the host's own env would (a
        // repeat moves the host's wake-up event in its order among same-time events).
        this.rewake(this.opts.applyDelayUs === undefined);
      },
      note: (code, a, b) => env.note(code, a, b),
      // Present whether or not the host has a monotonic clock (undefined when not), so this
      // env has one hidden class in every run and Raft's reads of it stay monomorphic.
      monotonicNow: env.monotonicNow !== undefined ? () => env.monotonicNow!() : undefined,
    };
  }

  /** Ask the host for the earliest of Raft's wake-up, the channel's next due entry and the
   * oldest forwarded read's expiry (`again`: even if it is the one asked for last). */
  private rewake(again = false): void {
    let at = this.raftWake;
    if (this.channelHead < this.channel.length) {
      const due = this.mono.toLocal(this.channel[this.channelHead]!.due);
      if (!(at <= due)) at = due;
    }
    const rw = this.readWake;
    if (rw === rw && !(at <= rw)) at = rw;
    if (at === at && (again || at !== this.askedWake)) {
      this.askedWake = at;
      this.env.wakeAt(at);
    }
  }

  /** Apply the entries whose delay is over, in order. */
  private applyDue(now: number): void {
    const m = this.mono.read(now);
    const q = this.channel;
    while (this.channelHead < q.length && q[this.channelHead]!.due <= m) this.applyEntry(q[this.channelHead++]!.entry);
    this.compactChannel();
    this.rewake();
  }

  /** Apply everything in the channel now (before a snapshot of the store). */
  private drainChannel(): void {
    const q = this.channel;
    while (this.channelHead < q.length) this.applyEntry(q[this.channelHead++]!.entry);
    this.compactChannel();
  }

  private compactChannel(): void {
    // Reset only once long: setting the length is a runtime call that shrinks the store (the
    // entries below the head are never read again).
    if (this.channelHead === this.channel.length && this.channelHead >= 64) {
      this.channel.length = 0;
      this.channelHead = 0;
    }
  }

  // --- follower reads ---

  private handleReadRequest(from: NodeId, m: ReadIndexRequest, now: number): void {
    const ctx = this.nextReadCtx++;
    if (this.raft.readIndex(ctx, now)) this.remoteReads.set(ctx, { from, ctx: m.ctx });
    else this.sendReadIndex(from, m.ctx, -1);
  }

  private handleReadResponse(m: ReadIndexResponse): void {
    const r = this.reads.get(m.ctx);
    if (r === undefined || !r.forwarded || r.index >= 0) return;
    if (m.index < 0) return this.failRead(m.ctx, r);
    r.index = m.index;
    this.updateReadWake();
    this.serveReads();
  }

  private sendReadIndex(to: NodeId, ctx: number, index: number): void {
    const resp: ReadIndexResponse = { type: "readResp", term: 0, from: this.id, ctx, index };
    this.env.send(to, resp);
  }

  private expireForwardedReads(now: number): void {
    for (const [ctx, r] of this.reads) {
      if (r.forwarded && r.index < 0 && now - r.forwardedAt >= this.opts.raft.electionMinUs) this.failRead(ctx, r);
    }
  }

  private failRead(ctx: number, r: PendingRead): void {
    this.reads.delete(ctx);
    this.answer(r.endpoint, { kind: "unavailable", client: r.req.client, seq: r.req.seq, leaderHint: this.raft.leader() });
    if (r.forwarded) this.updateReadWake();
  }

  /** Recompute the oldest forwarded read's expiry after one was forwarded, answered or failed,
   * and move the host's wake-up if it changed. A few reads at most (one per client). */
  private updateReadWake(): void {
    let at = Number.NaN;
    for (const r of this.reads.values()) {
      if (!r.forwarded || r.index >= 0) continue;
      const exp = r.forwardedAt + this.opts.raft.electionMinUs;
      if (!(at <= exp)) at = exp;
    }
    if (Object.is(at, this.readWake)) return; // NaN (no read pending) included
    this.readWake = at;
    this.rewake();
  }

  onPersisted(token: number, now: number): void {
    this.inputLocal = now;
    this.raft.onPersisted(token, now);
  }

  onClient(endpoint: number, req: StoreRequest, now: number): void {
    this.inputLocal = now;
    if (this.writes.size + this.reads.size >= this.opts.maxPending) {
      this.answer(endpoint, { kind: "unavailable", client: req.client, seq: req.seq, leaderHint: this.raft.leader() });
      return;
    }
    if (isReadOp(req.op)) {
      const ctx = this.nextReadCtx++;
      const leader = this.raft.leader();
      if (this.opts.followerReads === true && this.raft.role() !== "leader" && leader >= 0 && leader !== this.id) {
        this.reads.set(ctx, { endpoint, req, index: -1, forwarded: true, forwardedAt: now });
        const ask: ReadIndexRequest = { type: "readReq", term: 0, from: this.id, ctx };
        this.env.send(leader, ask);
        this.updateReadWake();
        return;
      }
      if (!this.raft.readIndex(ctx, now)) return this.notLeader(endpoint, req);
      this.reads.set(ctx, { endpoint, req, index: -1, forwarded: false, forwardedAt: 0 });
      return;
    }
    const proposed = this.raft.propose(req.start === undefined ? { client: req.client, seq: req.seq, op: req.op } : { client: req.client, seq: req.seq, op: req.op, start: req.start }, now);
    if (proposed === null) return this.notLeader(endpoint, req);
    this.writes.set(req.client, { endpoint, seq: req.seq, index: proposed.index });
  }

  // --- RaftApp ---

  apply(entry: RaftEntry<MetaCommand<StoreOp>>, _now: number): void {
    if (this.opts.applyDelayUs === undefined) return this.applyEntry(entry);
    this.channel.push({ entry, due: this.mono.read(this.inputLocal) + this.opts.applyDelayUs });
    this.rewake();
  }

  private applyEntry(entry: RaftEntry<MetaCommand<StoreOp>>): void {
    const cmd = entry.data;
    if (cmd === null) {
      // A leader's no-op still moves the applied index, or a ReadIndex pointing at it stalls.
      this.store.advance(entry.index);
    } else {
      const result = this.store.apply(entry.index, cmd);
      const w = this.writes.get(cmd.client);
      if (w !== undefined && w.seq === cmd.seq) {
        this.writes.delete(cmd.client);
        // A stale re-delivery of an older seq: the client has moved on, nothing to answer.
        if (isExpired(result)) this.answer(w.endpoint, { kind: "session-expired", client: cmd.client, seq: cmd.seq });
        else if (!isStale(result)) this.answer(w.endpoint, { kind: "ok", client: cmd.client, seq: cmd.seq, result });
      }
    }
    this.dropOverwrittenWrites(entry);
    this.serveReads();
  }

  readReady(ctx: number, index: number, _now: number): void {
    const remote = this.remoteReads.get(ctx);
    if (remote !== undefined) {
      this.remoteReads.delete(ctx);
      return this.sendReadIndex(remote.from, remote.ctx, index);
    }
    const r = this.reads.get(ctx);
    if (r === undefined) return;
    r.index = index;
    this.serveReads();
  }

  snapshot(maxItems: number): readonly unknown[] {
    this.drainChannel();
    return chunkStoreSnapshot(this.store.snapshot(), maxItems);
  }

  restore(chunks: readonly unknown[], index: number, _now: number): void {
    const snap = unchunkStoreSnapshot(chunks);
    // Entries still in the channel are at or below Raft's applied index, which the snapshot is
    // above: it supersedes them.
    this.channel.length = 0;
    this.channelHead = 0;
    if (this.opts.asserts !== false && snap.appliedIndex !== index) throw new Error(`server invariant: snapshot at ${snap.appliedIndex} installed as ${index}`);
    if (this.opts.asserts !== false && index <= this.store.appliedIndex()) throw new Error(`server invariant: snapshot ${index} not above applied ${this.store.appliedIndex()}`);
    this.store = MetadataStore.fromSnapshot(snap, { dedupSessions: this.opts.dedupSessions, asserts: this.opts.asserts, ...(this.opts.sessionTtl !== undefined ? { sessionTtl: this.opts.sessionTtl } : {}) });
    // Writes proposed at indexes the snapshot covers: their outcome is unknown here (the entry
    // there may be another one); the client retries with the same seq, sessions de-duplicate.
    for (const [client, w] of this.writes) {
      if (w.index > index) continue;
      this.writes.delete(client);
      this.answer(w.endpoint, { kind: "unavailable", client, seq: w.seq, leaderHint: this.raft === undefined ? -1 : this.raft.leader() });
    }
    this.serveReads();
  }

  /** Reads waiting for this server's own Raft to confirm a read index: its clients' reads it
   * registered as the leader, and other servers' follower reads (a harness check reads it when
   * leadership ends: they must have been failed). Reads nothing else, changes nothing. */
  readsAwaitingRaft(): number {
    let k = this.remoteReads.size;
    for (const r of this.reads.values()) if (r.index < 0 && !r.forwarded) k++;
    return k;
  }

  readFailed(ctx: number, _now: number): void {
    const remote = this.remoteReads.get(ctx);
    if (remote !== undefined) {
      this.remoteReads.delete(ctx);
      return this.sendReadIndex(remote.from, remote.ctx, -1);
    }
    const r = this.reads.get(ctx);
    if (r === undefined) return;
    this.reads.delete(ctx);
    this.answer(r.endpoint, { kind: "unavailable", client: r.req.client, seq: r.req.seq, leaderHint: this.raft.leader() });
  }

  // --- helpers ---

  /** A proposal whose index was taken by another entry can never commit: its outcome for this
   * attempt is known (not executed here), but a retry elsewhere may have run it, so the
   * client is told "unavailable" and retries with the same seq (sessions make that safe). */
  private dropOverwrittenWrites(entry: RaftEntry<MetaCommand<StoreOp>>): void {
    if (this.writes.size === 0) return;
    for (const [client, w] of this.writes) {
      if (w.index > entry.index) continue;
      this.writes.delete(client);
      this.answer(w.endpoint, { kind: "unavailable", client, seq: w.seq, leaderHint: this.raft.leader() });
    }
  }

  private serveReads(): void {
    if (this.reads.size === 0) return;
    const applied = this.store.appliedIndex();
    for (const [ctx, r] of this.reads) {
      if (r.index < 0 || r.index > applied) continue;
      this.reads.delete(ctx);
      if (r.forwarded) this.followerReadsServed++;
      this.answer(r.endpoint, { kind: "ok", client: r.req.client, seq: r.req.seq, result: this.store.read(r.req.op) });
    }
  }

  private notLeader(endpoint: number, req: StoreRequest): void {
    this.answer(endpoint, { kind: "not-leader", client: req.client, seq: req.seq, leaderHint: this.raft.leader() });
  }

  private answer(endpoint: number, reply: ServerReply): void {
    this.env.reply(endpoint, reply);
  }
}
