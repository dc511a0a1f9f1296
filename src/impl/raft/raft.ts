// Raft as a pure state machine, in the style of etcd's raft.go: inputs are onMessage / onTick /
// onPersisted / propose / readIndex / transferLeadership, each carrying the node's local time;
// every effect goes out through env (send, persist, wakeAt, note) or app (apply, readReady,
// readFailed). Follows the extended Raft paper and Ongaro's dissertation: PreVote (§9.6),
// CheckQuorum + leader lease on votes (§4.2.3, §6.2), ReadIndex (§6.4), leadership transfer
// (§3.10), fast conflict backtracking, Figure-8 commit rule.
//
// Durability before replies: durability.ts.
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
// Fencing after a restore from a backup: fencing.ts. Planted bugs: bug-flags.ts. The node's
// fields: state.ts (a base class, so that the per-topic files need not import this one).
import type { NodeEnv, NodeId, Recovered } from "../node.js";
import { RoleCode } from "../node.js";
import type { RaftApp, RaftEntry, RaftOptions, RaftView, Role } from "./api.js";
import { applyConfChange, checkConf, singleServerApart, type ConfChange, type ConfState } from "./config.js";
import { resolveBugFlags } from "./bug-flags.js";
import { VOTE_GRANTED, VOTE_LOST, VOTE_NONE, VOTE_REJECTED, VOTE_WON, VoterSet } from "./quorum.js";
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
import { clampPendingWrites, persist, releaseDeferred, respond, track, writesDurable } from "./durability.js";
import { isFencedMessage, maybeUnfence, readRestoreMarker } from "./fencing.js";
import { fail, NOTE_CONFIG, NOTE_SNAPSHOT_INSTALLED, NOTE_SNAPSHOT_TAKEN, NOTE_STEP_DOWN_REMOVED, RaftState } from "./state.js";
import {
  asSnapshot,
  RESTORED_FILE,
  SNAPSHOT_FILE,
  SNAPSHOT_TMP,
  type RaftSnapshot,
} from "./snapshot.js";

export type { RaftMessage } from "./messages.js";
export type { RaftRecord } from "./records.js";

const NO_ENTRIES: readonly RaftEntry<never>[] = Object.freeze([]);

export { NOTE_CONFIG, NOTE_SNAPSHOT_INSTALLED, NOTE_SNAPSHOT_TAKEN, NOTE_STEP_DOWN_REMOVED, NOTE_UNFENCED } from "./state.js";

export class Raft<C> extends RaftState<C> implements RaftView<C> {
  constructor(
    id: NodeId,
    opts: RaftOptions,
    env: NodeEnv<RaftMessage<C>, RaftRecord<C>, unknown>,
    app: RaftApp<C>,
    recovered: Recovered<RaftRecord<C>> | null,
    now: number,
  ) {
    super();
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
    this.bugs = resolveBugFlags(opts.bugs);
    this.snapshotEvery = opts.snapshotEvery ?? 0;
    this.snapshotChunk = opts.snapshotChunk ?? 16;
    if (!(this.snapshotEvery >= 0 && this.snapshotChunk >= 1)) fail("bad snapshot settings");
    this.strict = this.bugs.strict;
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
      if (mk !== undefined) readRestoreMarker(this, mk);
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
    if (this.commit < this.termStart && !this.bugs.membershipBeforeTermCommit) return "no entry of this term committed yet";
    // PLANTED BUG membership-concurrent-changes: a second change while one is uncommitted.
    if (this.curConfIndex > this.commit && !this.bugs.membershipConcurrent) return "a configuration change is pending";
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
    if (this.bugs.staleLocalRead) {
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
    const index = termCommitted || this.bugs.readBeforeTermCommit ? this.commit : -1;
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
    writesDurable(this, token);
    // Snapshots now durable: the WAL segments before their base can go.
    let dropped = false;
    while (this.saving.length > 0 && this.saving[0].token <= token) {
      this.env.dropWalBefore(this.saving.shift()!.boundary);
      dropped = true;
    }
    if (dropped) this.maybeScheduleSnapshot(now);
    releaseDeferred(this, token, now);
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

  step(from: NodeId, m: RaftMessage<C>, now: number): void {
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
        this.bugs.countStaleVote &&
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
  recentlyHeardLeader(now: number): boolean {
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
    for (const p of this.cfg.ids) if (p !== this.id) respond(this, p, req, true, now);
    respond(this, this.id, this.voteResp(this.curTerm, false, true), true, now);
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
      this.bugs.voteWithoutLogCheck ||
      m.lastTerm > lastTerm ||
      (m.lastTerm === lastTerm && m.lastIndex >= this.log.lastIndex());
    // PreVote (§9.6): no prevote while we have heard from a leader within the minimum timeout.
    const leaseOk = !m.pre || m.force || !this.recentlyHeardLeader(now);
    // PLANTED BUG vote-not-persisted: reply without waiting for the hard state to be durable.
    const waitDurable = !this.bugs.voteNotPersisted;
    if (canVote && upToDate && leaseOk) {
      if (m.pre) {
        this.env.send(from, this.voteResp(m.term, true, true));
      } else {
        if (this.curRole === "candidate" || this.curRole === "leader") fail("granting a vote while candidate/leader");
        if (this.curRole === "precandidate") this.becomeFollower(this.curTerm, -1, now);
        this.setTermAndVote(this.curTerm, from);
        this.resetElectionTimer(now);
        respond(this, from, this.voteResp(this.curTerm, false, true), waitDurable, now);
      }
    } else {
      respond(this, from, this.voteResp(this.curTerm, m.pre, false), !m.pre && waitDurable, now);
    }
  }

  private poll(from: NodeId, granted: boolean, now: number): void {
    if (!this.cfg.has(from)) return;
    if (this.votes[from] === VOTE_NONE) this.votes[from] = granted ? VOTE_GRANTED : VOTE_REJECTED;
    const res = this.cfg.voteResult(this.votes);
    if (res === VOTE_WON) {
      if (this.curRole === "precandidate") this.becomeCandidate(false, now);
      else this.becomeLeader(now);
    } else if (res === VOTE_LOST) {
      this.becomeFollower(this.curTerm, -1, now);
    }
  }

  becomeFollower(term: number, leader: NodeId, now: number): void {
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
        respond(this, from, this.appResp(true, m.prevIndex + m.entries.length, 0, 0), true, now);
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
        if (this.bugs.appendKeepsConflicts) {
          // PLANTED BUG append-keeps-conflicts: overwrite in place only where the new entries
          // reach and keep the rest of the old, conflicting suffix.
          for (const e of fresh) {
            if (e.index <= this.log.lastIndex()) this.log.overwrite(e);
            else this.log.append(e);
          }
          if (this.durable >= first) this.durable = first - 1;
          clampPendingWrites(this, first - 1);
          persist(this, [{ kind: "entries", entries: fresh }]);
          this.rescanConfs();
        } else {
          if (first <= this.commit && this.strict) fail("follower append would change a committed entry");
          this.truncateLocal(first);
          for (const e of fresh) this.appendConfAware(e);
          persist(this, [{ kind: "truncate", from: first }, { kind: "entries", entries: fresh }]);
        }
      } else {
        for (const e of fresh) this.appendConfAware(e);
        persist(this, [{ kind: "entries", entries: fresh }]);
      }
      // Only when a configuration entry came or went (no allocation on the common path).
      const top = this.confs.length > 0 ? this.confs[this.confs.length - 1] : this.baseConf;
      if (top.conf !== this.curConf || top.index !== this.curConfIndex) this.applyConf(now);
    }
    const lastNew = m.prevIndex + n;
    const c = m.commit < lastNew ? m.commit : lastNew;
    this.followerCommitTo(c, now);
    // PLANTED BUG ack-before-durable: acknowledge entries that may still be lost in a crash.
    respond(this, from, this.appResp(true, lastNew, 0, 0), !this.bugs.ackBeforeDurable, now);
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
    if (this.fenceTerm < 0 || this.bugs.restoreUnfenced) {
      const last = this.log.lastIndex();
      this.followerCommitTo(m.commit < last ? m.commit : last, now);
    }
    const resp: HeartbeatResponse = { type: "hbResp", term: this.curTerm, from: this.id, seq: m.seq, fenced: this.fenceTerm >= 0 };
    this.env.send(from, resp);
  }

  private followerCommitTo(c: number, now: number): void {
    if (this.bugs.commitIndexDecreases) {
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
      maybeUnfence(this);
    }
  }

  private truncateLocal(from: number): void {
    if (this.curRole === "leader") fail("a leader never truncates its own log");
    this.log.truncateFrom(from);
    // A truncated configuration entry no longer counts: the configuration reverts (§4.1).
    while (this.confs.length > 0 && this.confs[this.confs.length - 1].index >= from) this.confs.pop();
    if (this.durable >= from) this.durable = from - 1;
    clampPendingWrites(this, from - 1);
  }


  // ======================================================================================
  // Leader side of replication
  // ======================================================================================

  private appendLocal(e: RaftEntry<C>): void {
    if (this.curRole !== "leader") fail("only a leader appends locally");
    if (e.term !== this.curTerm) fail("leader appends an entry of another term");
    this.appendConfAware(e);
    persist(this, [{ kind: "entries", entries: [e] }]);
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
    if (this.log.termAt(q) !== this.curTerm && !this.bugs.commitPreviousTerm) return;
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

  /** Write a snapshot durably: new WAL segment starting with a base (hard state, truncation
   * after the snapshot, the entries after it), the file written under a temporary name and
   * renamed, one fsync; when it completes (onPersisted) older segments are dropped. */
  private saveSnapshot(s: RaftSnapshot): void {
    const boundary = this.env.rotateWal();
    const base: RaftRecord<C>[] = [
      { kind: "hs", term: this.curTerm, vote: this.bugs.voteNotPersisted ? -1 : this.vote },
      { kind: "truncate", from: s.index + 1 },
    ];
    if (this.log.lastIndex() > s.index) base.push({ kind: "entries", entries: this.log.slice(s.index + 1, this.log.lastIndex()) });
    this.env.persist(base, false);
    this.env.writeFile(SNAPSHOT_TMP, s);
    this.env.renameFile(SNAPSHOT_TMP, SNAPSHOT_FILE);
    const token = this.env.syncFile();
    track(this, token);
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
      respond(this, from, this.snapResp(m.index, -1), true, now);
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
    respond(this, from, this.snapResp(m.index, -1), true, now);
  }

  private installSnapshot(s: RaftSnapshot, now: number): void {
    if (s.index <= this.commit) return;
    if (this.curRole === "leader") fail("a leader never installs a snapshot");
    const oldCommit = this.commit;
    // §7: if the log has the snapshot's last entry (same index and term), keep what follows it.
    // PLANTED BUG snapshot-install-drops-newer: discard the whole log regardless, including
    // entries after the snapshot that this node may already have acknowledged.
    if (!this.bugs.snapshotInstallDropsNewer && this.log.termAt(s.index) === s.term) {
      this.log.compact(s.index);
    } else {
      this.log.reset(s.index, s.term);
      // What survives a crash before the new snapshot is durable: the old state, whose entries
      // past the old commit index may be the conflicting ones just discarded.
      if (this.durable > oldCommit) this.durable = oldCommit;
      clampPendingWrites(this, oldCommit);
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
    maybeUnfence(this);
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

  commitTo(c: number, now: number): void {
    if (c <= this.commit) fail("commit index must increase");
    if (c > this.log.lastIndex()) fail(`commit ${c} beyond last index ${this.log.lastIndex()}`);
    this.commit = c;
    this.env.note("commit", c, this.curTerm);
    this.applyCommitted(now);
  }

  applyCommitted(now: number): void {
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
    if (this.applied > this.commit && !this.bugs.commitIndexDecreases) fail("applied beyond commit");
    this.maybeScheduleSnapshot(now);
  }

  // ======================================================================================
  // State helpers, durability, timers
  // ======================================================================================

  setRole(r: Role): void {
    this.curRole = r;
    this.env.note("role", RoleCode[r], this.curTerm);
  }

  setLeader(l: NodeId): void {
    if (l !== this.lead) {
      this.lead = l;
      this.env.note("leader", l, this.curTerm);
    }
  }

  setTermAndVote(term: number, vote: NodeId): void {
    if (term < this.curTerm) fail("term must never decrease");
    if (term === this.curTerm && this.vote !== -1 && vote !== this.vote) fail("two votes in one term");
    this.curTerm = term;
    this.vote = vote;
    // PLANTED BUG vote-not-persisted: the vote never reaches the disk.
    persist(this, [{ kind: "hs", term, vote: this.bugs.voteNotPersisted ? -1 : vote }]);
  }

  private voteResp(term: number, pre: boolean, granted: boolean): VoteResponse {
    return { type: "voteResp", term, from: this.id, pre, granted, fenced: this.fenceTerm >= 0 };
  }

  private appResp(success: boolean, index: number, hintIndex: number, hintTerm: number): AppendResponse {
    return { type: "appResp", term: this.curTerm, from: this.id, success, index, hintIndex, hintTerm, fenced: this.fenceTerm >= 0 };
  }

  resetElectionTimer(now: number): void {
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

  arm(force: boolean): void {
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

function sameMembers(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  if (a.length !== b.length) return false;
  for (const x of a) if (!b.includes(x)) return false;
  return true;
}

function sameConf(a: ConfState, b: ConfState): boolean {
  return sameMembers(a.voters, b.voters) && sameMembers(a.learners, b.learners);
}
