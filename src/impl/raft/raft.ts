// Raft as a pure state machine, in the style of etcd's raft.go: inputs are onMessage / onTick /
// onPersisted / propose / readIndex / transferLeadership, each carrying the node's local time;
// every effect goes out through env (send, persist, wakeAt, note) or app (apply, readReady,
// readFailed). Follows the extended Raft paper and Ongaro's dissertation: PreVote (§9.6),
// CheckQuorum + leader lease on votes (§4.2.3, §6.2), ReadIndex (§6.4), leadership transfer
// (§3.10), fast conflict backtracking, Figure-8 commit rule.
//
// Durability: hard state (term, vote) and entries are persisted with sync=true. Messages whose
// meaning is "I have durably done X" (vote grants and rejections after a term bump, candidate
// vote requests, append acknowledgements) are queued with the token of the latest write and sent
// from onPersisted once that token is durable. The leader counts its own log for commitment only
// up to its durable index; its AppendEntries go out in parallel with its own write (§10.2.1).
//
// Snapshots (§7): once snapshotEvery applied entries follow the last snapshot, the next tick
// takes one at the applied index (never inside an apply callback, so every committed entry is
// seen by the host before it can be compacted away), compacts the in-memory log and writes it
// through the disk (see snapshot.ts: rotate the WAL, base records, write tmp, rename, fsync;
// once durable, older WAL segments are dropped). A follower whose next entry was compacted is
// sent InstallSnapshot in chunks, one in flight at a time; it installs only a snapshot newer
// than its commit index and keeps the entries after the snapshot if its log has the snapshot's
// last entry (same index and term), as §7 says. Restart: snapshot file, then the WAL.
//
// Fencing (snapshot restore). An operator may restore a node's disk from an older backup; it
// then writes the marker RESTORED holding fenceTerm = the highest term in any node's durable
// state at that moment. The node forgot votes it cast (all in terms <= fenceTerm: a candidate
// makes its term durable before asking) and entries it acknowledged (which leaders may have
// counted toward commitment, before the crash or — from a stale progress — after it). A node
// that starts with the marker is fenced until its commit index reaches an entry of a term
// above fenceTerm (received from a leader of such a term). While fenced it
//   - never campaigns and never grants a vote or a prevote, in ANY term,
//   - flags its append / snapshot / heartbeat / vote responses as fenced, and leaders count
//     those toward nothing: not commitment (Progress.cmatch), not ReadIndex rounds, not
//     CheckQuorum activity (it may still be a term behind and follow a deposed leader).
// Why no votes at all, and not only "no votes in terms <= fenceTerm": an entry committed with
// its (now forgotten) acknowledgement in term t <= fenceTerm is held by only quorum-1 others;
// were it to vote in a term above fenceTerm with its older log, a candidate lacking the entry
// could win with it plus quorum-1 nodes that lack it too (5 nodes: e committed by {L, A, N};
// N restored; L down; B wins term fenceTerm+1 with votes of B, C and N). Without its vote, any
// election quorum Q' (q nodes among the n-k not fenced, k fenced) meets the q-k genuine holders
// left of every commit quorum: (q-k) + q - (n-k) = 2q-n >= 1. That includes commits that
// counted its acknowledgement after the restore through a leader's stale progress: those
// leaders have terms <= fenceTerm. Why unfencing needs an entry of a term above fenceTerm at
// its commit index: such a leader L' was elected without it, so L' holds every entry committed
// in terms <= fenceTerm, all below L's first entry of its term; holding L's log up to that
// entry, the node holds them too, and its term (> fenceTerm) rules out a second vote in any
// term it may have voted in. Catching up with a leader of term fenceTerm is not enough: that
// leader may still commit entries counting the node's stale pre-restore acknowledgement.
// Liveness: a fenced node stays fenced under a stable leader of term fenceTerm until the next
// election; the nemesis never restores a node when that would leave fewer than a quorum of
// unfenced nodes.
//
// Planted bugs (RaftOptions.bugs) are checked at exactly the spot where the real bug lived; each
// site is marked "PLANTED BUG". With any bug on, the assertions that the bug could trip are
// skipped so that the simulator's external checkers find the violation instead.
import type { NodeEnv, NodeId, Recovered } from "../node.js";
import { MonotonicTime } from "./monotonic.js";
import { RoleCode } from "../node.js";
import type { RaftApp, RaftEntry, RaftOptions, RaftView, Role } from "./api.js";
import { applyConfChange, checkConf, singleServerApart, VoterSet, type ConfChange, type ConfState } from "./config.js";
import { RaftLog } from "./log.js";
import { ignoresWhileFollowing, ReadLease } from "./lease.js";
import type {
  AppendRequest,
  AppendResponse,
  Heartbeat,
  HeartbeatResponse,
  RaftMessage,
  VoteRequest,
  VoteResponse,
} from "./messages.js";
import type { InstallSnapshot, SnapshotResponse } from "./messages.js";
import { Progress } from "./progress.js";
import type { RaftRecord } from "./records.js";
import {
  asRestoreMarker,
  asSnapshot,
  RESTORED_FILE,
  SNAPSHOT_FILE,
  SNAPSHOT_TMP,
  type RaftSnapshot,
} from "./snapshot.js";

export type { RaftMessage } from "./messages.js";
export type { RaftRecord } from "./records.js";

const NO_ENTRIES: readonly RaftEntry<never>[] = Object.freeze([]);

/** "custom" notes (a = code, b = argument), for traces and tools. */
export const NOTE_UNFENCED = 1; // b = term
export const NOTE_SNAPSHOT_TAKEN = 2; // b = index
export const NOTE_SNAPSHOT_INSTALLED = 3; // b = index
export const NOTE_CONFIG = 4; // b = index of the configuration entry now in effect (0: initial)
export const NOTE_STEP_DOWN_REMOVED = 5; // b = term: a leader left the configuration and stepped down

const VOTE_NONE = 0;
const VOTE_GRANTED = 1;
const VOTE_REJECTED = 2;

interface Deferred<C> {
  readonly token: number;
  readonly to: NodeId;
  readonly msg: RaftMessage<C>;
}

/** A snapshot being received, chunk by chunk. */
interface IncomingSnapshot {
  readonly index: number;
  readonly term: number;
  readonly leaderTerm: number;
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  readonly chunks: unknown[];
  next: number;
}

/** A configuration entry still in the log (after the snapshot). */
interface ConfAt {
  readonly index: number;
  readonly conf: ConfState;
}

interface PendingRead {
  readonly ctx: number;
  /** Read index, or -1 when registered before the leader committed an entry of its term (then
   * the commit index at release time is used, which is >= every index committed before). */
  readonly index: number;
  readonly seq: number;
}

function fail(what: string): never {
  throw new Error(`raft invariant: ${what}`);
}

export class Raft<C> implements RaftView<C> {
  readonly id: NodeId;
  private readonly opts: RaftOptions;
  private readonly env: NodeEnv<RaftMessage<C>, RaftRecord<C>, unknown>;
  private readonly app: RaftApp<C>;
  /** The voters of the configuration in effect (see "Membership"). Replaced on every change. */
  private cfg: VoterSet;
  private readonly log: RaftLog<C>;
  private isVoter: boolean;
  // --- membership: the configuration at the snapshot index (or the initial one), the
  // configuration entries after it in log order, and what is in effect (the latest of them) ---
  private baseConf: ConfAt;
  private confs: ConfAt[] = [];
  private curConf: ConfState;
  private curConfIndex = 0;
  /** Servers the leader replicates to: voters and learners but us, plus (while the latest
   * configuration entry is uncommitted) the members it removes, so they usually learn of it. */
  private peers: NodeId[] = [];
  private readonly promoteLag: number;
  /** Each voter's replicated index for commitment (ours: the durable index). Allocated once. */
  private readonly matchOf = (p: NodeId): number => (p === this.id ? this.durable : this.prs[p]!.cmatch);

  // --- planted bugs, resolved once (Set lookups stay off the hot path) ---
  private readonly bugCommitPreviousTerm: boolean;
  private readonly bugVoteWithoutLogCheck: boolean;
  private readonly bugVoteNotPersisted: boolean;
  private readonly bugCountStaleVote: boolean;
  private readonly bugAppendKeepsConflicts: boolean;
  private readonly bugCommitIndexDecreases: boolean;
  private readonly bugStaleLocalRead: boolean;
  private readonly bugReadBeforeTermCommit: boolean;
  private readonly bugAckBeforeDurable: boolean;
  private readonly bugRestoreUnfenced: boolean;
  private readonly bugSnapshotInstallDropsNewer: boolean;
  private readonly bugMembershipConcurrent: boolean;
  private readonly bugMembershipBeforeTermCommit: boolean;
  /** No bug on: assert the safety properties that a planted bug would break. */
  private readonly strict: boolean;

  // --- persistent state (mirrored in the WAL) ---
  private curTerm = 0;
  private vote: NodeId = -1;

  // --- volatile state ---
  private curRole: Role = "follower";
  private lead: NodeId = -1;
  private commit = 0;
  private applied = 0;
  private durable = 0;
  private applying = false;

  // --- snapshots and fencing ---
  private readonly snapshotEvery: number;
  private readonly snapshotChunk: number;
  /** The latest snapshot (taken, installed or loaded): what InstallSnapshot sends. */
  private snap: RaftSnapshot | null = null;
  /** Local time at which to take a snapshot (-1: none due). */
  private snapDueAt = -1;
  /** Snapshot writes in flight: once `token` is durable, WAL records before `boundary` go. */
  private saving: { token: number; boundary: number }[] = [];
  private incoming: IncomingSnapshot | null = null;
  /** >= 0 while fenced after a restore (see "Fencing" above); -1 otherwise. */
  private fenceTerm = -1;

  // --- timers (local microseconds) ---
  private electionDeadline = 0;
  private heartbeatDeadline = 0;
  private checkQuorumDeadline = 0;
  private transferDeadline = 0;
  private lastLeaderContact = Number.NEGATIVE_INFINITY;
  private armedAt = Number.NaN;

  // --- candidate ---
  private readonly votes: number[];

  // --- leader ---
  private readonly prs: (Progress | undefined)[];
  private transferee: NodeId = -1;
  private termStart = 0; // index of this leader's no-op
  private readSeq = 0;
  private reads: PendingRead[] = [];
  private readHead = 0;
  /** Reads answered without a quorum round, delivered from the next tick. */
  private readyNow: PendingRead[] = [];
  private readsDueAt = -1;
  /** Lease reads (lease.ts); null in read-index mode. */
  private readonly lease: ReadLease | null;

  // --- durability bookkeeping ---
  // Writes not yet durable: token and the log index that is durable once it is (fsyncs complete
  // in order, so a write's durability implies all earlier ones).
  private wTokens: number[] = [];
  private wIndex: number[] = [];
  private wHead = 0;
  private deferred: Deferred<C>[] = [];
  private dHead = 0;
  /** Local clock readings → non-decreasing time (see monotonic.ts); every input goes through it. */
  private readonly clock = new MonotonicTime();

  constructor(
    id: NodeId,
    opts: RaftOptions,
    env: NodeEnv<RaftMessage<C>, RaftRecord<C>, unknown>,
    app: RaftApp<C>,
    recovered: Recovered<RaftRecord<C>> | null,
    now: number,
  ) {
    if (!(opts.electionMinUs > 0 && opts.electionMaxUs >= opts.electionMinUs)) fail("bad election timeout range");
    if (!(opts.heartbeatUs > 0)) fail("bad heartbeat interval");
    if (!(opts.maxBatch >= 1)) fail("maxBatch must be >= 1");
    now = this.readClock(now);
    this.id = id;
    this.opts = opts;
    this.env = env;
    this.app = app;
    const initial: ConfState = { voters: opts.voters, learners: [] };
    checkConf(initial);
    this.baseConf = { index: 0, conf: initial };
    this.curConf = initial;
    this.cfg = new VoterSet(opts.voters);
    this.isVoter = this.cfg.has(id);
    this.promoteLag = opts.promoteLag ?? 16;
    const b = opts.bugs;
    this.bugCommitPreviousTerm = b.has("commit-previous-term");
    this.bugVoteWithoutLogCheck = b.has("vote-without-log-check");
    this.bugVoteNotPersisted = b.has("vote-not-persisted");
    this.bugCountStaleVote = b.has("count-stale-vote");
    this.bugAppendKeepsConflicts = b.has("append-keeps-conflicts");
    this.bugCommitIndexDecreases = b.has("commit-index-decreases");
    this.bugStaleLocalRead = b.has("stale-local-read");
    this.bugReadBeforeTermCommit = b.has("read-before-term-commit");
    this.bugAckBeforeDurable = b.has("ack-before-durable");
    this.bugRestoreUnfenced = b.has("restore-unfenced");
    this.bugSnapshotInstallDropsNewer = b.has("snapshot-install-drops-newer");
    this.bugMembershipConcurrent = b.has("membership-concurrent-changes");
    this.bugMembershipBeforeTermCommit = b.has("membership-before-term-commit");
    this.snapshotEvery = opts.snapshotEvery ?? 0;
    this.snapshotChunk = opts.snapshotChunk ?? 16;
    if (!(this.snapshotEvery >= 0 && this.snapshotChunk >= 1)) fail("bad snapshot settings");
    this.strict = b.size === 0;
    this.log = new RaftLog<C>(this.strict);
    this.lease = ReadLease.create(opts, now);

    const bound = Math.max(this.cfg.idBound, id + 1);
    this.votes = new Array<number>(bound).fill(VOTE_NONE);
    this.prs = new Array<Progress | undefined>(bound).fill(undefined);
    for (const p of this.cfg.ids) if (p !== id) this.prs[p] = new Progress(p, opts.maxInflight);
    for (const p of this.cfg.ids) if (p !== id) this.peers.push(p);

    if (recovered !== null) {
      const sf = recovered.files?.get(SNAPSHOT_FILE);
      if (sf !== undefined) {
        const snap = asSnapshot(sf);
        this.snap = snap;
        this.baseConf = { index: snap.index, conf: { voters: snap.voters, learners: snap.learners ?? [] } };
        this.log.reset(snap.index, snap.term);
        app.restore(snap.chunks, snap.index, now);
        this.commit = snap.index;
        this.applied = snap.index;
      }
      const mk = recovered.files?.get(RESTORED_FILE);
      if (mk !== undefined) {
        if (this.bugRestoreUnfenced) {
          // PLANTED BUG restore-unfenced: ignore the marker (and drop it) — the restored node
          // votes and acknowledges at once with the state it forgot.
          env.deleteFile(RESTORED_FILE);
        } else {
          this.fenceTerm = asRestoreMarker(mk).fenceTerm;
          if (this.fenceTerm < 0) fail("negative fence term");
        }
      }
      const n = Math.min(recovered.corruptFrom, recovered.records.length);
      for (let i = 0; i < n; i++) {
        const rec = recovered.records[i];
        if (rec.kind === "hs") {
          if (rec.term < this.curTerm) fail("WAL hard state term decreases");
          this.curTerm = rec.term;
          this.vote = rec.vote;
        } else {
          this.log.replay(rec);
        }
      }
      if (this.log.lastTerm() > this.curTerm && this.strict) fail("recovered log has an entry from a future term");
      this.durable = this.log.lastIndex();
      this.rescanConfs();
      this.applyConf(now);
    }
    env.note("role", RoleCode.follower, this.curTerm);
    this.resetElectionTimer(now);
    this.arm(true);
  }

  // ======================================================================================
  // RaftView
  // ======================================================================================

  role(): Role {
    return this.curRole;
  }
  term(): number {
    return this.curTerm;
  }
  votedFor(): NodeId {
    return this.vote;
  }
  leader(): NodeId {
    return this.lead;
  }
  commitIndex(): number {
    return this.commit;
  }
  appliedIndex(): number {
    return this.applied;
  }
  firstIndex(): number {
    return this.log.firstIndex();
  }
  lastIndex(): number {
    return this.log.lastIndex();
  }
  entry(i: number): RaftEntry<C> | undefined {
    return this.log.entry(i);
  }
  durableIndex(): number {
    return this.durable;
  }
  snapshotIndex(): number {
    return this.log.snapshotIndex();
  }
  snapshotTerm(): number {
    return this.log.snapshotTerm();
  }
  fenced(): boolean {
    return this.fenceTerm >= 0;
  }
  /** The latest snapshot this node holds (tests and tools). */
  latestSnapshot(): RaftSnapshot | null {
    return this.snap;
  }
  voters(): readonly NodeId[] {
    return this.cfg.ids;
  }
  learners(): readonly NodeId[] {
    return this.curConf.learners;
  }
  configIndex(): number {
    return this.curConfIndex;
  }
  votersAt(i: number): readonly NodeId[] {
    return this.confAt(i).voters;
  }
  /** Whether the latest configuration entry is still uncommitted (a change is in progress). */
  confChangePending(): boolean {
    return this.curConfIndex > this.commit;
  }
  /** The transfer target while a leadership transfer is in progress, else -1. */
  transferTarget(): NodeId {
    return this.transferee;
  }

  // ======================================================================================
  // Inputs
  // ======================================================================================

  propose(data: C, now: number): { index: number; term: number } | null {
    now = this.readClock(now);
    if (this.curRole !== "leader" || this.transferee !== -1) return null;
    const e: RaftEntry<C> = { index: this.log.lastIndex() + 1, term: this.curTerm, data };
    this.appendLocal(e);
    for (const p of this.peers) this.sendAppend(p, false);
    this.arm(false);
    return { index: e.index, term: e.term };
  }

  /** Propose a single-server configuration change (dissertation §4.1). Refused (a reason is
   * returned) unless this node leads, has committed an entry of its term (the 2015 fix: an
   * earlier leader's uncommitted change may still be in some logs) and no other change is
   * uncommitted. The new configuration takes effect here at once, as it will on every server
   * that appends the entry. */
  proposeConfChange(ch: ConfChange, now: number): { index: number; term: number } | string {
    this.readClock(now);
    return this.confChange(ch);
  }

  private confChange(ch: ConfChange): { index: number; term: number } | string {
    if (this.curRole !== "leader") return "not leader";
    if (this.transferee !== -1) return "leadership transfer in progress";
    // PLANTED BUG membership-before-term-commit: propose before this term's first commit.
    if (this.commit < this.termStart && !this.bugMembershipBeforeTermCommit) return "no entry of this term committed yet";
    // PLANTED BUG membership-concurrent-changes: a second change while one is uncommitted.
    if (this.curConfIndex > this.commit && !this.bugMembershipConcurrent) return "a configuration change is pending";
    const next = applyConfChange(this.curConf, ch);
    if (typeof next === "string") return next;
    checkConf(next);
    if (this.strict && !singleServerApart(next.voters, this.confAt(this.commit).voters)) fail("configuration change of more than one voter from the committed configuration");
    const e: RaftEntry<C> = { index: this.log.lastIndex() + 1, term: this.curTerm, data: null, conf: next };
    this.appendLocal(e);
    for (const p of this.peers) this.sendAppend(p, false);
    this.arm(false);
    return { index: e.index, term: e.term };
  }

  /** Register a linearizable read. Never calls back synchronously: readReady / readFailed come
   * from a later input (a single-voter or stale-local-read answer comes from a tick at `now`). */
  readIndex(ctx: number, now: number): boolean {
    now = this.readClock(now);
    if (this.curRole !== "leader") return false;
    if (this.bugStaleLocalRead) {
      // PLANTED BUG stale-local-read: serve from the local commit index without confirming
      // leadership; a deposed leader that has not heard of its successor answers stale data.
      this.readyNow.push({ ctx, index: this.commit, seq: 0 });
      this.readsDueAt = now;
      this.arm(false);
      return true;
    }
    const termCommitted = this.commit >= this.termStart;
    const lease = this.lease;
    if (lease !== null && termCommitted && this.transferee === -1 && lease.valid(this.curTerm, now)) {
      // Lease read (lease.ts): answered from the commit index at this instant, from the next tick.
      this.readyNow.push({ ctx, index: this.commit, seq: 0 });
      this.readsDueAt = now;
      if (lease.wantsRenewal(now) && (this.cfg.quorum > 1 || !this.isVoter)) {
        lease.roundSent(this.curTerm, ++this.readSeq, now);
        this.broadcastHeartbeat();
      }
      this.arm(false);
      return true;
    }
    // PLANTED BUG read-before-term-commit: take the local commit index as the read index even
    // before this leader's no-op committed — it may lag entries committed by earlier leaders.
    const index = termCommitted || this.bugReadBeforeTermCommit ? this.commit : -1;
    const seq = ++this.readSeq;
    this.reads.push({ ctx, index, seq });
    if (lease !== null) lease.roundSent(this.curTerm, seq, now); // a ReadIndex round renews the lease
    if (this.cfg.quorum <= 1 && this.isVoter) this.readsDueAt = now;
    else this.broadcastHeartbeat();
    this.arm(false);
    return true;
  }

  transferLeadership(to: NodeId, now: number): boolean {
    now = this.readClock(now);
    if (this.curRole !== "leader" || to === this.id || !this.cfg.has(to)) return false;
    if (this.transferee === to) return true;
    this.transferee = to;
    this.transferDeadline = now + this.opts.electionMinUs;
    if (this.lease !== null) this.lease.revoke(this.curTerm); // TimeoutNow forces votes past the lease
    const pr = this.prs[to]!;
    if (pr.match === this.log.lastIndex()) this.sendTimeoutNow(to);
    else this.sendAppend(to, true);
    this.arm(false);
    return true;
  }

  onTick(now: number): void {
    now = this.readClock(now);
    if (this.snapDueAt >= 0 && now >= this.snapDueAt) {
      this.snapDueAt = -1;
      this.takeSnapshot();
    }
    if (this.readsDueAt >= 0) {
      this.readsDueAt = -1;
      const rs = this.readyNow;
      if (rs.length > 0) {
        this.readyNow = [];
        for (const r of rs) this.app.readReady(r.ctx, r.index, now);
      }
      if (this.curRole === "leader" && this.readHead < this.reads.length) this.processReads(now);
    }
    if (this.curRole === "leader") {
      if (this.opts.checkQuorum && now >= this.checkQuorumDeadline) {
        this.checkQuorumDeadline = now + this.opts.electionMinUs;
        if (!this.quorumActive()) {
          this.becomeFollower(this.curTerm, -1, now);
          this.arm(true);
          return;
        }
      }
      if (this.transferee !== -1 && now >= this.transferDeadline) this.transferee = -1; // abort
      if (now >= this.heartbeatDeadline) {
        this.heartbeatDeadline = now + this.opts.heartbeatUs;
        this.broadcastHeartbeat();
      }
    } else if (this.canCampaign() && now >= this.electionDeadline) {
      // A fenced node never campaigns: it waits for a leader of a term above fenceTerm.
      if (this.fenceTerm >= 0) this.resetElectionTimer(now);
      else this.campaign(false, now);
    }
    this.arm(true);
  }

  onPersisted(token: number, now: number): void {
    now = this.readClock(now);
    while (this.wHead < this.wTokens.length && this.wTokens[this.wHead] <= token) {
      const d = this.wIndex[this.wHead++];
      if (d < this.durable && this.strict) fail("durable index decreased");
      this.durable = d;
    }
    if (this.wHead === this.wTokens.length) {
      this.wTokens.length = 0;
      this.wIndex.length = 0;
      this.wHead = 0;
    }
    if (this.durable > this.log.lastIndex()) fail("durable index beyond last index");
    // Snapshots now durable: the WAL segments before their base can go.
    let dropped = false;
    while (this.saving.length > 0 && this.saving[0].token <= token) {
      this.env.dropWalBefore(this.saving.shift()!.boundary);
      dropped = true;
    }
    if (dropped) this.maybeScheduleSnapshot(now);
    // Deferred messages, in token order. Handling one may defer more (always with a larger,
    // not yet durable token), so the loop re-reads the length.
    while (this.dHead < this.deferred.length && this.deferred[this.dHead].token <= token) {
      const d = this.deferred[this.dHead++];
      this.deliver(d.to, d.msg, now);
    }
    if (this.dHead === this.deferred.length) {
      this.deferred.length = 0;
      this.dHead = 0;
    }
    if (this.curRole === "leader") this.maybeCommit(now);
    this.arm(false);
  }

  onMessage(from: NodeId, m: RaftMessage<C>, now: number): void {
    now = this.readClock(now);
    this.step(from, m, now);
    this.arm(false);
  }

  // ======================================================================================
  // Step: term handling, then dispatch (etcd's Step)
  // ======================================================================================

  private step(from: NodeId, m: RaftMessage<C>, now: number): void {
    if (m.term > this.curTerm) {
      if (m.type === "vote" && !m.force && this.inLease(now)) {
        // CheckQuorum leader lease: a node that heard from a live leader within the minimum
        // election timeout ignores (pre)votes from others, so a partitioned node cannot disrupt.
        return;
      }
      // Lease reads: nor does a follower in that window take a higher term from a response.
      if (this.lease !== null && this.curRole === "follower" && ignoresWhileFollowing(m.type) && this.inLease(now)) return;
      if (m.type === "vote" && m.pre) {
        // a prevote never changes our term
      } else if (m.type === "voteResp" && m.pre && m.granted) {
        // a granted prevote carries the term we would campaign in; not a real term
      } else if (m.type === "app" || m.type === "hb" || m.type === "timeoutNow" || m.type === "snap") {
        this.becomeFollower(m.term, from, now);
      } else {
        this.becomeFollower(m.term, -1, now);
      }
    } else if (m.term < this.curTerm) {
      if ((this.opts.checkQuorum || this.opts.preVote) && (m.type === "app" || m.type === "hb" || m.type === "snap")) {
        // Tell a stale leader about the newer term (otherwise, with PreVote/CheckQuorum, a node
        // with a higher term that nobody will vote for could stay stuck, etcd #5451).
        this.env.send(from, this.appResp(false, 0, 0, 0));
      } else if (m.type === "vote" && m.pre) {
        this.env.send(from, this.voteResp(this.curTerm, true, false));
      } else if (
        this.bugCountStaleVote &&
        m.type === "voteResp" &&
        !m.pre &&
        m.granted &&
        this.curRole === "candidate"
      ) {
        // PLANTED BUG count-stale-vote: a grant from an earlier election is counted for this one.
        this.poll(from, true, now);
      }
      return;
    }

    if (this.curRole === "leader") {
      const pr = this.prs[from];
      // A fenced node's messages show no CheckQuorum activity (PLANTED BUG restore-unfenced
      // never sets the flag).
      if (pr !== undefined) {
        const fenced = isFencedMessage(m);
        if (!fenced) pr.recentActive = true;
        if (m.type === "appResp" || m.type === "hbResp" || m.type === "snapResp") pr.fenced = fenced;
      }
    }

    switch (m.type) {
      case "vote":
        this.handleVote(from, m, now);
        return;
      case "voteResp":
        if ((this.curRole === "precandidate" && m.pre) || (this.curRole === "candidate" && !m.pre && m.term === this.curTerm)) {
          this.poll(from, m.granted, now);
        }
        return;
      case "app":
        if (this.curRole === "leader") return; // two leaders in one term: only under planted bugs
        if (this.curRole !== "follower") this.becomeFollower(this.curTerm, from, now);
        this.handleAppend(from, m, now);
        return;
      case "hb":
        if (this.curRole === "leader") return;
        if (this.curRole !== "follower") this.becomeFollower(this.curTerm, from, now);
        this.handleHeartbeat(from, m, now);
        return;
      case "appResp":
        if (this.curRole === "leader") this.handleAppendResponse(from, m, now);
        return;
      case "hbResp":
        if (this.curRole === "leader") this.handleHeartbeatResponse(from, m, now);
        return;
      case "timeoutNow":
        if (this.curRole === "follower" && this.canCampaign() && this.fenceTerm < 0) this.becomeCandidate(true, now);
        return;
      case "snap":
        if (this.curRole === "leader") return;
        if (this.curRole !== "follower") this.becomeFollower(this.curTerm, from, now);
        this.handleSnapshot(from, m, now);
        return;
      case "snapResp":
        if (this.curRole === "leader") this.handleSnapshotResponse(from, m, now);
        return;
    }
  }

  /** Recently heard from a leader (CheckQuorum lease); a leader is always in its own lease. */
  private recentlyHeardLeader(now: number): boolean {
    if (this.lead === -1) return false;
    if (this.curRole === "leader") return true;
    return now - this.lastLeaderContact < this.opts.electionMinUs;
  }

  private inLease(now: number): boolean {
    return this.opts.checkQuorum && (this.recentlyHeardLeader(now) || (this.lease !== null && this.lease.bootBlackout(now)));
  }

  // ======================================================================================
  // Elections
  // ======================================================================================

  private campaign(force: boolean, now: number): void {
    if (this.opts.preVote && !force) this.becomePreCandidate(now);
    else this.becomeCandidate(force, now);
  }

  private becomePreCandidate(now: number): void {
    if (this.curRole === "leader") fail("leader cannot become precandidate");
    this.setRole("precandidate");
    this.setLeader(-1);
    this.resetElectionTimer(now);
    this.votes.fill(VOTE_NONE);
    this.votes[this.id] = VOTE_GRANTED; // counted only if we are a voter (poll iterates voters)
    if (this.cfg.quorum <= 1 && this.isVoter) {
      this.becomeCandidate(false, now);
      return;
    }
    const req: VoteRequest = {
      type: "vote",
      term: this.curTerm + 1,
      from: this.id,
      pre: true,
      lastIndex: this.log.lastIndex(),
      lastTerm: this.log.lastTerm(),
      force: false,
    };
    for (const p of this.cfg.ids) if (p !== this.id) this.env.send(p, req);
  }

  private becomeCandidate(force: boolean, now: number): void {
    if (this.curRole === "leader") fail("leader cannot become candidate");
    this.setTermAndVote(this.curTerm + 1, this.id);
    this.setRole("candidate");
    this.setLeader(-1);
    this.resetElectionTimer(now);
    this.votes.fill(VOTE_NONE);
    const req: VoteRequest = {
      type: "vote",
      term: this.curTerm,
      from: this.id,
      pre: false,
      lastIndex: this.log.lastIndex(),
      lastTerm: this.log.lastTerm(),
      force,
    };
    // Requests and our own vote count only once term+vote are durable: otherwise a crash could
    // forget the self-vote and let this node vote for someone else in the same term.
    for (const p of this.cfg.ids) if (p !== this.id) this.respond(p, req, true, now);
    this.respond(this.id, this.voteResp(this.curTerm, false, true), true, now);
  }

  private handleVote(from: NodeId, m: VoteRequest, now: number): void {
    // m.term >= curTerm here (a real vote with a higher term already moved us to it).
    // A fenced node grants nothing, in any term (see "Fencing").
    const canVote =
      this.fenceTerm < 0 &&
      (this.vote === from || (this.vote === -1 && this.lead === -1) || (m.pre && m.term > this.curTerm));
    const lastTerm = this.log.lastTerm();
    // PLANTED BUG vote-without-log-check: skip the election restriction (§5.4.1).
    const upToDate =
      this.bugVoteWithoutLogCheck ||
      m.lastTerm > lastTerm ||
      (m.lastTerm === lastTerm && m.lastIndex >= this.log.lastIndex());
    // PreVote (§9.6): no prevote while we have heard from a leader within the minimum timeout.
    const leaseOk = !m.pre || m.force || !this.recentlyHeardLeader(now);
    // PLANTED BUG vote-not-persisted: reply without waiting for the hard state to be durable.
    const waitDurable = !this.bugVoteNotPersisted;
    if (canVote && upToDate && leaseOk) {
      if (m.pre) {
        this.env.send(from, this.voteResp(m.term, true, true));
      } else {
        if (this.curRole === "candidate" || this.curRole === "leader") fail("granting a vote while candidate/leader");
        if (this.curRole === "precandidate") this.becomeFollower(this.curTerm, -1, now);
        this.setTermAndVote(this.curTerm, from);
        this.resetElectionTimer(now);
        this.respond(from, this.voteResp(this.curTerm, false, true), waitDurable, now);
      }
    } else {
      this.respond(from, this.voteResp(this.curTerm, m.pre, false), !m.pre && waitDurable, now);
    }
  }

  private poll(from: NodeId, granted: boolean, now: number): void {
    if (!this.cfg.has(from)) return;
    if (this.votes[from] === VOTE_NONE) this.votes[from] = granted ? VOTE_GRANTED : VOTE_REJECTED;
    let yes = 0;
    let no = 0;
    for (const p of this.cfg.ids) {
      const v = this.votes[p];
      if (v === VOTE_GRANTED) yes++;
      else if (v === VOTE_REJECTED) no++;
    }
    if (yes >= this.cfg.quorum) {
      if (this.curRole === "precandidate") this.becomeCandidate(false, now);
      else this.becomeLeader(now);
    } else if (no >= this.cfg.quorum) {
      this.becomeFollower(this.curTerm, -1, now);
    }
  }

  private becomeFollower(term: number, leader: NodeId, now: number): void {
    const wasLeader = this.curRole === "leader";
    const termChanged = term !== this.curTerm;
    if (termChanged) this.setTermAndVote(term, -1);
    if (this.curRole !== "follower" || termChanged) this.setRole("follower");
    this.setLeader(leader);
    this.transferee = -1;
    this.resetElectionTimer(now);
    if (wasLeader) this.failReads(now);
  }

  private becomeLeader(now: number): void {
    if (this.curRole !== "candidate") fail("only a candidate becomes leader");
    if (this.vote !== this.id) fail("leader did not vote for itself");
    this.setRole("leader");
    this.setLeader(this.id);
    this.transferee = -1;
    this.applyConf(now); // a pending change: replicate to the members it removes too
    const next = this.log.lastIndex() + 1;
    for (const p of this.peers) this.prs[p]!.reset(next);
    this.reads.length = 0;
    this.readHead = 0;
    this.termStart = next;
    this.appendLocal({ index: next, term: this.curTerm, data: null });
    this.checkQuorumDeadline = now + this.opts.electionMinUs;
    this.heartbeatDeadline = now + this.opts.heartbeatUs;
    for (const p of this.peers) this.sendAppend(p, true);
  }

  // ======================================================================================
  // Follower side of replication
  // ======================================================================================

  private handleAppend(from: NodeId, m: AppendRequest<C>, now: number): void {
    this.lastLeaderContact = now;
    this.resetElectionTimer(now);
    this.setLeader(from);
    const off = this.log.snapshotIndex();
    if (m.prevIndex < off) {
      // Our snapshot covers prevIndex: entries up to it are committed, so they are the leader's.
      // Trim the message to start at the snapshot (a rare, delayed or duplicated append).
      const skip = Math.min(off - m.prevIndex, m.entries.length);
      if (skip < off - m.prevIndex) {
        this.respond(from, this.appResp(true, m.prevIndex + m.entries.length, 0, 0), true, now);
        return;
      }
      const at = m.entries[skip - 1];
      if (at.index !== off || (at.term !== this.log.snapshotTerm() && this.strict)) fail("leader's log disagrees with our snapshot");
      m = { ...m, prevIndex: off, prevTerm: at.term, entries: m.entries.slice(skip) };
    }
    const last = this.log.lastIndex();
    if (m.prevIndex > last || this.log.termAt(m.prevIndex) !== m.prevTerm) {
      let hintIndex: number;
      let hintTerm: number;
      if (m.prevIndex > last) {
        hintIndex = last;
        hintTerm = 0;
      } else {
        if (m.prevIndex <= this.commit && this.strict) fail("leader's log disagrees with a committed entry");
        hintTerm = this.log.termAt(m.prevIndex);
        let j = m.prevIndex;
        while (j - 1 > this.commit && this.log.termAt(j - 1) === hintTerm) j--;
        hintIndex = j;
      }
      this.env.send(from, this.appResp(false, m.prevIndex, hintIndex, hintTerm));
      return;
    }

    const ents = m.entries;
    const n = ents.length;
    if (n > 0 && ents[0].index !== m.prevIndex + 1) fail("AppendEntries entries not contiguous with prevIndex");
    // Skip the prefix we already hold (duplicates and reordered messages are harmless).
    let i = 0;
    while (i < n && ents[i].index <= last && this.log.termAt(ents[i].index) === ents[i].term) i++;
    if (i < n) {
      const fresh = i === 0 ? ents : ents.slice(i);
      const first = fresh[0].index;
      if (first <= last) {
        if (this.bugAppendKeepsConflicts) {
          // PLANTED BUG append-keeps-conflicts: overwrite in place only where the new entries
          // reach and keep the rest of the old, conflicting suffix.
          for (const e of fresh) {
            if (e.index <= this.log.lastIndex()) this.log.overwrite(e);
            else this.log.append(e);
          }
          if (this.durable >= first) this.durable = first - 1;
          this.clampPendingWrites(first - 1);
          this.persist([{ kind: "entries", entries: fresh }]);
          this.rescanConfs();
        } else {
          if (first <= this.commit && this.strict) fail("follower append would change a committed entry");
          this.truncateLocal(first);
          for (const e of fresh) this.appendConfAware(e);
          this.persist([{ kind: "truncate", from: first }, { kind: "entries", entries: fresh }]);
        }
      } else {
        for (const e of fresh) this.appendConfAware(e);
        this.persist([{ kind: "entries", entries: fresh }]);
      }
      // Only when a configuration entry came or went (no allocation on the common path).
      const top = this.confs.length > 0 ? this.confs[this.confs.length - 1] : this.baseConf;
      if (top.conf !== this.curConf || top.index !== this.curConfIndex) this.applyConf(now);
    }
    const lastNew = m.prevIndex + n;
    const c = m.commit < lastNew ? m.commit : lastNew;
    this.followerCommitTo(c, now);
    // PLANTED BUG ack-before-durable: acknowledge entries that may still be lost in a crash.
    this.respond(from, this.appResp(true, lastNew, 0, 0), !this.bugAckBeforeDurable, now);
  }

  private handleHeartbeat(from: NodeId, m: Heartbeat, now: number): void {
    this.lastLeaderContact = now;
    this.resetElectionTimer(now);
    this.setLeader(from);
    // The heartbeat's commit is min(leader commit, our match index), and a match index is only
    // as good as the acknowledgement behind it. A node restored from a backup (fenced) may have
    // lost what it acknowledged and hold other entries at those indices again, so it learns its
    // commit index only from appends, whose consistency check has just verified its log.
    // (Found by a 10,000-seed sweep, seed 5248: a restored node "committed" a stale entry.)
    if (this.fenceTerm < 0 || this.bugRestoreUnfenced) {
      const last = this.log.lastIndex();
      this.followerCommitTo(m.commit < last ? m.commit : last, now);
    }
    const resp: HeartbeatResponse = { type: "hbResp", term: this.curTerm, from: this.id, seq: m.seq, fenced: this.fenceTerm >= 0 };
    this.env.send(from, resp);
  }

  private followerCommitTo(c: number, now: number): void {
    if (this.bugCommitIndexDecreases) {
      // PLANTED BUG commit-index-decreases: take the leader's value even when it is lower.
      if (c !== this.commit) {
        this.commit = c;
        this.env.note("commit", c, this.curTerm);
        this.applyCommitted(now);
      }
      return;
    }
    if (c > this.commit) {
      this.commitTo(c, now);
      this.maybeUnfence();
    }
  }

  private truncateLocal(from: number): void {
    if (this.curRole === "leader") fail("a leader never truncates its own log");
    this.log.truncateFrom(from);
    // A truncated configuration entry no longer counts: the configuration reverts (§4.1).
    while (this.confs.length > 0 && this.confs[this.confs.length - 1].index >= from) this.confs.pop();
    if (this.durable >= from) this.durable = from - 1;
    this.clampPendingWrites(from - 1);
  }

  private clampPendingWrites(max: number): void {
    for (let k = this.wHead; k < this.wIndex.length; k++) if (this.wIndex[k] > max) this.wIndex[k] = max;
  }

  // ======================================================================================
  // Leader side of replication
  // ======================================================================================

  private appendLocal(e: RaftEntry<C>): void {
    if (this.curRole !== "leader") fail("only a leader appends locally");
    if (e.term !== this.curTerm) fail("leader appends an entry of another term");
    this.appendConfAware(e);
    this.persist([{ kind: "entries", entries: [e] }]);
    if (e.conf !== undefined) this.applyConf(-1);
  }

  /** Send AppendEntries from pr.next if flow control allows. Returns whether a message went out. */
  private sendAppend(to: NodeId, allowEmpty: boolean): boolean {
    const pr = this.prs[to];
    if (pr === undefined) return false;
    if (pr.next <= this.log.snapshotIndex()) return this.sendSnapshot(to, pr);
    if (pr.replicate ? pr.inflightFull() : pr.probeSent) return false;
    const last = this.log.lastIndex();
    if (pr.next > last + 1 || pr.next <= pr.match) fail(`progress next ${pr.next} out of range (match ${pr.match}, last ${last})`);
    let hi = pr.next + this.opts.maxBatch - 1;
    if (hi > last) hi = last;
    const count = hi - pr.next + 1;
    if (count === 0 && !allowEmpty && pr.replicate) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.termAt(prevIndex);
    if (prevTerm < 0) fail("leader lacks the entry before next");
    const msg: AppendRequest<C> = {
      type: "app",
      term: this.curTerm,
      from: this.id,
      prevIndex,
      prevTerm,
      entries: count > 0 ? this.log.slice(pr.next, hi) : NO_ENTRIES,
      commit: this.commit,
    };
    if (pr.replicate) {
      if (count > 0) {
        pr.next = hi + 1;
        pr.addInflight(hi);
      }
    } else {
      pr.probeSent = true;
    }
    this.env.send(to, msg);
    return true;
  }

  private handleAppendResponse(from: NodeId, m: AppendResponse, now: number): void {
    const pr = this.prs[from];
    if (pr === undefined) return;
    if (m.success) {
      if (m.index > this.log.lastIndex()) fail("follower acknowledged an index beyond the leader's log");
      pr.freeTo(m.index);
      // Only acknowledgements from an unfenced node count toward commitment.
      const counted = !m.fenced && m.index > pr.cmatch;
      if (counted) pr.cmatch = m.index;
      if (m.index <= pr.match) {
        if (counted) this.maybeCommit(now);
        return; // stale or duplicate
      }
      pr.match = m.index;
      if (pr.next <= m.index) pr.next = m.index + 1;
      if (!pr.replicate) pr.becomeReplicate();
      this.maybeCommit(now);
      if (this.curRole !== "leader") return;
      if (from === this.transferee && pr.match === this.log.lastIndex()) this.sendTimeoutNow(from);
      if (this.curConf.learners.length > 0 && this.curConf.learners.includes(from)) {
        this.maybePromote();
        if (this.curRole !== "leader") return;
      }
      while (this.sendAppend(from, false)) {
        // pipeline until the inflight window is full or the follower is caught up
      }
      return;
    }
    // Rejection. index 0 is a bare "stale term" reply: nothing to learn.
    const rejected = m.index;
    if (rejected === 0) return;
    if (pr.replicate) {
      if (rejected <= pr.match) return; // stale
    } else if (rejected !== pr.next - 1) {
      return; // stale: answers an older probe
    } else if (rejected <= pr.match) {
      // The follower no longer holds an entry it acknowledged: its disk lost durable data
      // (corruption; or a planted bug such as ack-before-durable). Lower match so that
      // backtracking can make progress instead of re-sending the same probe forever. Safe:
      // match only feeds commitment, and the commit index itself never goes back.
      const lower = m.hintTerm === 0 && m.hintIndex < rejected - 1 ? m.hintIndex : rejected - 1;
      pr.match = lower < 0 ? 0 : lower;
      if (pr.cmatch > pr.match) pr.cmatch = pr.match;
    }
    let nn: number;
    if (m.hintTerm === 0) {
      nn = m.hintIndex + 1;
    } else {
      // Skip the follower's whole conflicting term: if we hold entries of hintTerm, resume after
      // our last one; otherwise resume at the follower's first index of that term.
      let j = Math.min(rejected, this.log.lastIndex());
      while (j > pr.match && this.log.termAt(j) > m.hintTerm) j--;
      nn = this.log.termAt(j) === m.hintTerm ? j + 1 : m.hintIndex;
    }
    if (nn > rejected) nn = rejected;
    if (nn < pr.match + 1) nn = pr.match + 1;
    pr.becomeProbe(nn);
    this.sendAppend(from, true);
  }

  private handleHeartbeatResponse(from: NodeId, m: HeartbeatResponse, now: number): void {
    const pr = this.prs[from];
    if (pr === undefined) return;
    pr.probeSent = false;
    // A lost append must not stall a full pipeline forever: release one slot per heartbeat ack.
    if (pr.replicate && pr.inflightFull()) pr.freeFirst();
    if (m.seq > pr.ackedSeq && !m.fenced) pr.ackedSeq = m.seq; // a fenced node confirms no read round
    if (this.lease !== null && this.cfg.ids.length > 0) this.lease.confirmed(this.curTerm, this.cfg.committedIndex((p) => (p === this.id ? this.readSeq : this.prs[p]!.ackedSeq)));
    if (pr.match < this.log.lastIndex()) this.sendAppend(from, true);
    if (this.readHead < this.reads.length) this.processReads(now);
  }

  private broadcastHeartbeat(): void {
    for (const p of this.peers) {
      const pr = this.prs[p]!;
      const hb: Heartbeat = {
        type: "hb",
        term: this.curTerm,
        from: this.id,
        commit: this.commit < pr.match ? this.commit : pr.match,
        seq: this.readSeq,
      };
      this.env.send(p, hb);
    }
  }

  private sendTimeoutNow(to: NodeId): void {
    this.env.send(to, { type: "timeoutNow", term: this.curTerm, from: this.id });
  }

  private maybeCommit(now: number): void {
    const q = this.cfg.committedIndex(this.matchOf);
    if (q <= this.commit) return;
    // Figure 8: only an entry of the current term is committed by counting replicas.
    // PLANTED BUG commit-previous-term: also commit an older-term entry that a majority holds.
    if (this.log.termAt(q) !== this.curTerm && !this.bugCommitPreviousTerm) return;
    const wasPending = this.curConfIndex > this.commit;
    this.commitTo(q, now);
    if (this.curRole !== "leader") return; // an apply callback may have changed things
    if (wasPending && this.curConfIndex <= this.commit) {
      // The change committed: tell the servers it removed (one heartbeat with the commit index,
      // so one that holds the entry learns it is out and never campaigns again), then stop
      // replicating to them.
      for (const p of this.peers) {
        if (this.cfg.has(p) || this.curConf.learners.includes(p)) continue;
        const pr = this.prs[p]!;
        const hb: Heartbeat = { type: "hb", term: this.curTerm, from: this.id, commit: this.commit < pr.match ? this.commit : pr.match, seq: this.readSeq };
        this.env.send(p, hb);
      }
      this.applyConf(now);
      if (!this.isVoter) {
        this.stepDownRemoved(now);
        return;
      }
      this.maybePromote();
    }
    if (this.readHead < this.reads.length) this.processReads(now);
    for (const p of this.peers) this.sendAppend(p, true);
  }

  private quorumActive(): boolean {
    const ok = this.cfg.isQuorum((p) => p === this.id || this.prs[p]!.recentActive);
    for (const p of this.peers) this.prs[p]!.recentActive = false;
    return ok;
  }

  // ======================================================================================
  // Membership (dissertation ch. 4): single-server changes, learners, leader removal
  // ======================================================================================

  /** Append to the in-memory log, recording a configuration entry. */
  private appendConfAware(e: RaftEntry<C>): void {
    this.log.append(e);
    if (e.conf !== undefined) this.confs.push({ index: e.index, conf: e.conf });
  }

  /** Rebuild the configuration entries from the log (recovery, snapshot install, and the
   * planted append-keeps-conflicts path that overwrites entries in place). */
  private rescanConfs(): void {
    this.confs = [];
    for (let i = this.log.firstIndex(); i <= this.log.lastIndex(); i++) {
      const e = this.log.entry(i)!;
      if (e.conf !== undefined) this.confs.push({ index: i, conf: e.conf });
    }
  }

  /** The configuration in effect at index i (the latest entry at or below it). */
  private confAt(i: number): ConfState {
    for (let k = this.confs.length - 1; k >= 0; k--) if (this.confs[k].index <= i) return this.confs[k].conf;
    return this.baseConf.conf;
  }

  /** Make the latest configuration in the log the one in effect. now < 0: called from the
   * leader's own append (no timer to reset: a leader has none). */
  private applyConf(now: number): void {
    const top = this.confs.length > 0 ? this.confs[this.confs.length - 1] : this.baseConf;
    // Same members (a snapshot's copy of the configuration in effect): nothing changes.
    const changed = top.conf !== this.curConf && !sameConf(top.conf, this.curConf);
    this.curConf = top.conf;
    this.curConfIndex = top.index;
    if (changed) {
      const wasVoter = this.isVoter;
      this.cfg = new VoterSet(top.conf.voters);
      this.isVoter = this.cfg.has(this.id);
      if (this.transferee !== -1 && !this.cfg.has(this.transferee)) this.transferee = -1;
      if (!wasVoter && this.isVoter && this.curRole !== "leader" && now >= 0) this.resetElectionTimer(now);
      this.env.note("custom", NOTE_CONFIG, top.index);
    }
    // Replication targets.
    const peers: NodeId[] = [];
    const add = (p: NodeId) => { if (p !== this.id && !peers.includes(p)) peers.push(p); };
    for (const p of this.curConf.voters) add(p);
    for (const p of this.curConf.learners) add(p);
    if (this.curRole === "leader" && this.curConfIndex > this.commit) {
      const prev = this.confAt(this.curConfIndex - 1);
      for (const p of prev.voters) add(p);
      for (const p of prev.learners) add(p);
    }
    let bound = this.votes.length;
    for (const p of peers) if (p + 1 > bound) bound = p + 1;
    while (this.votes.length < bound) this.votes.push(VOTE_NONE);
    while (this.prs.length < bound) this.prs.push(undefined);
    for (const p of peers) {
      if (this.prs[p] !== undefined) continue;
      const pr = new Progress(p, this.opts.maxInflight);
      pr.reset(this.log.lastIndex() + 1);
      pr.recentActive = true; // a new member is not held against CheckQuorum before its first reply
      this.prs[p] = pr;
    }
    for (const p of this.peers) if (!peers.includes(p)) this.prs[p] = undefined;
    this.peers = peers;
  }

  /** §4.2.2: a leader that is not in the committed configuration steps down, handing over to
   * an up-to-date voter (TimeoutNow) so the cluster does not wait for an election timeout. */
  private stepDownRemoved(now: number): void {
    let best = -1;
    for (const p of this.cfg.ids) {
      const pr = this.prs[p];
      if (pr !== undefined && pr.match === this.log.lastIndex()) best = p;
    }
    if (best >= 0) this.sendTimeoutNow(best);
    this.env.note("custom", NOTE_STEP_DOWN_REMOVED, this.curTerm);
    this.becomeFollower(this.curTerm, -1, now);
  }

  /** Voters campaign. So does a server that its latest configuration removes while that entry
   * is uncommitted, if it was a voter before: it may still be needed to elect a leader (its log
   * may be the only one holding the removal; dissertation §4.2.2). Its own vote does not count
   * (poll counts the voters of its configuration). Once the removal is committed it never
   * campaigns again: a removed server does not disrupt (§4.2.3). */
  private canCampaign(): boolean {
    if (this.isVoter) return true;
    if (this.curConfIndex <= this.commit || this.curConfIndex <= this.log.snapshotIndex()) return false;
    return this.confAt(this.curConfIndex - 1).voters.includes(this.id);
  }

  /** §4.2.1: promote a learner once it has caught up (within promoteLag of our last index). */
  private maybePromote(): void {
    const ls = this.curConf.learners;
    if (ls.length === 0 || this.curRole !== "leader") return;
    const last = this.log.lastIndex();
    for (const l of ls) {
      const pr = this.prs[l];
      // Caught up: within promoteLag of our last index, and not fenced (a fenced voter would
      // neither vote nor count, so promoting it could leave the configuration without a quorum).
      // It must also have acknowledged our commit index (at or past the entry that added it: a
      // real answer, so its fenced flag is known; a short log alone is not "caught up").
      if (pr === undefined || pr.fenced || pr.match + this.promoteLag < last || pr.match < this.commit) continue;
      if (typeof this.confChange({ kind: "promote", node: l }) !== "string") return;
    }
  }

  // ======================================================================================
  // Snapshots: taking, saving, sending, installing; fencing
  // ======================================================================================

  private maybeScheduleSnapshot(now: number): void {
    if (this.snapshotEvery <= 0 || this.snapDueAt >= 0 || this.saving.length > 0) return;
    if (this.applied - this.log.snapshotIndex() < this.snapshotEvery) return;
    this.snapDueAt = now; // taken from the next tick, outside any apply callback
  }

  /** Snapshot the state machine at the applied index and compact the log up to it. */
  private takeSnapshot(): void {
    const idx = this.applied;
    if (idx <= this.log.snapshotIndex() || this.saving.length > 0) return;
    if (idx > this.log.lastIndex()) fail("applied beyond the log");
    const s: RaftSnapshot = {
      kind: "raft-snapshot",
      index: idx,
      term: this.log.termAt(idx),
      voters: this.confAt(idx).voters,
      learners: this.confAt(idx).learners,
      chunks: this.app.snapshot(this.snapshotChunk),
    };
    if (s.chunks.length < 1) fail("a snapshot has at least one chunk");
    this.snap = s;
    this.log.compact(idx);
    this.baseConf = { index: idx, conf: { voters: s.voters, learners: s.learners ?? [] } };
    this.confs = this.confs.filter((c) => c.index > idx);
    this.saveSnapshot(s);
    this.env.note("custom", NOTE_SNAPSHOT_TAKEN, idx);
  }

  /** Write a snapshot durably: new WAL segment starting with a base (hard state, the entries
   * after the snapshot, a truncation after them), the file written under a temporary name and
   * renamed, one fsync; when it completes (onPersisted) older segments are dropped. */
  private saveSnapshot(s: RaftSnapshot): void {
    const boundary = this.env.rotateWal();
    // Entries first, then a truncation past them: a crash may keep any prefix of these unsynced
    // records, and no prefix may cut a durable entry. "truncate from s.index+1" first lost
    // acknowledged entries when a crash kept it without the entries record (seed 17275).
    const last = this.log.lastIndex();
    const base: RaftRecord<C>[] = [{ kind: "hs", term: this.curTerm, vote: this.bugVoteNotPersisted ? -1 : this.vote }];
    if (last > s.index) base.push({ kind: "entries", entries: this.log.slice(s.index + 1, last) });
    base.push({ kind: "truncate", from: last + 1 });
    this.env.persist(base, false);
    this.env.writeFile(SNAPSHOT_TMP, s);
    this.env.renameFile(SNAPSHOT_TMP, SNAPSHOT_FILE);
    const token = this.env.syncFile();
    this.track(token);
    this.saving.push({ token, boundary });
  }

  /** Leader: send the follower the next chunk of the latest snapshot (one chunk in flight). */
  private sendSnapshot(to: NodeId, pr: Progress): boolean {
    const s = this.snap;
    if (s === null || s.index !== this.log.snapshotIndex()) fail("compacted log without its snapshot");
    if (pr.replicate) pr.becomeProbe(pr.next);
    if (pr.probeSent) return false;
    if (pr.snapIndex !== s.index) {
      pr.snapIndex = s.index;
      pr.snapChunk = 0;
    }
    if (pr.snapChunk >= s.chunks.length) pr.snapChunk = 0;
    const msg: InstallSnapshot = {
      type: "snap",
      term: this.curTerm,
      from: this.id,
      index: s.index,
      snapTerm: s.term,
      voters: s.voters,
      learners: s.learners,
      chunk: pr.snapChunk,
      total: s.chunks.length,
      data: s.chunks[pr.snapChunk],
    };
    pr.probeSent = true;
    this.env.send(to, msg);
    return true;
  }

  private handleSnapshotResponse(from: NodeId, m: SnapshotResponse, now: number): void {
    const pr = this.prs[from];
    if (pr === undefined) return;
    if (m.next >= 0) {
      // The follower wants chunk m.next of the snapshot at m.index.
      if (m.index !== pr.snapIndex || pr.replicate || pr.next > this.log.snapshotIndex()) return;
      pr.snapChunk = m.next;
      pr.probeSent = false;
      this.sendAppend(from, true);
      return;
    }
    // Done: the follower holds everything up to m.index.
    if (m.index > this.log.lastIndex()) fail("follower acknowledged a snapshot beyond the leader's log");
    const counted = !m.fenced && m.index > pr.cmatch;
    if (counted) pr.cmatch = m.index;
    if (m.index >= pr.match && !pr.replicate) {
      pr.match = m.index;
      pr.snapIndex = 0;
      pr.becomeProbe(m.index + 1);
    }
    if (counted) this.maybeCommit(now);
    if (this.curRole !== "leader") return;
    this.sendAppend(from, true);
  }

  private snapResp(index: number, next: number): SnapshotResponse {
    return { type: "snapResp", term: this.curTerm, from: this.id, index, next, fenced: this.fenceTerm >= 0 };
  }

  /** Follower: assemble chunks in order; install the whole snapshot once complete. */
  private handleSnapshot(from: NodeId, m: InstallSnapshot, now: number): void {
    this.lastLeaderContact = now;
    this.resetElectionTimer(now);
    this.setLeader(from);
    if (m.index <= this.commit) {
      // Already there (a delayed or duplicated chunk): nothing to install.
      this.incoming = null;
      this.respond(from, this.snapResp(m.index, -1), true, now);
      return;
    }
    if (m.chunk === 0) {
      if (!(m.total >= 1)) fail("InstallSnapshot with no chunks");
      this.incoming = { index: m.index, term: m.snapTerm, leaderTerm: m.term, voters: m.voters, learners: m.learners ?? [], chunks: new Array<unknown>(m.total), next: 0 };
    }
    const inc = this.incoming;
    const same = inc !== null && inc.index === m.index && inc.term === m.snapTerm && inc.leaderTerm === m.term && inc.chunks.length === m.total;
    if (!same || m.chunk !== inc.next) {
      // Out of order (loss, duplication, another snapshot): ask for the chunk we need.
      this.env.send(from, this.snapResp(m.index, same ? inc.next : 0));
      return;
    }
    inc.chunks[inc.next++] = m.data;
    if (inc.next < inc.chunks.length) {
      this.env.send(from, this.snapResp(m.index, inc.next));
      return;
    }
    this.incoming = null;
    this.installSnapshot({ kind: "raft-snapshot", index: inc.index, term: inc.term, voters: inc.voters, learners: inc.learners, chunks: inc.chunks }, now);
    // Acknowledged once the snapshot (and every write before it) is durable.
    this.respond(from, this.snapResp(m.index, -1), true, now);
  }

  private installSnapshot(s: RaftSnapshot, now: number): void {
    if (s.index <= this.commit) return;
    if (this.curRole === "leader") fail("a leader never installs a snapshot");
    const oldCommit = this.commit;
    // §7: if the log has the snapshot's last entry (same index and term), keep what follows it.
    // PLANTED BUG snapshot-install-drops-newer: discard the whole log regardless, including
    // entries after the snapshot that this node may already have acknowledged.
    if (!this.bugSnapshotInstallDropsNewer && this.log.termAt(s.index) === s.term) {
      this.log.compact(s.index);
    } else {
      this.log.reset(s.index, s.term);
      // What survives a crash before the new snapshot is durable: the old state, whose entries
      // past the old commit index may be the conflicting ones just discarded.
      if (this.durable > oldCommit) this.durable = oldCommit;
      this.clampPendingWrites(oldCommit);
    }
    this.snap = s;
    this.baseConf = { index: s.index, conf: { voters: s.voters, learners: s.learners ?? [] } };
    this.rescanConfs();
    this.applyConf(now);
    this.app.restore(s.chunks, s.index, now);
    this.applied = s.index;
    this.commit = s.index;
    this.env.note("commit", s.index, this.curTerm);
    this.env.note("custom", NOTE_SNAPSHOT_INSTALLED, s.index);
    this.saveSnapshot(s);
    this.maybeUnfence();
  }

  /** Unfence once the commit index holds an entry of a term above fenceTerm (see "Fencing"):
   * delete the marker durably (a crash before that only fences the node again). */
  private maybeUnfence(): void {
    if (this.fenceTerm < 0 || this.commit <= 0) return;
    if (this.log.termAt(this.commit) <= this.fenceTerm) return;
    this.fenceTerm = -1;
    this.env.deleteFile(RESTORED_FILE);
    this.track(this.env.syncFile());
    this.env.note("custom", NOTE_UNFENCED, this.curTerm);
  }

  // ======================================================================================
  // ReadIndex
  // ======================================================================================

  private processReads(now: number): void {
    const termCommitted = this.commit >= this.termStart;
    while (this.readHead < this.reads.length) {
      const r = this.reads[this.readHead];
      if (!this.readConfirmed(r.seq)) break;
      if (r.index < 0 && !termCommitted) break;
      this.readHead++;
      this.app.readReady(r.ctx, r.index < 0 ? this.commit : r.index, now);
      if (this.curRole !== "leader") return;
    }
    if (this.readHead === this.reads.length) {
      this.reads.length = 0;
      this.readHead = 0;
    }
  }

  private readConfirmed(seq: number): boolean {
    let acks = 0;
    for (const p of this.cfg.ids) {
      if ((p === this.id || this.prs[p]!.ackedSeq >= seq) && ++acks >= this.cfg.quorum) return true;
    }
    return false;
  }

  private failReads(now: number): void {
    const rs = this.reads;
    const from = this.readHead;
    this.reads = [];
    this.readHead = 0;
    for (let k = from; k < rs.length; k++) this.app.readFailed(rs[k].ctx, now);
  }

  // ======================================================================================
  // Commit and apply
  // ======================================================================================

  private commitTo(c: number, now: number): void {
    if (c <= this.commit) fail("commit index must increase");
    if (c > this.log.lastIndex()) fail(`commit ${c} beyond last index ${this.log.lastIndex()}`);
    this.commit = c;
    this.env.note("commit", c, this.curTerm);
    this.applyCommitted(now);
  }

  private applyCommitted(now: number): void {
    if (this.applying) return;
    this.applying = true;
    try {
      while (this.applied < this.commit) {
        const e = this.log.entry(this.applied + 1);
        if (e === undefined) {
          if (this.strict) fail(`committed entry ${this.applied + 1} missing`);
          break;
        }
        this.applied++;
        this.app.apply(e, now);
      }
    } finally {
      this.applying = false;
    }
    if (this.applied > this.commit && !this.bugCommitIndexDecreases) fail("applied beyond commit");
    this.maybeScheduleSnapshot(now);
  }

  // ======================================================================================
  // State helpers, durability, timers
  // ======================================================================================

  private setRole(r: Role): void {
    this.curRole = r;
    this.env.note("role", RoleCode[r], this.curTerm);
  }

  private setLeader(l: NodeId): void {
    if (l !== this.lead) {
      this.lead = l;
      this.env.note("leader", l, this.curTerm);
    }
  }

  private setTermAndVote(term: number, vote: NodeId): void {
    if (term < this.curTerm) fail("term must never decrease");
    if (term === this.curTerm && this.vote !== -1 && vote !== this.vote) fail("two votes in one term");
    this.curTerm = term;
    this.vote = vote;
    // PLANTED BUG vote-not-persisted: the vote never reaches the disk.
    this.persist([{ kind: "hs", term, vote: this.bugVoteNotPersisted ? -1 : vote }]);
  }

  /** Track a write (persist or a file sync) whose durability makes the log durable up to its
   * current last index. */
  private track(token: number): void {
    const n = this.wTokens.length;
    if (n > this.wHead && token <= this.wTokens[n - 1]) fail("persist tokens must increase");
    this.wTokens.push(token);
    this.wIndex.push(this.log.lastIndex());
  }

  private persist(records: RaftRecord<C>[]): void {
    this.track(this.env.persist(records, true));
  }

  /** Send now, or — if needDurable and a write is still in flight — once every write so far is
   * durable. Messages to ourselves are stepped locally. */
  private respond(to: NodeId, msg: RaftMessage<C>, needDurable: boolean, now: number): void {
    if (needDurable && this.wHead < this.wTokens.length) {
      this.deferred.push({ token: this.wTokens[this.wTokens.length - 1], to, msg });
    } else {
      this.deliver(to, msg, now);
    }
  }

  private deliver(to: NodeId, msg: RaftMessage<C>, now: number): void {
    if (to === this.id) this.step(to, msg, now);
    else this.env.send(to, msg);
  }

  private voteResp(term: number, pre: boolean, granted: boolean): VoteResponse {
    return { type: "voteResp", term, from: this.id, pre, granted, fenced: this.fenceTerm >= 0 };
  }

  private appResp(success: boolean, index: number, hintIndex: number, hintTerm: number): AppendResponse {
    return { type: "appResp", term: this.curTerm, from: this.id, success, index, hintIndex, hintTerm, fenced: this.fenceTerm >= 0 };
  }

  private resetElectionTimer(now: number): void {
    this.electionDeadline = now + this.env.rng.int(this.opts.electionMinUs, this.opts.electionMaxUs);
  }

  /** Every input's local time goes through here (see monotonic.ts). A backward step moves
   * where our deadlines fall on the local clock, so the wake-up is asked for again at once —
   * an input that does not otherwise re-arm (a client request) must not leave it stale. */
  private readClock(local: number): number {
    const now = this.clock.read(local);
    if (this.clock.takeStep()) this.arm(true);
    return now;
  }

  private arm(force: boolean): void {
    let d: number;
    if (this.curRole === "leader") {
      d = this.heartbeatDeadline;
      if (this.opts.checkQuorum && this.checkQuorumDeadline < d) d = this.checkQuorumDeadline;
      if (this.transferee !== -1 && this.transferDeadline < d) d = this.transferDeadline;
    } else if (this.canCampaign()) {
      d = this.electionDeadline;
    } else {
      d = Number.POSITIVE_INFINITY;
    }
    if (this.readsDueAt >= 0 && this.readsDueAt < d) d = this.readsDueAt;
    if (this.snapDueAt >= 0 && this.snapDueAt < d) d = this.snapDueAt;
    if (d === Number.POSITIVE_INFINITY) return;
    const local = this.clock.toLocal(d);
    if (force || local !== this.armedAt) {
      this.armedAt = local;
      this.env.wakeAt(local);
    }
  }
}

/** Whether a message says its sender is fenced (restored from a backup, not caught up). */
function isFencedMessage<C>(m: RaftMessage<C>): boolean {
  switch (m.type) {
    case "appResp":
    case "hbResp":
    case "snapResp":
    case "voteResp":
      return m.fenced;
    default:
      return false;
  }
}

function sameMembers(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  if (a.length !== b.length) return false;
  for (const x of a) if (!b.includes(x)) return false;
  return true;
}

function sameConf(a: ConfState, b: ConfState): boolean {
  return sameMembers(a.voters, b.voters) && sameMembers(a.learners, b.learners);
}
