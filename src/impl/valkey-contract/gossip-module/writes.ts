// gossip-module's shard-log writes: an update is a txn stamped with a fresh epoch and spread to
// the shard; it counts only once a majority of the shard's members have persisted it — the way a
// Valkey replica's failover needs FAILOVER_AUTH_ACKs from a majority, each voter granting one
// request per epoch. Here a member grants (accepts) a txn only if
// - it is a member of the shard (as its gossip view has it),
// - every expected revision is the key's current revision in its own state (epoch-log.ts), and
// - none of the txn's keys is locked by another txn it accepted and has not seen decided
//   (committed, aborted, or its lock expired): one write per key at a time, hence at most one
//   write per (key, base revision) gathers a majority while the locks hold;
// and it persists the acceptance before answering. With a majority of acceptances the writer
// numbers the commit, persists it, applies it, and sends COMMIT; members persist and apply it and
// answer; the Core gets ok once a majority has the commit on disk. So an acknowledged write is on
// the disks of a majority (durable on success), and any later majority of accepters holds it and
// refuses a write on the older revision. Refusals that make a majority impossible abort the txn
// at once (ABORT releases the accepters' locks): a conflict is answered as such, a busy key as
// rejected (nothing was applied anywhere: only the writer decides a commit).
//
// Where this is weaker than a log (docs/valkey-contract.md, "gossip-module"): a lock is released
// after lockTimeoutUs without a decision (a crashed writer must not block a key forever), so a
// write whose COMMIT is delayed past that — or whose writer crashed after committing alone — can
// be overtaken by a write on the same base; the two then collide and the higher (epoch, node id)
// wins everywhere, silently dropping the other. There is no order across keys, and a member that
// was removed and re-added counts in whichever majority its gossip view has.
import type { ImplRng, NodeId } from "../../node.js";
import type { EpochLog, LogChange, Stamp, Txn, TxnWrite } from "./epoch-log.js";

export type Vote = "accept" | "busy" | "conflict" | "nonmember";

export interface ProposeMsg {
  readonly type: "gprop";
  readonly term: 0;
  readonly txn: Txn;
}
export interface VoteMsg {
  readonly type: "gvote";
  readonly term: 0;
  readonly id: string;
  readonly v: Vote;
  readonly failed: number;
  readonly current: Stamp | null;
}
export interface CommitMsg {
  readonly type: "gcommit";
  readonly term: 0;
  readonly txn: Txn;
}
export interface CommittedMsg {
  readonly type: "gcommitted";
  readonly term: 0;
  readonly id: string;
}
export interface AbortMsg {
  readonly type: "gabort";
  readonly term: 0;
  readonly id: string;
}
export type WriteMsg = ProposeMsg | VoteMsg | CommitMsg | CommittedMsg | AbortMsg;

/** What the module writes to disk for the shard log. */
export type LogRecord = { readonly t: "acc"; readonly txn: Txn } | { readonly t: "com"; readonly txn: Txn };

/** A write's outcome, in the module's terms (the module maps stamps to revisions). */
export type WriteResult =
  | { readonly kind: "ok"; readonly stamps: readonly (Stamp | null)[] }
  | { readonly kind: "conflict"; readonly failed: number; readonly current: Stamp | null }
  | { readonly kind: "unavailable" }
  | { readonly kind: "rejected"; readonly reason: string };

/** An op to write: base "bad" is an expected revision that names no write of this shard. */
export interface WriteOp {
  readonly key: string;
  readonly value: string | null;
  readonly base: Stamp | null | "bad";
}

export interface WriteHost {
  readonly self: NodeId;
  readonly rng: ImplRng;
  /** The shard's members as this node's gossip view has them (self included when a member). */
  members(): readonly NodeId[];
  send(to: NodeId, m: WriteMsg): void;
  /** Persist with fsync; `then` runs once it is durable. */
  persist(rec: LogRecord, then: (now: number) => void): void;
  /** Changes applied to the local state (one group per txn): tell the Core. */
  applied(groups: readonly (readonly LogChange[])[], now: number): void;
}

export interface WriteTimes {
  readonly requestTimeoutUs: number;
  readonly resendEveryUs: number;
  readonly lockTimeoutUs: number;
  /** Planted bugs (module.ts: GossipModuleBug); empty in a correct module. */
  readonly bugs?: ReadonlySet<string>;
}

interface Accepted {
  readonly txn: Txn;
  readonly until: number;
  durable: boolean;
  readonly replyTo: Set<NodeId>;
}

interface Pending {
  readonly txn: Txn;
  readonly done: (r: WriteResult, now: number) => void;
  phase: "accept" | "commit";
  readonly votes: Map<NodeId, VoteMsg>;
  readonly acks: Set<NodeId>;
  readonly deadline: number;
  resendAt: number;
  committed: Txn | null;
}

interface Queued {
  readonly ops: readonly WriteOp[];
  readonly done: (r: WriteResult, now: number) => void;
  readonly deadline: number;
}

export class ShardWrites {
  /** key -> id of the accepted txn holding it. */
  private readonly locks = new Map<string, string>();
  private readonly accepted = new Map<string, Accepted>();
  private readonly aborted = new Set<string>();
  private readonly pending = new Map<string, Pending>();
  private queued: Queued[] = [];
  /** Commits being persisted: id -> what to run once applied. */
  private readonly persisting = new Map<string, ((now: number) => void)[]>();
  /** This node's last commit number (recovered from its own commit records). */
  commitSeq = 0;

  constructor(
    private readonly h: WriteHost,
    readonly log: EpochLog,
    private readonly o: WriteTimes,
  ) {}

  /** Restart: an acceptance from disk holds its keys again, for a fresh lock period. */
  recoverAccepted(txn: Txn, now: number): void {
    if (this.log.has(txn.id)) return;
    this.lock(txn, now, true);
  }

  /** Is the local state settled: no commit being persisted, none waiting for a predecessor? */
  settled(): boolean {
    return this.persisting.size === 0 && this.log.deferredCount() === 0;
  }

  // ---- the writer (the Core's UpdateShardLog on this node) ----

  request(ops: readonly WriteOp[], now: number, done: (r: WriteResult, now: number) => void): void {
    if (!this.h.members().includes(this.h.self)) return done({ kind: "rejected", reason: `node ${this.h.self} is not a member of its shard (removed): give the update on a member` }, now);
    // A key locked here by an accepted txn may be about to change: wait for its decision, so the
    // compare below is made against it. An expected revision newer than this node's state (a
    // revision the Core took from another node) waits for that write to arrive: comparing now
    // would be a false conflict.
    if (this.blocked(ops)) {
      this.queued.push({ ops, done, deadline: now + this.o.requestTimeoutUs });
      return;
    }
    this.start(ops, now, done);
  }

  private start(ops: readonly WriteOp[], now: number, done: (r: WriteResult, now: number) => void): void {
    const bad = this.log.compare(ops);
    if (bad !== null) return done({ kind: "conflict", failed: bad.failed, current: bad.current }, now);
    // Valkey's configEpoch bump: max seen + 1. Planted bug "no-epoch-bump": a write reuses its
    // expected revision's epoch, so a rewrite by the same node keeps the revision (the ABA hazard).
    const reuse = this.o.bugs?.has("no-epoch-bump") ? ops.find((op) => op.base !== null && op.base !== "bad")?.base : undefined;
    const e = reuse !== undefined && reuse !== null && reuse !== "bad" ? reuse.e : ++this.log.maxEpoch;
    const writes: TxnWrite[] = ops.map((op) => ({ key: op.key, value: op.value, base: op.base as Stamp | null, seen: this.log.stampOf(op.key) }));
    const txn: Txn = Object.freeze({ id: `${this.h.self}.${e}.${this.h.rng.int(0, 999_999_999)}`, e, n: this.h.self, writes, cs: 0 });
    const p: Pending = { txn, done, phase: "accept", votes: new Map(), acks: new Set(), deadline: now + this.o.requestTimeoutUs, resendAt: now + this.o.resendEveryUs, committed: null };
    this.pending.set(txn.id, p);
    this.lock(txn, now, false).replyTo.add(this.h.self);
    this.h.persist({ t: "acc", txn }, (t) => this.onDurableAccept(txn.id, t));
    for (const m of this.h.members()) if (m !== this.h.self) this.h.send(m, { type: "gprop", term: 0, txn });
  }

  onVote(from: NodeId, m: VoteMsg, now: number): void {
    const p = this.pending.get(m.id);
    if (p === undefined || p.phase !== "accept") return;
    p.votes.set(from, m);
    this.evaluate(p, now);
  }

  /** A majority of the shard's members (planted bug "no-majority": the writer alone). */
  private majority(members: readonly NodeId[]): number {
    return this.o.bugs?.has("no-majority") ? 1 : Math.floor(members.length / 2) + 1;
  }

  private evaluate(p: Pending, now: number): void {
    const members = this.h.members();
    const maj = this.majority(members);
    let yes = 0;
    let no = 0;
    let conflict: VoteMsg | null = null;
    for (const m of members) {
      const v = p.votes.get(m);
      if (v === undefined) continue;
      if (v.v === "accept") yes++;
      else {
        no++;
        if (v.v === "conflict" && (conflict === null || v.failed < conflict.failed)) conflict = v;
      }
    }
    if (yes >= maj) return this.commitAsWriter(p, now);
    if (no > members.length - maj) {
      this.abort(p);
      p.done(conflict !== null ? { kind: "conflict", failed: conflict.failed, current: conflict.current } : { kind: "rejected", reason: "busy: members hold these keys for a concurrent write (nothing applied): retry" }, now);
    }
  }

  private commitAsWriter(p: Pending, now: number): void {
    p.phase = "commit";
    const c: Txn = Object.freeze({ ...p.txn, cs: ++this.commitSeq });
    p.committed = c;
    this.commitDurably(c, now, (t) => {
      p.acks.add(this.h.self);
      for (const m of this.h.members()) if (m !== this.h.self) this.h.send(m, { type: "gcommit", term: 0, txn: c });
      this.checkAcks(p, t);
    });
  }

  onCommitted(from: NodeId, m: CommittedMsg, now: number): void {
    const p = this.pending.get(m.id);
    if (p === undefined || p.phase !== "commit") return;
    p.acks.add(from);
    this.checkAcks(p, now);
  }

  private checkAcks(p: Pending, now: number): void {
    const members = this.h.members();
    const maj = this.majority(members);
    if (members.filter((m) => p.acks.has(m)).length < maj || !p.acks.has(this.h.self)) return;
    this.pending.delete(p.txn.id);
    const stamp: Stamp = { e: p.txn.e, n: p.txn.n };
    p.done({ kind: "ok", stamps: p.txn.writes.map((w) => (w.value === null ? null : stamp)) }, now);
  }

  private abort(p: Pending): void {
    this.pending.delete(p.txn.id);
    this.aborted.add(p.txn.id);
    this.release(p.txn.id);
    for (const m of this.h.members()) if (m !== this.h.self) this.h.send(m, { type: "gabort", term: 0, id: p.txn.id });
  }

  // ---- a member ----

  onPropose(from: NodeId, txn: Txn, now: number): void {
    if (txn.e > this.log.maxEpoch) this.log.maxEpoch = txn.e;
    if (this.aborted.has(txn.id)) return;
    const vote = (v: Vote, failed = -1, current: Stamp | null = null): void => this.h.send(from, { type: "gvote", term: 0, id: txn.id, v, failed, current });
    if (this.log.has(txn.id)) return vote("accept");
    const acc = this.accepted.get(txn.id);
    if (acc !== undefined) {
      if (acc.durable) vote("accept");
      else acc.replyTo.add(from);
      return;
    }
    if (!this.h.members().includes(this.h.self)) return vote("nonmember");
    // Busy: a key locked, or this member has not received the expected revision yet (a conflict
    // vote would be false; the writer retries).
    if (txn.writes.some((w) => this.locked(w.key)) || this.log.behind(txn.writes)) return vote("busy");
    const bad = this.log.compare(txn.writes);
    if (bad !== null) return vote("conflict", bad.failed, bad.current);
    this.lock(txn, now, false).replyTo.add(from);
    this.h.persist({ t: "acc", txn }, (t) => this.onDurableAccept(txn.id, t));
  }

  private onDurableAccept(id: string, now: number): void {
    const acc = this.accepted.get(id);
    if (acc === undefined) return; // decided meanwhile
    acc.durable = true;
    for (const to of acc.replyTo) {
      const m: VoteMsg = { type: "gvote", term: 0, id, v: "accept", failed: -1, current: null };
      if (to === this.h.self) this.onVote(to, m, now);
      else this.h.send(to, m);
    }
    acc.replyTo.clear();
  }

  onCommit(from: NodeId, txn: Txn, now: number): void {
    this.commitDurably(txn, now, () => this.h.send(from, { type: "gcommitted", term: 0, id: txn.id }));
  }

  onAbort(id: string): void {
    this.aborted.add(id);
    this.release(id);
  }

  /** A committed txn learnt by anti-entropy (a PONG): persisted and applied like a COMMIT. */
  learn(txn: Txn, now: number): void {
    this.commitDurably(txn, now, () => {});
  }

  /** Persist a commit, then apply it, release its locks, and run `then` (at once if known). */
  private commitDurably(txn: Txn, now: number, then: (now: number) => void): void {
    if (this.log.has(txn.id)) {
      // Known commits were applied only once durable (or came from the disk).
      then(now);
      return;
    }
    const waiting = this.persisting.get(txn.id);
    if (waiting !== undefined) return void waiting.push(then);
    this.persisting.set(txn.id, [then]);
    this.h.persist({ t: "com", txn }, (now) => {
      const run = this.persisting.get(txn.id) ?? [];
      this.persisting.delete(txn.id);
      this.h.applied(this.log.commit(txn), now);
      this.release(txn.id);
      for (const f of run) f(now);
    });
  }

  // ---- time ----

  /** Deadlines, resends, lock expiries and queued writes. */
  poll(now: number): void {
    for (const p of [...this.pending.values()]) {
      if (now >= p.deadline) {
        if (p.phase === "accept") {
          this.abort(p);
          p.done({ kind: "rejected", reason: "no majority of the shard accepted the write before the deadline (nothing applied): retry" }, now);
        } else {
          // Committed here and spreading; a majority has not confirmed it on disk yet.
          this.pending.delete(p.txn.id);
          p.done({ kind: "unavailable" }, now);
        }
      } else if (now >= p.resendAt) {
        // Lost messages: ask again whoever has not answered.
        p.resendAt = now + this.o.resendEveryUs;
        for (const m of this.h.members()) {
          if (m === this.h.self) continue;
          if (p.phase === "accept" && !p.votes.has(m)) this.h.send(m, { type: "gprop", term: 0, txn: p.txn });
          if (p.phase === "commit" && p.committed !== null && p.acks.has(this.h.self) && !p.acks.has(m)) this.h.send(m, { type: "gcommit", term: 0, txn: p.committed });
        }
      }
    }
    for (const [id, a] of [...this.accepted]) {
      // A writer that never decides must not hold the keys forever (the "less correct" part).
      if (now >= a.until && !this.pending.has(id)) this.release(id);
    }
    if (this.queued.length > 0) {
      const q = this.queued;
      this.queued = [];
      for (const w of q) {
        if (now >= w.deadline) {
          const why = this.log.behind(w.ops) ? "this node has not received the expected revision yet" : "a concurrent write on these keys was not decided";
          w.done({ kind: "rejected", reason: `busy: ${why} before the deadline (nothing applied): retry` }, now);
        } else if (this.blocked(w.ops)) this.queued.push(w);
        else this.request(w.ops, now, w.done);
      }
    }
  }

  /** The earliest local time poll() has something to do (Infinity: nothing). */
  nextDeadline(): number {
    let d = Number.POSITIVE_INFINITY;
    for (const p of this.pending.values()) d = Math.min(d, p.deadline, p.resendAt);
    // A writer's own acceptance is released by its decision (or deadline), not by its lock period.
    for (const [id, a] of this.accepted) if (!this.pending.has(id)) d = Math.min(d, a.until);
    for (const q of this.queued) d = Math.min(d, q.deadline);
    return d;
  }

  private blocked(ops: readonly WriteOp[]): boolean {
    return ops.some((op) => this.locked(op.key)) || this.log.behind(ops);
  }

  /** Is a key held by an undecided accepted write (planted bug "no-locks": never)? */
  private locked(key: string): boolean {
    return this.locks.has(key) && !this.o.bugs?.has("no-locks");
  }

  private lock(txn: Txn, now: number, durable: boolean): Accepted {
    const a: Accepted = { txn, until: now + this.o.lockTimeoutUs, durable, replyTo: new Set() };
    this.accepted.set(txn.id, a);
    for (const w of txn.writes) this.locks.set(w.key, txn.id);
    return a;
  }

  private release(id: string): void {
    const a = this.accepted.get(id);
    if (a === undefined) return;
    this.accepted.delete(id);
    for (const w of a.txn.writes) if (this.locks.get(w.key) === id) this.locks.delete(w.key);
  }
}

